import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  importedAnnotationSchema,
  itemInputSchema,
  keyNestedTooDeep,
  MAX_JSON_DEPTH,
  SUBMITTED_AT_RANGE,
} from "./item.ts";
import { MAX_CLAIMED_DURATION_MS } from "./work-time.ts";

const annotation = (extra: Record<string, unknown>) =>
  importedAnnotationSchema.safeParse({
    annotator: "ada@example.test",
    label: { preference: 1 },
    ...extra,
  });

/** A value whose containers nest `depth` levels: arrays and objects as `kinds` says, inside out. */
function nested(depth: number, kinds: ReadonlyArray<boolean>): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) {
    value = kinds[level % kinds.length] ? [value] : { k: value };
  }
  return value;
}

describe("durationMs", () => {
  it("is accepted up to the most a label may claim, and refused above it", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: MAX_CLAIMED_DURATION_MS - 3, max: MAX_CLAIMED_DURATION_MS + 3 }),
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          fc.constantFrom(2_147_483_648, 8_640_000_000_000_001),
        ),
        (durationMs) => {
          expect(annotation({ durationMs }).success).toBe(durationMs <= MAX_CLAIMED_DURATION_MS);
        },
      ),
    );
  });
});

describe("submittedAt", () => {
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");

  it("is accepted exactly when its instant is within 1970–9999 in UTC, which PostgreSQL reads back", () => {
    const offsets = fc.oneof(
      fc.constant("Z"),
      fc
        .tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 23 }), fc.integer({ max: 59 }))
        .map(([sign, hours, minutes]) => `${sign}${pad(hours)}:${pad(Math.abs(minutes))}`),
    );
    const stamps = fc
      .record({
        year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1969, 1970, 9999)),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        hour: fc.integer({ min: 0, max: 23 }),
        minute: fc.integer({ min: 0, max: 59 }),
        offset: offsets,
      })
      .map(
        ({ year, month, day, hour, minute, offset }) =>
          `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:00${offset}`,
      );
    fc.assert(
      fc.property(stamps, (submittedAt) => {
        const instant = Date.parse(submittedAt);
        const inRange =
          instant >= SUBMITTED_AT_RANGE.earliest && instant <= SUBMITTED_AT_RANGE.latest;
        expect(annotation({ submittedAt }).success).toBe(inRange);
        // What is accepted is written for the database as a four-digit year it reads.
        if (inRange) expect(new Date(instant).toISOString()).toMatch(/^\d{4}-/);
      }),
      {
        examples: [
          ["0001-01-01T00:00:00+05:00"],
          ["1970-01-01T00:00:00Z"],
          ["1970-01-01T00:59:00+01:00"],
          ["9999-12-31T23:59:00Z"],
          ["9999-12-31T23:59:00-00:01"],
        ],
      },
    );
  });
});

describe("metadata and labels", () => {
  it("are accepted up to the documented depth and refused deeper, at any depth", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: MAX_JSON_DEPTH + 2 }),
          fc.integer({ min: 0, max: 100_000 }),
        ),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        (depth, kinds) => {
          // The object itself is level 1: its value under "deep" nests `depth` more.
          const metadata = { shallow: "x", deep: nested(depth, kinds) };
          const parsed = itemInputSchema.safeParse({
            externalId: "x",
            prompt: "p",
            responses: [{ id: "a", text: "t" }],
            metadata,
            annotations: [{ annotator: "ada@example.test", label: metadata }],
          });
          const fits = depth + 1 <= MAX_JSON_DEPTH;
          expect(parsed.success).toBe(fits);
          if (!parsed.success) {
            expect(parsed.error.issues.map((issue) => issue.path.join("."))).toEqual([
              "metadata.deep",
              "annotations.0.label.deep",
            ]);
          }
        },
      ),
      {
        examples: [
          [MAX_JSON_DEPTH - 1, [true]],
          [MAX_JSON_DEPTH, [false]],
        ],
      },
    );
  });

  it("finds a value too deep without recursion, whatever its depth", () => {
    expect(keyNestedTooDeep({ deep: nested(1_000_000, [true, false]) })).toBe("deep");
    expect(keyNestedTooDeep({ a: 1, b: nested(MAX_JSON_DEPTH - 1, [true]) })).toBeUndefined();
  });

  it("are objects: an array or a string is refused", () => {
    for (const metadata of [[1], "text", null]) {
      const parsed = itemInputSchema.safeParse({
        externalId: "x",
        prompt: "p",
        responses: [{ id: "a", text: "t" }],
        metadata,
      });
      expect(parsed.error?.issues.map((issue) => issue.path.join("."))).toEqual(["metadata"]);
    }
  });

  it("keep a key named __proto__ as data, without touching any prototype", () => {
    const parsed = itemInputSchema.parse(
      JSON.parse(
        '{"externalId":"x","prompt":"p","responses":[{"id":"a","text":"t"}],"metadata":{"__proto__":{"polluted":true},"plain":1}}',
      ),
    );
    const metadata = parsed.metadata!;
    expect(Object.hasOwn(metadata, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(JSON.stringify(metadata)).toBe('{"__proto__":{"polluted":true},"plain":1}');
    expect("polluted" in metadata).toBe(false);
    expect("polluted" in {}).toBe(false);
  });
});
