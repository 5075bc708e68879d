import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { templateSchema } from "~/domain/template.ts";
import type { TemplateField } from "~/domain/template.ts";
import {
  chooseNumber,
  digitOfAction,
  enterDigit,
  numberRange,
  numberTargetOf,
  resolveFieldShortcut,
  typeDigit,
  type NumberInProgress,
  type NumberTarget,
} from "./field-shortcuts.ts";
import type { FieldOf } from "./fields.tsx";
import type { DraftLabel } from "./label-draft.ts";

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

/**
 * The numbers a run of digits typed into one target takes, in order, as the labeling page and the
 * room take them (`enterDigit`): each number when complete or when the next digit does not
 * continue it, and the one still open after the pause.
 */
function numbersTaken(target: NumberTarget, digits: string): number[] {
  const taken: number[] = [];
  let inProgress: NumberInProgress | null = null;
  for (const digit of digits) {
    const effect = enterDigit(inProgress, target, digit);
    if (effect.flushed) taken.push(effect.flushed.number);
    if (effect.complete) taken.push(effect.complete.number);
    inProgress = effect.pending;
  }
  if (inProgress !== null && inProgress.number !== null) taken.push(inProgress.number);
  return taken;
}

/** What a numbered action does pressed once, then left to the pause. */
function pressedOnce(
  action: string,
  field: TemplateField | undefined,
  spansField: TemplateField | undefined,
  label: DraftLabel,
) {
  const digit = digitOfAction(action);
  const target = numberTargetOf(action, field, spansField);
  if (digit === null || target === null) return null;
  const [number] = numbersTaken(target, digit);
  return number === undefined ? null : chooseNumber(target, number, label);
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
    expect(pressedOnce("rating4", rating0to4, spans, {})).toEqual({
      kind: "value",
      fieldId: "score",
      value: 4,
      advance: true,
    });
    expect(pressedOnce("rating0", rating0to4, spans, {})).toMatchObject({ value: 0 });
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
          const outcome = pressedOnce(`rating${digit}`, field, undefined, {});
          // Taken at once, with nothing left waiting for a pause.
          const alone = enterDigit(null, { kind: "rating", field }, String(digit));
          expect(alone.pending).toBeNull();
          expect(alone.complete?.number ?? null).toBe(
            digit >= field.min && digit <= field.max ? digit : null,
          );
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
    expect(pressedOnce("choice2", single, spans, {})).toMatchObject({
      value: "unsafe",
      advance: true,
    });
    expect(pressedOnce("choice2", multiple, spans, { flags: ["a", "b"] })).toEqual({
      kind: "value",
      fieldId: "flags",
      value: ["a"],
      advance: false,
    });
    expect(pressedOnce("choice3", multiple, spans, { flags: ["a"] })).toMatchObject({
      value: ["a", "c"],
    });
    expect(pressedOnce("choice3", single, spans, {})).toBeNull();
    expect(pressedOnce("choice0", single, spans, {})).toBeNull();
  });
});

describe("numbers typed while reading a response", () => {
  it("name a span category, or after the severity key a severity", () => {
    expect(pressedOnce("category2", undefined, spans, {})).toEqual({
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
    expect(pressedOnce("rating1", single, spans, {})).toBeNull();
    expect(pressedOnce("choice1", rating, spans, {})).toBeNull();
    expect(pressedOnce("submit", rating, spans, {})).toBeNull();
    expect(digitOfAction("preferTie")).toBeNull();
    expect(digitOfAction("rating0")).toBe("0");
  });
});

describe("numbers typed digit by digit (enterDigit, shared by the labeling page and the room)", () => {
  const choiceTarget = { kind: "choice", field: twelveOptions } as const;
  const ratingTarget = (min: number, max: number) =>
    ({ kind: "rating", field: ratingOf(min, max) }) as const;

  it("takes two-digit numbers as one, and a digit that cannot continue as a new number", () => {
    expect(numbersTaken(choiceTarget, "12")).toEqual([12]);
    expect(numbersTaken(choiceTarget, "1")).toEqual([1]);
    expect(numbersTaken(choiceTarget, "17")).toEqual([1, 7]);
    expect(numbersTaken(choiceTarget, "0")).toEqual([]);
    expect(numbersTaken(ratingTarget(0, 4), "40")).toEqual([4, 0]);
    expect(numbersTaken(ratingTarget(0, 100), "100")).toEqual([100]);
    expect(numbersTaken(ratingTarget(0, 100), "75")).toEqual([75]);
    expect(numbersTaken(ratingTarget(1, 10), "110")).toEqual([1, 10]);
  });

  it("leaves a number standing when the next digit goes to another target", () => {
    const started = enterDigit(null, choiceTarget, "1");
    expect(started).toEqual({
      flushed: null,
      complete: null,
      pending: { target: choiceTarget, typed: "1", number: 1 },
    });
    const rating = ratingTarget(0, 4);
    expect(enterDigit(started.pending, rating, "3")).toEqual({
      flushed: { target: choiceTarget, number: 1 },
      complete: { target: rating, number: 3 },
      pending: null,
    });
    // A number that names nothing yet is dropped, not taken.
    const teens = ratingTarget(10, 20);
    const open = enterDigit(null, teens, "1").pending;
    expect(open).toEqual({ target: teens, typed: "1", number: null });
    expect(enterDigit(open, choiceTarget, "5").flushed).toBeNull();
  });

  it("types severities after the severity key as it types categories", () => {
    const severity = numberTargetOf("category3", undefined, spans, true)!;
    expect(numbersTaken(severity, "3")).toEqual([3]);
    expect(numbersTaken(severity, "4")).toEqual([]);
  });

  it("takes exactly the value whose digits are typed, on any scale from 0 up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 500 }),
        fc.nat(),
        (min, span, pick) => {
          const value = min + (pick % (span + 1));
          expect(numbersTaken(ratingTarget(min, min + span), String(value))).toEqual([value]);
        },
      ),
    );
  });

  it("takes only numbers in range, at most one per digit, whatever is typed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength: 12 }),
        (min, span, digits) => {
          const taken = numbersTaken(ratingTarget(min, min + span), digits);
          expect(taken.length).toBeLessThanOrEqual(digits.length);
          for (const number of taken) {
            expect(number).toBeGreaterThanOrEqual(min);
            expect(number).toBeLessThanOrEqual(min + span);
          }
        },
      ),
    );
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
