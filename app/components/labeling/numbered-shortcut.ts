import type { TemplateField } from "~/domain/template.ts";
import { stringListValue, type DraftLabel } from "./label-draft.ts";

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
