import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isCharacterBoundary,
  MAX_QUOTE_LIMIT,
  MIN_QUOTE_LIMIT,
  QUOTE_LIMIT_HINT,
  quoteLabelSpans,
  quoteLimit,
} from "./span-offsets.ts";
import {
  labelSchemaFor,
  templateSchema,
  type Label,
  type ResponseRef,
  type SpanAnnotation,
} from "./template.ts";

/**
 * The spans of a label quote at most `quoteLimit` of its item's responses in all, however they
 * overlap (span-offsets.ts): the server fills in every quote, so a label is bounded after
 * quoting, wherever it is validated or quoted.
 */

const template = templateSchema.parse({
  fields: [
    { id: "errors", type: "spans", label: "Errors", categories: ["factual", "unsafe"] },
    { id: "style", type: "spans", label: "Style", categories: ["verbose"] },
  ],
});

const span = (responseId: string, start: number, end: number, category = "factual") => ({
  responseId,
  start,
  end,
  category,
  severity: "minor",
});

const utf8Bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

/** What the spans of a label mark in all, each overlap counted again. */
function markedLength(label: Label): number {
  let length = 0;
  for (const field of ["errors", "style"]) {
    for (const marked of (label[field] ?? []) as SpanAnnotation[]) {
      length += marked.end - marked.start;
    }
  }
  return length;
}

function quotedLength(label: Label): number {
  let length = 0;
  for (const field of ["errors", "style"]) {
    for (const marked of (label[field] ?? []) as SpanAnnotation[]) {
      length += marked.text?.length ?? 0;
    }
  }
  return length;
}

/** Texts of ASCII, CJK (3 bytes in UTF-8) and astral characters, up to 200,000 code units. */
const pieces = ["a", " ", "é", "界", "😀", "\n", '"'];
const responseTextArbitrary = fc
  .tuple(
    fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }),
    fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 200_000 })),
  )
  .map(([parts, length]) => {
    const unit = parts.join("");
    const repeated = unit.repeat(Math.ceil(length / unit.length));
    return repeated.slice(0, isCharacterBoundary(repeated, length) ? length : length - 1);
  })
  .filter((text) => text.length > 0);

/** A place in `text` between two characters, from a fraction of its length. */
function boundaryAt(text: string, fraction: number): number {
  const offset = Math.round(fraction * text.length);
  return isCharacterBoundary(text, offset) ? offset : offset + 1;
}

/** Spans that fit their responses, each within the schema, and not more than a field may hold. */
function spansArbitrary(responses: ResponseRef[]) {
  return fc.array(
    fc
      .record({
        response: fc.integer({ min: 0, max: responses.length - 1 }),
        from: fc.double({ min: 0, max: 1, noNaN: true }),
        to: fc.double({ min: 0, max: 1, noNaN: true }),
        category: fc.constantFrom("factual", "unsafe"),
      })
      .map(({ response, from, to, category }) => {
        const { id, text } = responses[response]!;
        const [start, end] = [boundaryAt(text, from), boundaryAt(text, to)].sort((a, b) => a - b);
        return end > start ? span(id, start, end, category) : span(id, 0, text.length, category);
      }),
    { maxLength: 1_000 },
  );
}

/** A counterexample as fast-check prints it: each response by its length and its start. */
function shown(value: { responses: ResponseRef[]; errors: unknown[]; style: unknown[] }): string {
  const responses = value.responses.map(({ id, text }) => ({
    id,
    length: text.length,
    start: text.slice(0, 20),
  }));
  return JSON.stringify({ ...value, responses });
}

const labelsArbitrary = fc
  .array(responseTextArbitrary, { minLength: 1, maxLength: 3 })
  .map((texts) => texts.map((text, index): ResponseRef => ({ id: `r${index}`, text })))
  .chain((responses) =>
    fc.record({
      responses: fc.constant(responses),
      errors: spansArbitrary(responses),
      style: spansArbitrary(responses).map((spans) =>
        spans.map((marked) => ({ ...marked, category: "verbose" })),
      ),
    }),
  )
  .map((value) => Object.assign(value, { [fc.toStringMethod]: () => shown(value) }));

describe("the quote limit of a label", () => {
  it("is four times the responses, at least 10,000 and at most 400,000 code units", () => {
    expect(quoteLimit([{ text: "short" }])).toBe(MIN_QUOTE_LIMIT);
    expect(quoteLimit([{ text: "a".repeat(5_000) }, { text: "b".repeat(7_500) }])).toBe(50_000);
    expect(quoteLimit([{ text: "a".repeat(200_000) }])).toBe(MAX_QUOTE_LIMIT);
    expect(MAX_QUOTE_LIMIT).toBe(400_000);
  });

  it("accepts exactly the labels within it, and a label stays within it once quoted (property)", () => {
    fc.assert(
      fc.property(labelsArbitrary, ({ responses, errors, style }) => {
        const input = { errors, style };
        const limit = quoteLimit(responses);
        const parsed = labelSchemaFor(template, responses).safeParse(input);
        expect(parsed.success).toBe(markedLength(input) <= limit);
        if (!parsed.success) {
          expect(parsed.error.issues).toEqual([
            expect.objectContaining({
              path: [markedLength({ errors }) > limit ? "errors" : "style"],
              message: expect.stringContaining(QUOTE_LIMIT_HINT),
            }),
          ]);
          return;
        }
        const quoted = quotedLength(parsed.data);
        expect(quoted).toBeLessThanOrEqual(limit);
        expect(quoted).toBeLessThanOrEqual(MAX_QUOTE_LIMIT);
        // What quoting adds: a `"text":""` member per span, and at most 3 bytes per code unit.
        const spans = errors.length + style.length;
        expect(utf8Bytes(parsed.data)).toBeLessThanOrEqual(
          utf8Bytes(input) + spans * utf8Bytes({ text: "" }) + 3 * quoted,
        );
      }),
      { numRuns: 60 },
    );
  });

  it("bounds the largest label it admits, and refuses 1,000 spans over a long response", () => {
    // The worst case: the longest response, of characters 3 bytes long in UTF-8.
    const responses = [{ id: "r0", text: "界".repeat(200_000) }];
    const schema = labelSchemaFor(template, responses);
    const largest = schema.parse({
      errors: [span("r0", 0, 200_000)],
      style: [span("r0", 0, 200_000, "verbose")],
    });
    expect(quotedLength(largest)).toBe(MAX_QUOTE_LIMIT);
    expect(utf8Bytes(largest)).toBeLessThan(3 * MAX_QUOTE_LIMIT + 1_000);

    const oneMore = schema.safeParse({
      errors: [span("r0", 0, 200_000)],
      style: [span("r0", 0, 200_000, "verbose"), span("r0", 0, 1, "verbose")],
    });
    expect(oneMore.success).toBe(false);
    expect(oneMore.error?.issues.map((issue) => [issue.path, issue.message])).toEqual([
      [
        ["style"],
        `${QUOTE_LIMIT_HINT} 400,000 characters (UTF-16 code units), each overlap counted again: ` +
          "4 times the item's responses, at least 10,000 and at most 400,000; these quote 400,001",
      ],
    ]);

    const amplifying = {
      errors: Array.from({ length: 1_000 }, () => span("r0", 0, 50_000)),
    };
    const long = [{ id: "r0", text: "word ".repeat(10_000) }];
    const refused = labelSchemaFor(template, long).safeParse(amplifying);
    expect(refused.error?.issues).toEqual([
      expect.objectContaining({
        path: ["errors"],
        message: expect.stringMatching(/at most 200,000 .* these quote 50,000,000$/),
      }),
    ]);
  });

  it("keeps ordinary labels: a few dozen spans, overlapping, nested and repeated", () => {
    const text =
      "Take 5 mg of warfarin daily with the antibiotic; the antibiotic potentiates warfarin, " +
      "so check the INR within 3 days and halve the dose if it rises above 3.";
    const responses = [{ id: "r0", text }];
    const errors = [
      span("r0", 0, text.length),
      span("r0", 0, text.length, "unsafe"),
      ...Array.from({ length: 40 }, (_, index) => span("r0", index, index + 40)),
    ];
    const style = errors.map((marked) => ({ ...marked, category: "verbose" }));
    const parsed = labelSchemaFor(template, responses).safeParse({ errors, style });
    expect(parsed.error?.issues).toBeUndefined();
    expect(quotedLength(parsed.data!)).toBe(2 * (2 * text.length + 40 * 40));
  });
});

describe("quoting a label no schema checked", () => {
  it("stops at the limit and leaves the further spans as they were (property)", () => {
    fc.assert(
      fc.property(labelsArbitrary, ({ responses, errors, style }) => {
        const label: Label = { errors, style };
        const result = quoteLabelSpans(template, label, responses, { widen: false });
        const limit = quoteLimit(responses);
        expect(quotedLength(result.label)).toBeLessThanOrEqual(limit);
        const spans = [...errors, ...style];
        expect(result.quoted + result.overLimit).toBe(spans.length);
        if (markedLength(label) <= limit) expect(result.overLimit).toBe(0);
        else expect(result.overLimit).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });

  it("quotes 1,000 spans over a long response only up to the limit", () => {
    const responses = [{ id: "r0", text: "word ".repeat(10_000) }];
    const label = { errors: Array.from({ length: 1_000 }, () => span("r0", 0, 50_000)) };
    const result = quoteLabelSpans(template, label, responses, { widen: true });
    expect(result).toMatchObject({ quoted: 4, overLimit: 996, unquoted: 0 });
    expect(quotedLength(result.label)).toBe(200_000);
    expect((result.label.errors as SpanAnnotation[])[4]).toEqual(span("r0", 0, 50_000));
  });
});
