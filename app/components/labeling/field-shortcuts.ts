import type { TemplateField } from "~/domain/template.ts";
import { preferenceValueFor } from "./fields.tsx";
import { numberValue, stringListValue, type DraftLabel } from "./label-draft.ts";

/** What a numbered shortcut asks for: a value for the focused field, or a span category. */
export type NumberedShortcut =
  | { kind: "value"; fieldId: string; value: number | string | string[]; advance: boolean }
  | { kind: "category"; category: string };

const numberedAction = /^(rating|choice|category)([1-9])$/;

export function isNumberedAction(action: string): boolean {
  return numberedAction.test(action);
}

/**
 * The meaning of `rating3`, `choice2` or `category1` for the focused field (and the template's
 * spans field, for categories), or null when it does not apply there: the n-th point of a
 * rating, the n-th option of a choice (toggled in a multiple choice), the n-th span category.
 * Shared by the labeling page and the adjudication room, so a key means the same on both.
 */
export function resolveNumberedShortcut(
  action: string,
  field: TemplateField | undefined,
  spansField: TemplateField | undefined,
  label: DraftLabel,
): NumberedShortcut | null {
  const match = numberedAction.exec(action);
  if (!match) return null;
  const position = Number(match[2]);
  if (match[1] === "rating" && field?.type === "rating") {
    const value = field.min + position - 1;
    return value <= field.max ? { kind: "value", fieldId: field.id, value, advance: true } : null;
  }
  if (match[1] === "choice" && field?.type === "choice") {
    const option = field.options[position - 1];
    if (option === undefined) return null;
    if (!field.multiple) return { kind: "value", fieldId: field.id, value: option, advance: true };
    const current = stringListValue(label, field.id) ?? [];
    const value = current.includes(option)
      ? current.filter((entry) => entry !== option)
      : [...current, option];
    return { kind: "value", fieldId: field.id, value, advance: false };
  }
  if (match[1] === "category" && spansField?.type === "spans") {
    const category = spansField.categories[position - 1];
    return category === undefined ? null : { kind: "category", category };
  }
  return null;
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
