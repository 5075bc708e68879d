import { findInvalidText, formatTextPath } from "~/domain/clean-text.ts";
import { AppError } from "../../../server/errors.ts";
import type { FormErrors } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

interface DetailError {
  field: string;
  message: string;
}

function isDetailList(details: unknown): details is DetailError[] {
  return (
    Array.isArray(details) &&
    details.every(
      (detail) =>
        typeof detail === "object" &&
        detail !== null &&
        typeof (detail as DetailError).field === "string" &&
        typeof (detail as DetailError).message === "string",
    )
  );
}

/**
 * The form field a detail's path belongs to: the longest prefix of the path (whole segments)
 * that `fieldNames` names, else its first segment; with what is left of the path.
 */
function fieldOfPath(path: string, fieldNames: Record<string, string>) {
  const segments = path.split(".");
  for (let length = segments.length; length > 0; length--) {
    const fieldName = fieldNames[segments.slice(0, length).join(".")];
    if (fieldName !== undefined) return { fieldName, rest: segments.slice(length) };
  }
  return { fieldName: segments[0], rest: segments.slice(1) };
}

/**
 * Brings a service's validation or request error back to the form that sent it: each detail
 * goes to the form field its path starts with (the rest of the path prefixes the message, so
 * "template.fields.2.max" reads "fields.2.max: min must be below max"), or to the one
 * `fieldNames` gives a path prefix ("settings.juniorReview.firstN" → "juniorReviewFirstN"), with
 * "(root)" for the form as a whole. Other errors go to the error page as usual.
 */
export function appErrorToFormErrors(
  error: unknown,
  fieldNames: Record<string, string> = {},
): FormErrors {
  if (
    !(error instanceof AppError) ||
    !["validation_failed", "bad_request", "conflict"].includes(error.code)
  ) {
    throwAsRouteError(error);
  }
  const errors: FormErrors = { formErrors: [], fieldErrors: {} };
  if (!isDetailList(error.details) || error.details.length === 0) {
    errors.formErrors.push(error.message);
    return errors;
  }
  for (const detail of error.details) {
    const { fieldName, rest } = fieldOfPath(detail.field, fieldNames);
    const message = rest.length > 0 ? `${rest.join(".")}: ${detail.message}` : detail.message;
    if (fieldName === "(root)") errors.formErrors.push(message);
    else (errors.fieldErrors[fieldName] ??= []).push(message);
  }
  return errors;
}

/**
 * Parses a JSON form field, nothing more: a syntax error becomes that field's error. For a
 * value whose own check names every problem in words, clean text included (a template).
 */
export function parseJsonSyntax(text: string, fieldName: string, errors: FormErrors): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    (errors.fieldErrors[fieldName] ??= []).push(
      `This is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  }
}

/**
 * Parses a JSON textarea; a syntax error becomes that field's error, and so does each string
 * in the JSON (a `\u0000` escape, say) that breaks the clean-text rule, by its path.
 */
export function parseJsonField(text: string, fieldName: string, errors: FormErrors): unknown {
  const parsed = parseJsonSyntax(text, fieldName, errors);
  if (parsed === undefined) return undefined;
  const invalidText = findInvalidText(parsed);
  for (const problem of invalidText) {
    (errors.fieldErrors[fieldName] ??= []).push(
      `${formatTextPath(problem.path)}: ${problem.message}`,
    );
  }
  return invalidText.length > 0 ? undefined : parsed;
}
