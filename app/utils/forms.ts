import { z } from "zod";

/** What a form action sends back to the form: messages per field and for the form as a whole. */
export interface FormErrors {
  formErrors: string[];
  fieldErrors: Partial<Record<string, string[]>>;
}

export type FormParseResult<Output> =
  { success: true; data: Output } | { success: false; errors: FormErrors };

export function parseFormData<Schema extends z.ZodType>(
  schema: Schema,
  formData: FormData,
): FormParseResult<z.output<Schema>> {
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
