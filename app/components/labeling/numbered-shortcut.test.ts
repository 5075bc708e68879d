import { describe, expect, it } from "vitest";
import { templateSchema } from "~/domain/template.ts";
import { resolveNumberedShortcut } from "./numbered-shortcut.ts";

const [rating, single, multiple, spans] = templateSchema.parse({
  fields: [
    { id: "accuracy", type: "rating", label: "Accuracy", min: 0, max: 3 },
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
    { id: "flags", type: "choice", label: "Flags", options: ["a", "b", "c"], multiple: true },
    { id: "errors", type: "spans", label: "Errors", categories: ["dosage", "interaction"] },
  ],
}).fields;

describe("resolveNumberedShortcut", () => {
  it("picks the n-th point of a rating from its minimum, within its range", () => {
    expect(resolveNumberedShortcut("rating1", rating, spans, {})).toEqual({
      kind: "value",
      fieldId: "accuracy",
      value: 0,
      advance: true,
    });
    expect(resolveNumberedShortcut("rating4", rating, spans, {})).toMatchObject({ value: 3 });
    expect(resolveNumberedShortcut("rating5", rating, spans, {})).toBeNull();
  });

  it("picks an option, and toggles it in a multiple choice without moving on", () => {
    expect(resolveNumberedShortcut("choice2", single, spans, {})).toMatchObject({
      value: "unsafe",
      advance: true,
    });
    expect(resolveNumberedShortcut("choice2", multiple, spans, { flags: ["a", "b"] })).toEqual({
      kind: "value",
      fieldId: "flags",
      value: ["a"],
      advance: false,
    });
    expect(resolveNumberedShortcut("choice3", multiple, spans, { flags: ["a"] })).toMatchObject({
      value: ["a", "c"],
    });
    expect(resolveNumberedShortcut("choice3", single, spans, {})).toBeNull();
  });

  it("names the n-th span category, and ignores actions for another kind of field", () => {
    expect(resolveNumberedShortcut("category2", undefined, spans, {})).toEqual({
      kind: "category",
      category: "interaction",
    });
    expect(resolveNumberedShortcut("rating1", single, spans, {})).toBeNull();
    expect(resolveNumberedShortcut("submit", rating, spans, {})).toBeNull();
  });
});
