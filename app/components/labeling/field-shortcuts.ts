import type { TemplateField } from "~/domain/template.ts";
import { preferenceValueFor, type FieldOf } from "./fields.tsx";
import { numberValue, stringListValue, type DraftLabel } from "./label-draft.ts";

/**
 * How long a typed number stays open for another digit. Only numbers that could still grow wait
 * (1 among twelve options, 1 on a 1–10 scale); any other number is taken at once.
 */
export const NUMBER_ENTRY_PAUSE_MS = 1_000;

/** What a typed number chooses from: a rating's values, or a list by position from 1. */
export type NumberTarget =
  | { kind: "rating"; field: FieldOf<"rating"> }
  | { kind: "choice"; field: FieldOf<"choice"> }
  | { kind: "category"; field: FieldOf<"spans"> }
  | { kind: "severity"; field: FieldOf<"spans"> };

/** What a typed number asks for: a value for a field, a span category or a span severity. */
export type NumberedShortcut =
  | { kind: "value"; fieldId: string; value: number | string | string[]; advance: boolean }
  | { kind: "category"; category: string }
  | { kind: "severity"; severity: string };

const numberedAction = /^(rating|choice|category)([0-9])$/;

/** The digit a numbered action types ("rating4" → "4"), or null for any other action. */
export function digitOfAction(action: string): string | null {
  return numberedAction.exec(action)?.[2] ?? null;
}

/** The smallest and largest number a target accepts. */
export function numberRange(target: NumberTarget): { min: number; max: number } {
  switch (target.kind) {
    case "rating":
      return { min: target.field.min, max: target.field.max };
    case "choice":
      return { min: 1, max: target.field.options.length };
    case "category":
      return { min: 1, max: target.field.categories.length };
    case "severity":
      return { min: 1, max: target.field.severities.length };
  }
}

/** Where a typed number stands after one more digit. */
export type NumberEntryStep =
  /** Taken at once: no longer number in range starts with these digits. */
  | { kind: "complete"; number: number }
  /** Waits for another digit; `number` is what the pause takes, or null when nothing yet. */
  | { kind: "pending"; typed: string; number: number | null }
  /** Names nothing in range, even as a fresh start. */
  | { kind: "none" };

/** Whether some number in [min, max] is written as `typed` followed by at least one digit. */
function canGrow(typed: string, range: { min: number; max: number }): boolean {
  if (typed.startsWith("0")) return false;
  let low = Number(typed) * 10;
  let high = low + 9;
  while (low <= range.max) {
    if (high >= range.min) return true;
    low *= 10;
    high = high * 10 + 9;
  }
  return false;
}

/**
 * Adds a digit to the number being typed (`typed`, empty for a fresh one). Digits that cannot
 * continue it start a new number, so a mistyped digit costs one key and never a pause.
 * Negative values are not typed: the arrows reach them.
 */
export function typeDigit(
  typed: string,
  digit: string,
  range: { min: number; max: number },
): NumberEntryStep {
  const attempt = (text: string): NumberEntryStep | null => {
    const number = Number(text);
    const valid =
      (text === "0" || !text.startsWith("0")) && number >= range.min && number <= range.max;
    if (canGrow(text, range))
      return { kind: "pending", typed: text, number: valid ? number : null };
    return valid ? { kind: "complete", number } : null;
  };
  return (typed ? attempt(typed + digit) : null) ?? attempt(digit) ?? { kind: "none" };
}

/**
 * What a typed number chooses: the rating's value itself, the n-th option of a choice (toggled in
 * a multiple choice, which stays focused for more), the n-th span category or severity.
 */
export function chooseNumber(
  target: NumberTarget,
  number: number,
  label: DraftLabel,
): NumberedShortcut | null {
  const { min, max } = numberRange(target);
  if (!Number.isInteger(number) || number < min || number > max) return null;
  switch (target.kind) {
    case "rating":
      return { kind: "value", fieldId: target.field.id, value: number, advance: true };
    case "choice": {
      const { field } = target;
      const option = field.options[number - 1];
      if (!field.multiple)
        return { kind: "value", fieldId: field.id, value: option, advance: true };
      const current = stringListValue(label, field.id) ?? [];
      const value = current.includes(option)
        ? current.filter((entry) => entry !== option)
        : [...current, option];
      return { kind: "value", fieldId: field.id, value, advance: false };
    }
    case "category":
      return { kind: "category", category: target.field.categories[number - 1] };
    case "severity":
      return { kind: "severity", severity: target.field.severities[number - 1] };
  }
}

/**
 * What a numbered action types into, given where focus is: the focused rating or choice, or,
 * from a response being read, the span categories (severities after the severity key).
 */
export function numberTargetOf(
  action: string,
  field: TemplateField | undefined,
  spansField: TemplateField | undefined,
  severityNext = false,
): NumberTarget | null {
  const kind = numberedAction.exec(action)?.[1];
  if (kind === "rating" && field?.type === "rating") return { kind: "rating", field };
  if (kind === "choice" && field?.type === "choice") return { kind: "choice", field };
  if (kind === "category" && spansField?.type === "spans") {
    return { kind: severityNext ? "severity" : "category", field: spansField };
  }
  return null;
}

/** A number being typed into one target, digit by digit, that may still grow. */
export interface NumberInProgress {
  target: NumberTarget;
  /** The digits typed so far. */
  typed: string;
  /** What a pause takes: null while the digits name nothing yet (1 on a 10–20 scale). */
  number: number | null;
}

/** A number to apply to its target. */
export interface TypedNumber {
  target: NumberTarget;
  number: number;
}

/** What one more digit does: to the number typed before it, and with itself. */
export interface DigitEffect {
  /**
   * The number typed before, taken as it stands because this digit does not continue it (it
   * starts a new number, or goes to another target); null when there is none to take.
   */
  flushed: TypedNumber | null;
  /** Taken now: no longer number in range starts with the digits. */
  complete: TypedNumber | null;
  /** Waits for another digit, or the pause; null when nothing waits. */
  pending: NumberInProgress | null;
}

function sameTarget(a: NumberTarget, b: NumberTarget): boolean {
  return a.kind === b.kind && a.field.id === b.field.id;
}

/**
 * One digit typed for a target, given the number in progress (null when none): the rule of
 * `typeDigit`, with what happens to the number before. A digit that continues the number extends
 * it; any other digit leaves it standing (`flushed`) and starts afresh. Whoever types keeps the
 * `pending` number, takes it after `NUMBER_ENTRY_PAUSE_MS` (moving on, as a complete number
 * does) or when another key is pressed (staying put), and applies each number with
 * `chooseNumber`. When neither `complete` nor `pending` is set, nothing has the number typed.
 */
export function enterDigit(
  inProgress: NumberInProgress | null,
  target: NumberTarget,
  digit: string,
): DigitEffect {
  const continuing =
    inProgress !== null && sameTarget(inProgress.target, target) ? inProgress.typed : "";
  const step = typeDigit(continuing, digit, numberRange(target));
  const extended =
    continuing !== "" &&
    (step.kind === "pending"
      ? step.typed === continuing + digit
      : step.kind === "complete" && step.number === Number(continuing + digit));
  const flushed =
    inProgress !== null && !extended && inProgress.number !== null
      ? { target: inProgress.target, number: inProgress.number }
      : null;
  return {
    flushed,
    complete: step.kind === "complete" ? { target, number: step.number } : null,
    pending: step.kind === "pending" ? { target, typed: step.typed, number: step.number } : null,
  };
}

/** What a field shortcut changes: the field's value, the ranking cursor, and whether to move on. */
export interface FieldShortcutChange {
  fieldId: string;
  value?: number | string[];
  cursor?: number;
  advance: boolean;
}

/**
 * The effect of a shortcut on the focused rating (one point up or down, clamped), preference
 * (a side and a strength) or ranking (move the cursor, move the item under it, confirm), or null
 * when the action means nothing for that field. Shared by the labeling page and the room.
 */
export function resolveFieldShortcut(
  action: string,
  field: TemplateField | undefined,
  label: DraftLabel,
  responseIds: string[],
  rankCursor: number | undefined,
): FieldShortcutChange | null {
  if (field?.type === "rating" && (action === "ratingUp" || action === "ratingDown")) {
    const current = numberValue(label, field.id);
    const step = action === "ratingUp" ? 1 : -1;
    const next = current === undefined ? (step > 0 ? field.min : field.max) : current + step;
    return {
      fieldId: field.id,
      value: Math.min(field.max, Math.max(field.min, next)),
      advance: false,
    };
  }
  if (field?.type === "preference") {
    const value = preferenceValueFor(action, field.scale);
    return value === null ? null : { fieldId: field.id, value, advance: true };
  }
  if (field?.type !== "ranking") return null;
  const order = stringListValue(label, field.id) ?? responseIds;
  const cursor = Math.min(rankCursor ?? 0, order.length - 1);
  const clamp = (index: number) => Math.max(0, Math.min(order.length - 1, index));
  switch (action) {
    case "rankCursorUp":
    case "rankCursorDown":
      return {
        fieldId: field.id,
        cursor: clamp(cursor + (action === "rankCursorUp" ? -1 : 1)),
        advance: false,
      };
    case "rankConfirm":
      return { fieldId: field.id, value: order, advance: true };
    case "rankMoveUp":
    case "rankMoveDown": {
      const target = cursor + (action === "rankMoveUp" ? -1 : 1);
      if (target < 0 || target >= order.length) return null;
      const next = [...order];
      [next[cursor], next[target]] = [next[target], next[cursor]];
      return { fieldId: field.id, value: next, cursor: target, advance: false };
    }
    default:
      return null;
  }
}
