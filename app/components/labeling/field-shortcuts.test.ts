import { describe, expect, it } from "vitest";
import { templateSchema } from "~/domain/template.ts";
import { resolveFieldShortcut, resolveNumberedShortcut } from "./field-shortcuts.ts";

const [rating, single, multiple, spans, preference, ranking] = templateSchema.parse({
  fields: [
    { id: "accuracy", type: "rating", label: "Accuracy", min: 0, max: 3 },
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
    { id: "flags", type: "choice", label: "Flags", options: ["a", "b", "c"], multiple: true },
    { id: "errors", type: "spans", label: "Errors", categories: ["dosage", "interaction"] },
    { id: "preference", type: "preference", label: "Preference", scale: 2 },
    { id: "order", type: "ranking", label: "Order" },
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

describe("resolveFieldShortcut", () => {
  it("steps a rating, starting from the end of the scale it moves away from, within range", () => {
    expect(resolveFieldShortcut("ratingUp", rating, {}, [], undefined)).toEqual({
      fieldId: "accuracy",
      value: 0,
      advance: false,
    });
    expect(resolveFieldShortcut("ratingDown", rating, {}, [], undefined)).toMatchObject({
      value: 3,
    });
    expect(resolveFieldShortcut("ratingUp", rating, { accuracy: 3 }, [], undefined)).toMatchObject({
      value: 3,
    });
  });

  it("sets a preference by side and strength and moves on", () => {
    expect(resolveFieldShortcut("preferFirstClearly", preference, {}, [], undefined)).toEqual({
      fieldId: "preference",
      value: -2,
      advance: true,
    });
    expect(resolveFieldShortcut("ratingUp", preference, {}, [], undefined)).toBeNull();
  });

  it("moves the ranking cursor, moves the item under it, and confirms the order", () => {
    const ids = ["a", "b", "c"];
    expect(resolveFieldShortcut("rankCursorDown", ranking, {}, ids, 2)).toMatchObject({
      cursor: 2,
    });
    expect(resolveFieldShortcut("rankMoveUp", ranking, {}, ids, 1)).toEqual({
      fieldId: "order",
      value: ["b", "a", "c"],
      cursor: 0,
      advance: false,
    });
    expect(resolveFieldShortcut("rankMoveUp", ranking, {}, ids, 0)).toBeNull();
    expect(
      resolveFieldShortcut("rankConfirm", ranking, { order: ["c", "b", "a"] }, ids, 0),
    ).toEqual({
      fieldId: "order",
      value: ["c", "b", "a"],
      advance: true,
    });
  });
});
