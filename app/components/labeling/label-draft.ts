import {
  ownEntry,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "~/domain/template.ts";

/** A label being written: any subset of the fields, not yet checked against the template. */
export type DraftLabel = Record<string, unknown>;

export function numberValue(label: DraftLabel, fieldId: string): number | undefined {
  const value = ownEntry(label, fieldId);
  return typeof value === "number" ? value : undefined;
}

export function stringValue(label: DraftLabel, fieldId: string): string | undefined {
  const value = ownEntry(label, fieldId);
  return typeof value === "string" ? value : undefined;
}

export function stringListValue(label: DraftLabel, fieldId: string): string[] | undefined {
  const value = ownEntry(label, fieldId);
  return Array.isArray(value) && value.every((entry) => typeof entry === "string")
    ? (value as string[])
    : undefined;
}

function isSpan(value: unknown): value is SpanAnnotation {
  if (typeof value !== "object" || value === null) return false;
  const span = value as Record<string, unknown>;
  return (
    typeof span.responseId === "string" &&
    typeof span.start === "number" &&
    typeof span.end === "number" &&
    typeof span.category === "string" &&
    typeof span.severity === "string"
  );
}

export function spansValue(label: DraftLabel, fieldId: string): SpanAnnotation[] {
  const value = ownEntry(label, fieldId);
  return Array.isArray(value) ? value.filter(isSpan) : [];
}

/** Whether a field holds an answer; what "required" asks for. */
export function hasAnswer(field: TemplateField, label: DraftLabel): boolean {
  const value = ownEntry(label, field.id);
  switch (field.type) {
    case "rating":
    case "preference":
      return typeof value === "number";
    case "ranking":
      return Array.isArray(value) && value.length > 0;
    case "choice":
      return field.multiple ? Array.isArray(value) && value.length > 0 : typeof value === "string";
    case "spans":
      return Array.isArray(value);
    case "text":
    case "rewrite":
      return typeof value === "string" && value.trim().length > 0;
  }
}

/** Required fields still empty, by field id, with the message shown next to each. */
export function missingAnswers(template: Template, label: DraftLabel): Map<string, string> {
  const missing = new Map<string, string>();
  for (const field of template.fields) {
    // A spans field may rightly stay empty; a rewrite starts from the original text.
    const prefilled = field.type === "spans" || field.type === "rewrite";
    if (field.required && !prefilled && !hasAnswer(field, label)) {
      missing.set(field.id, "This field is required.");
    }
  }
  return missing;
}

/**
 * What is sent on submit: the answers given, with a required spans field present even when no
 * error was found (an empty list is an answer: "nothing wrong") and an untouched required
 * rewrite sent as the original text it was prefilled with.
 */
export function labelForSubmission(
  template: Template,
  label: DraftLabel,
  rewriteOriginal: string,
): DraftLabel {
  const submitted: DraftLabel = {};
  for (const field of template.fields) {
    const value = ownEntry(label, field.id);
    if (field.type === "spans") {
      const spans = spansValue(label, field.id);
      if (spans.length > 0 || field.required) {
        submitted[field.id] = spans.map(({ responseId, start, end, category, severity, note }) => ({
          responseId,
          start,
          end,
          category,
          severity,
          ...(note?.trim() ? { note: note.trim() } : {}),
        }));
      }
    } else if (field.type === "rewrite") {
      const text = typeof value === "string" ? value : field.required ? rewriteOriginal : undefined;
      if (text !== undefined) submitted[field.id] = text;
    } else if (field.type === "text" && typeof value === "string") {
      if (value.trim().length > 0) submitted[field.id] = value;
    } else if (value !== undefined) {
      submitted[field.id] = value;
    }
  }
  return submitted;
}

/** The field an error from the server belongs to ("errors.0.end" → "errors"), if any. */
export function fieldOfError(template: Template, path: string): string | null {
  const first = path.split(".")[0];
  return template.fields.some((field) => field.id === first) ? first : null;
}

/** Zod's wording for an absent value means, to an annotator, that the field is required. */
export function readableError(message: string): string {
  return /received undefined/.test(message) ? "This field is required." : message;
}
