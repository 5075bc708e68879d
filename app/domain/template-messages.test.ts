import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { presets } from "./presets.ts";
import { checkTemplate } from "./template-messages.ts";

const messagesOf = (input: unknown) => checkTemplate(input).problems.map((p) => p.message);

describe("template problems in words", () => {
  test("a reversed scale names the field by position and label", () => {
    const input = {
      fields: [
        { id: "overall", type: "preference", label: "Overall", scale: 2 },
        { id: "accuracy", type: "rating", label: "Accuracy", min: 5, max: 1 },
      ],
    };
    expect(messagesOf(input)).toEqual([
      "Field 2 (Accuracy): the scale's maximum must be above its minimum.",
    ]);
    expect(checkTemplate(input).problems[0]).toMatchObject({ fieldIndex: 1, property: "max" });
  });

  test.each([
    [{ id: "x", type: "rating", label: "", min: 1, max: 5 }, "Field 1: give it a label."],
    [{ type: "text", label: "Critique" }, "Field 1 (Critique): give it an id."],
    [
      { id: "Bad Id", type: "text", label: "Critique" },
      "Field 1 (Critique): its id must start with a lowercase letter and use only lowercase letters, digits, - and _ (at most 63 characters).",
    ],
    [
      { id: "x", type: "scale", label: "Tone" },
      "Field 1 (Tone): choose its type: rating, preference, ranking, choice, spans, text or rewrite.",
    ],
    [
      { id: "x", type: "rating", label: "Tone", min: 1.5, max: 5 },
      "Field 1 (Tone): the scale's minimum must be a whole number.",
    ],
    [
      { id: "x", type: "rating", label: "Tone", min: 1 },
      "Field 1 (Tone): give the scale a maximum.",
    ],
    [
      { id: "x", type: "preference", label: "Which", scale: 3 },
      "Field 1 (Which): the preference scale must be 1 (A, tie, B) or 2 (adds “slightly” and “clearly”).",
    ],
    [
      { id: "x", type: "choice", label: "Verdict", options: [] },
      "Field 1 (Verdict): list at least one option.",
    ],
    [
      { id: "x", type: "choice", label: "Verdict", options: ["yes", "yes"] },
      "Field 1 (Verdict): its options must be different from one another.",
    ],
    [
      { id: "x", type: "spans", label: "Errors", categories: ["a", " "] },
      "Field 1 (Errors): category 2 is empty.",
    ],
    [
      { id: "x", type: "spans", label: "Errors", categories: ["a"], severities: [] },
      "Field 1 (Errors): list at least one severity.",
    ],
    [
      { id: "x", type: "text", label: "Critique", required: "yes" },
      "Field 1 (Critique): “required” must be yes or no.",
    ],
  ])("%j reads %j", (field, message) => {
    expect(messagesOf({ fields: [field] })).toContain(message);
  });

  test("a duplicate id names the field that used it first, even beside other problems", () => {
    const messages = messagesOf({
      fields: [
        { id: "score", type: "rating", label: "Score", min: 1, max: 5 },
        { id: "score", type: "text", label: "Notes" },
        { id: "x", type: "rating", label: "Broken", min: 3, max: 3 },
      ],
    });
    expect(messages).toContain("Field 2 (Notes): its id “score” is already used by field 1.");
    expect(messages).toContain("Field 3 (Broken): the scale's maximum must be above its minimum.");
  });

  test("the template as a whole", () => {
    expect(messagesOf({ fields: [] })).toEqual(["Add at least one field."]);
    expect(messagesOf(null)).toEqual([
      "A template is a list of fields, each with an id, a type and a label.",
    ]);
    expect(messagesOf({ fields: [null] })).toEqual([
      "Field 1: a field needs an id, a type and a label.",
    ]);
  });

  test("text that cannot be stored is said of the property that holds it", () => {
    const rule =
      "text may contain no control characters other than tab, line feed and carriage return";
    const check = checkTemplate({
      fields: [
        { id: "tone", type: "rating", label: "To\u0000ne", min: 1, max: 5 },
        {
          id: "verdict",
          type: "choice",
          label: "Verdict",
          options: ["yes", "n\u0001o"],
          description: "\ud800 help",
        },
      ],
      "not\u001fe": "kept apart",
    });
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      {
        fieldIndex: 0,
        property: "label",
        message: `Field 1 (To\\u0000ne): its label contains the control character U+0000 at index 2; ${rule}.`,
      },
      {
        fieldIndex: 1,
        property: "options",
        message: `Field 2 (Verdict): option 2 contains the control character U+0001 at index 1; ${rule}.`,
      },
      {
        fieldIndex: 1,
        property: "description",
        message:
          "Field 2 (Verdict): its help text contains an unpaired surrogate U+D800 at index 0; text must be valid Unicode.",
      },
      {
        fieldIndex: null,
        property: null,
        message: `A key in the template contains the control character U+001F at index 3; ${rule}.`,
      },
    ]);
  });

  test("every preset passes", () => {
    for (const preset of presets) expect(checkTemplate(preset.template).ok).toBe(true);
  });

  test("whatever the input, problems are sentences about a field or the template, never zod's words or paths", () => {
    const fieldLike = fc.record(
      {
        id: fc.oneof(fc.constantFrom("a", "b", "Bad Id", ""), fc.string(), fc.integer()),
        type: fc.oneof(
          fc.constantFrom("rating", "preference", "ranking", "choice", "spans", "text", "rewrite"),
          fc.string(),
        ),
        label: fc.oneof(fc.string(), fc.constant(""), fc.integer()),
        description: fc.oneof(fc.string(), fc.integer()),
        required: fc.oneof(fc.boolean(), fc.string()),
        min: fc.oneof(fc.integer({ min: -5, max: 10 }), fc.double(), fc.string()),
        max: fc.oneof(fc.integer({ min: -5, max: 10 }), fc.double(), fc.string()),
        level: fc.oneof(fc.constantFrom("ordinal", "interval"), fc.string()),
        scale: fc.oneof(fc.constantFrom(1, 2), fc.integer()),
        options: fc.oneof(fc.array(fc.string(), { maxLength: 4 }), fc.string()),
        multiple: fc.oneof(fc.boolean(), fc.string()),
        categories: fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 4 }),
        severities: fc.array(fc.string(), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    const templateLike = fc.oneof(
      fc.record({ fields: fc.array(fc.oneof(fieldLike, fc.anything()), { maxLength: 6 }) }),
      fc.anything(),
    );
    fc.assert(
      fc.property(templateLike, (input) => {
        const check = checkTemplate(input);
        for (const problem of check.problems) {
          expect(problem.message).toMatch(/^(Field \d+( \(.*\))?: .+|[A-Z].+)\.$/s);
          expect(problem.message).not.toMatch(/Invalid input|expected|fields\.\d|Too small/);
          if (problem.fieldIndex !== null) {
            expect(problem.message.startsWith(`Field ${problem.fieldIndex + 1}`)).toBe(true);
          }
        }
        // A template is accepted exactly when the schema accepts it with unique ids and text
        // that can be stored.
        expect(check.ok).toBe(check.problems.length === 0);
      }),
      { numRuns: 500 },
    );
  });
});
