import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { templateSchema } from "~/domain/template.ts";
import {
  chooseNumber,
  digitOfAction,
  numberRange,
  numberTargetOf,
  resolveFieldShortcut,
  resolveNumberedShortcut,
  typeDigit,
} from "./field-shortcuts.ts";
import type { FieldOf } from "./fields.tsx";

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

/** Types a number digit by digit and returns what it chooses once complete or after the pause. */
function typeNumber(text: string, range: { min: number; max: number }): number | null {
  let typed = "";
  let chosen: number | null = null;
  for (const digit of text) {
    const step = typeDigit(typed, digit, range);
    if (step.kind === "none") return null;
    typed = step.kind === "pending" ? step.typed : "";
    chosen = step.number;
  }
  return chosen;
}

const ratingOf = (min: number, max: number): FieldOf<"rating"> => ({
  id: "score",
  type: "rating",
  label: "Score",
  min,
  max,
  level: "ordinal",
  required: false,
});

const rating0to4 = ratingOf(0, 4);

const twelveOptions = templateSchema.parse({
  fields: [
    {
      id: "topic",
      type: "choice",
      label: "Topic",
      options: Array.from({ length: 12 }, (_, index) => `topic ${index + 1}`),
    },
  ],
}).fields[0] as FieldOf<"choice">;

describe("numbers typed into a rating", () => {
  it("on a 0–4 scale takes each digit at once as the value it shows", () => {
    const range = numberRange({ kind: "rating", field: ratingOf(0, 4) });
    expect(typeDigit("", "0", range)).toEqual({ kind: "complete", number: 0 });
    expect(typeDigit("", "4", range)).toEqual({ kind: "complete", number: 4 });
    expect(typeDigit("", "5", range)).toEqual({ kind: "none" });
    expect(resolveNumberedShortcut("rating4", rating0to4, spans, {})).toEqual({
      kind: "value",
      fieldId: "score",
      value: 4,
      advance: true,
    });
    expect(resolveNumberedShortcut("rating0", rating0to4, spans, {})).toMatchObject({ value: 0 });
  });

  it("on a 1–5 scale has no value for 0 or 6", () => {
    const range = { min: 1, max: 5 };
    expect(typeDigit("", "1", range)).toEqual({ kind: "complete", number: 1 });
    expect(typeDigit("", "5", range)).toEqual({ kind: "complete", number: 5 });
    expect(typeDigit("", "0", range)).toEqual({ kind: "none" });
    expect(typeDigit("", "6", range)).toEqual({ kind: "none" });
  });

  it("on a 1–10 scale waits after 1 for a 0, and takes 2–9 at once", () => {
    const range = { min: 1, max: 10 };
    expect(typeDigit("", "1", range)).toEqual({ kind: "pending", typed: "1", number: 1 });
    expect(typeDigit("1", "0", range)).toEqual({ kind: "complete", number: 10 });
    expect(typeDigit("", "7", range)).toEqual({ kind: "complete", number: 7 });
    // 1 then 7 is no value: the 7 starts afresh.
    expect(typeDigit("1", "7", range)).toEqual({ kind: "complete", number: 7 });
    expect(typeNumber("1", range)).toBe(1);
  });

  it("on a 0–100 scale takes up to three digits, and 0 at once", () => {
    const range = { min: 0, max: 100 };
    expect(typeNumber("75", range)).toBe(75);
    expect(typeDigit("7", "5", range)).toEqual({ kind: "complete", number: 75 });
    expect(typeDigit("1", "0", range)).toEqual({ kind: "pending", typed: "10", number: 10 });
    expect(typeDigit("10", "0", range)).toEqual({ kind: "complete", number: 100 });
    expect(typeDigit("", "0", range)).toEqual({ kind: "complete", number: 0 });
    expect(typeNumber("5", range)).toBe(5);
  });

  it("on a scale that starts past 9 waits for the second digit and has nothing before it", () => {
    expect(typeDigit("", "1", { min: 10, max: 20 })).toEqual({
      kind: "pending",
      typed: "1",
      number: null,
    });
    expect(typeNumber("15", { min: 10, max: 20 })).toBe(15);
    expect(typeDigit("", "3", { min: 10, max: 20 })).toEqual({ kind: "none" });
  });

  it("on a scale of single digits, every digit is the value it shows (any such scale)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), (a, b) => {
        fc.pre(a !== b);
        const field = ratingOf(Math.min(a, b), Math.max(a, b));
        for (let digit = 0; digit <= 9; digit++) {
          const outcome = resolveNumberedShortcut(`rating${digit}`, field, undefined, {});
          if (digit >= field.min && digit <= field.max) {
            expect(outcome).toEqual({
              kind: "value",
              fieldId: "score",
              value: digit,
              advance: true,
            });
          } else {
            expect(outcome).toBeNull();
          }
        }
      }),
    );
  });

  it("typing a value's digits chooses that value, on any scale from 0 up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 500 }),
        fc.nat(),
        (min, span, pick) => {
          const range = { min, max: min + span };
          const value = min + (pick % (span + 1));
          expect(typeNumber(String(value), range)).toBe(value);
        },
      ),
    );
  });
});

describe("numbers typed into a choice", () => {
  it("with twelve options: 2–9 at once, 1 waits, 1 then 2 is the twelfth", () => {
    const target = { kind: "choice", field: twelveOptions } as const;
    const range = numberRange(target);
    expect(typeDigit("", "9", range)).toEqual({ kind: "complete", number: 9 });
    expect(typeDigit("", "1", range)).toEqual({ kind: "pending", typed: "1", number: 1 });
    expect(typeDigit("1", "2", range)).toEqual({ kind: "complete", number: 12 });
    expect(typeDigit("1", "0", range)).toEqual({ kind: "complete", number: 10 });
    expect(typeDigit("", "0", range)).toEqual({ kind: "none" });
    expect(chooseNumber(target, 12, {})).toEqual({
      kind: "value",
      fieldId: "topic",
      value: "topic 12",
      advance: true,
    });
    expect(chooseNumber(target, 13, {})).toBeNull();
  });

  it("picks an option by its number, and toggles it in a multiple choice without moving on", () => {
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
    expect(resolveNumberedShortcut("choice0", single, spans, {})).toBeNull();
  });
});

describe("numbers typed while reading a response", () => {
  it("name a span category, or after the severity key a severity", () => {
    expect(resolveNumberedShortcut("category2", undefined, spans, {})).toEqual({
      kind: "category",
      category: "interaction",
    });
    const severity = numberTargetOf("category3", undefined, spans, true);
    expect(severity).toEqual({ kind: "severity", field: spans });
    expect(chooseNumber(severity!, 3, {})).toEqual({ kind: "severity", severity: "critical" });
    expect(chooseNumber(severity!, 4, {})).toBeNull();
    expect(numberTargetOf("category1", undefined, undefined, true)).toBeNull();
  });

  it("do nothing for another kind of field, nor for other actions", () => {
    expect(resolveNumberedShortcut("rating1", single, spans, {})).toBeNull();
    expect(resolveNumberedShortcut("choice1", rating, spans, {})).toBeNull();
    expect(resolveNumberedShortcut("submit", rating, spans, {})).toBeNull();
    expect(digitOfAction("preferTie")).toBeNull();
    expect(digitOfAction("rating0")).toBe("0");
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
