import type { AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { domainProblem, splitDomainEntries } from "~/domain/annotator-domains.ts";
import { formTextErrors, type FormParseResult } from "~/utils/forms.ts";

/**
 * Form fields of a person's profile, as the admin's user page and the members page send them.
 * The services check everything again; these give each field a message a person can act on.
 */
export const profileFormFields = {
  email: z
    .string({ error: "Enter an email address" })
    .trim()
    .min(1, "Enter an email address")
    .max(254, "This email address is too long")
    .pipe(z.email("Enter a valid email address")),
  name: z
    .string({ error: "Enter a name" })
    .trim()
    .min(1, "Enter a name")
    .max(200, "Keep the name under 200 characters"),
  level: z
    .enum(["", "junior", "expert"], { error: "Choose a level" })
    .default("")
    .transform((level) => (level === "" ? null : level)),
  domains: z
    .array(z.string())
    .default([])
    .transform(splitDomainEntries)
    .superRefine((domains, context) => {
      for (const domain of domains) {
        const problem = domainProblem(domain);
        if (problem) context.addIssue({ code: "custom", message: problem });
      }
    }),
  hourlyRate: z
    .string()
    .trim()
    .default("")
    .transform((rate, context) => {
      if (rate === "") return null;
      const value = Number(rate);
      if (!Number.isFinite(value) || value < 0 || value > 100_000) {
        context.addIssue({
          code: "custom",
          message: "Enter a rate per hour between 0 and 100000, such as 85 or 85.50",
        });
        return z.NEVER;
      }
      return value;
    }),
};

/**
 * Parses a form whose `domains` may come as several entries (a tag input sends one per tag).
 * The clean-text rule comes first, as for every form.
 */
export function parsePeopleForm<Schema extends z.ZodType>(
  schema: Schema,
  formData: FormData,
): FormParseResult<z.output<Schema>> {
  const textErrors = formTextErrors(formData);
  if (textErrors) return { success: false, errors: textErrors };
  const values: Record<string, unknown> = {};
  for (const [key, value] of formData) {
    if (typeof value === "string" && key !== "domains") values[key] = value;
  }
  values.domains = formData.getAll("domains").filter((entry) => typeof entry === "string");
  const parsed = schema.safeParse(values);
  if (parsed.success) return { success: true, data: parsed.data };
  const flattened = z.flattenError(parsed.error);
  return {
    success: false,
    errors: { formErrors: flattened.formErrors, fieldErrors: flattened.fieldErrors },
  };
}

/** Where links point: PUBLIC_URL when set, else the address this page was reached at. */
export function linkBaseFor(request: Request, context: AppLoadContext): string {
  return context.quorum.config.publicUrl ?? new URL(request.url).origin;
}
