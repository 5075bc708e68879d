import { data, redirect, type AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { AppError } from "../../../server/errors.ts";
import { safeRedirectPath, startSession } from "~/session.server.ts";
import { formError, parseFormData } from "~/utils/forms.ts";

const loginSchema = z.object({
  email: z
    .string({ error: "Enter your email address" })
    .trim()
    .min(1, "Enter your email address")
    .max(254, "This email address is too long")
    .pipe(z.email("Enter a valid email address")),
  password: z
    .string({ error: "Enter your password" })
    .min(1, "Enter your password")
    .max(1024, "This password is too long"),
  redirectTo: z.string().optional(),
});

/** Failures a person can act on; anything else is a fault and goes to the error boundary. */
const formFailureCodes = new Set(["unauthorized", "rate_limited"]);

export async function logInFromForm(request: Request, context: AppLoadContext) {
  const formData = await request.formData();
  const submittedEmail = formData.get("email");
  const email = typeof submittedEmail === "string" ? submittedEmail : "";
  const parsed = parseFormData(loginSchema, formData);
  if (!parsed.success) return data({ errors: parsed.errors, email }, { status: 422 });

  let headers: Headers;
  try {
    ({ headers } = await startSession(request, context, parsed.data));
  } catch (error) {
    if (error instanceof AppError && formFailureCodes.has(error.code)) {
      return data({ errors: formError(error.message), email }, { status: error.status });
    }
    throw error;
  }
  throw redirect(safeRedirectPath(parsed.data.redirectTo), { headers });
}
