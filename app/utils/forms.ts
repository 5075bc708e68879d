import { z } from "zod";
import { describeInvalidCharacter, findInvalidCharacter } from "~/domain/clean-text.ts";

/** What a form action sends back to the form: messages per field and for the form as a whole. */
export interface FormErrors {
  formErrors: string[];
  fieldErrors: Partial<Record<string, string[]>>;
}

export type FormParseResult<Output> =
  { success: true; data: Output } | { success: false; errors: FormErrors };

/**
 * The clean-text rule (app/domain/clean-text.ts) for every text entry of a form, by the name of
 * its input; null when all are clean. Every form action checks this before anything else.
 */
export function formTextErrors(formData: FormData): FormErrors | null {
  const errors: FormErrors = { formErrors: [], fieldErrors: {} };
  for (const [key, value] of formData) {
    const invalidKey = findInvalidCharacter(key);
    if (invalidKey) {
      errors.formErrors.push(`A field name ${describeInvalidCharacter(invalidKey)}`);
      continue;
    }
    const invalid = typeof value === "string" ? findInvalidCharacter(value) : null;
    if (invalid) (errors.fieldErrors[key] ??= []).push(`This ${describeInvalidCharacter(invalid)}`);
  }
  const found = errors.formErrors.length > 0 || Object.keys(errors.fieldErrors).length > 0;
  return found ? errors : null;
}

export function parseFormData<Schema extends z.ZodType>(
  schema: Schema,
  formData: FormData,
): FormParseResult<z.output<Schema>> {
  const textErrors = formTextErrors(formData);
  if (textErrors) return { success: false, errors: textErrors };
  const values: Record<string, FormDataEntryValue> = {};
  for (const [key, value] of formData) values[key] = value;
  const parsed = schema.safeParse(values);
  if (parsed.success) return { success: true, data: parsed.data };
  const flattened = z.flattenError(parsed.error);
  return {
    success: false,
    errors: { formErrors: flattened.formErrors, fieldErrors: flattened.fieldErrors },
  };
}

export function formError(message: string): FormErrors {
  return { formErrors: [message], fieldErrors: {} };
}
