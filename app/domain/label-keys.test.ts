import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  fieldIds,
  insertion,
  pathsOf,
  poisoned,
  responses,
  template as templateInput,
  validLabel,
} from "../../tests/setup/reserved-keys.ts";
import { validateFinalLabel } from "./final-label.ts";
import { labelMap, labelToJson } from "./room.ts";
import { labelInputSchema, labelSchemaFor, reservedKeyIssues, templateSchema } from "./template.ts";

/**
 * Keys that name JavaScript's object machinery (`__proto__`, `constructor`, `prototype`) are
 * refused by name wherever they sit in a label, and a label without them passes unchanged.
 */

const template = templateSchema.parse(templateInput);

describe("reserved keys in a label", () => {
  const schema = labelSchemaFor(template, responses);

  it("leave a label without them accepted unchanged", () => {
    fc.assert(
      fc.property(validLabel, (label) => {
        const wire = JSON.parse(JSON.stringify(label)) as unknown;
        expect(reservedKeyIssues(wire, fieldIds)).toEqual([]);
        const parsed = schema.safeParse(wire);
        expect(parsed.error?.issues).toBeUndefined();
        expect(parsed.data).toEqual(label);
      }),
      { numRuns: 300 },
    );
  });

  it("are refused at any depth, each named by its path, and nothing else is said", () => {
    fc.assert(
      fc.property(
        validLabel,
        fc.array(insertion, { minLength: 1, maxLength: 5 }),
        (label, insertions) => {
          const { wire, expected } = poisoned(label, insertions);
          expect(pathsOf(reservedKeyIssues(wire, fieldIds))).toEqual(expected);
          const parsed = schema.safeParse(wire);
          expect(parsed.success).toBe(false);
          expect(pathsOf(parsed.error!.issues)).toEqual(expected);
          for (const issue of parsed.error!.issues) {
            expect(issue.message).toMatch(
              /^"(__proto__|constructor|prototype)" is not accepted as a key in a label$/,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reach the template check from a request's body, which keeps the object as parsed", () => {
    const body = JSON.parse('{"preference": 1, "accuracy": 2, "__proto__": {"accuracy": 5}}');
    const kept = labelInputSchema().parse(body);
    expect(kept).toBe(body);
    expect(Object.keys(kept)).toEqual(["preference", "accuracy", "__proto__"]);
    expect(schema.safeParse(kept).error?.issues).toEqual([
      expect.objectContaining({ path: ["__proto__"] }),
    ]);
    expect(labelInputSchema().safeParse([1]).success).toBe(false);
  });

  it("are refused when a room's draft holds one, instead of being lost on the way out", () => {
    const doc = new Y.Doc();
    labelMap(doc).set("preference", 1);
    labelMap(doc).set("accuracy", 3);
    labelMap(doc).set("__proto__", 2);
    const label = labelToJson(doc);
    expect(Object.keys(label)).toEqual(expect.arrayContaining(["__proto__"]));
    const check = validateFinalLabel(template, responses, label);
    expect(check.valid).toBe(false);
    expect(check.valid ? [] : check.issues.map((issue) => issue.path)).toEqual([["__proto__"]]);
  });

  it("cost a deep value its size, not its depth squared", () => {
    let deep: unknown = JSON.parse('{"__proto__": 1}');
    for (let level = 0; level < 100_000; level++) deep = [deep];
    const started = performance.now();
    const issues = reservedKeyIssues({ critique: deep }, fieldIds);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toHaveLength(100_002);
  });
});
