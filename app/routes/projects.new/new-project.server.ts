import { data, redirect, type AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { presets } from "~/domain/presets.ts";
import { requireWorkspacePermission } from "../../../server/permissions.ts";
import { createProject } from "../../../server/services/project-admin.ts";
import { requireUser } from "~/session.server.ts";
import { parseFormData, type FormErrors } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";
import { appErrorToFormErrors, parseJsonField } from "~/components/project/form-errors.server.ts";

export async function loadNewProject(request: Request, context: AppLoadContext) {
  const user = await requireUser(request, context);
  await requireWorkspacePermission(context.quorum.db, user, "project.create").catch(
    throwAsRouteError,
  );
  return {
    presets: presets.map((preset) => ({
      id: preset.id,
      name: preset.name,
      description: preset.description,
      domain: preset.domain ?? null,
      fields: preset.template.fields.map((field) => ({
        id: field.id,
        label: field.label,
        type: field.type,
      })),
    })),
    exampleTemplate: JSON.stringify(presets[0].template, null, 2),
  };
}

const newProjectFormSchema = z.object({
  name: z.string({ error: "Give the project a name" }).trim().min(1, "Give the project a name"),
  description: z.string().default(""),
  domain: z
    .string()
    .trim()
    .transform((domain) => (domain === "" ? undefined : domain))
    .optional(),
  source: z.string({ error: "Choose a preset or a custom template" }).min(1),
  template: z.string().default(""),
  overlap: z.coerce
    .number({ error: "Enter a whole number from 1 to 50" })
    .int("Enter a whole number from 1 to 50"),
  autoPublishConsensus: z
    .literal("on")
    .optional()
    .transform((value) => value === "on"),
});

export async function submitNewProject(request: Request, context: AppLoadContext) {
  const user = await requireUser(request, context);
  const parsed = parseFormData(newProjectFormSchema, await request.formData());
  if (!parsed.success) return data({ errors: parsed.errors }, { status: 422 });
  const form = parsed.data;
  const errors: FormErrors = { formErrors: [], fieldErrors: {} };
  const template =
    form.source === "custom" ? parseJsonField(form.template, "template", errors) : undefined;
  if (errors.formErrors.length > 0 || Object.keys(errors.fieldErrors).length > 0) {
    return data({ errors }, { status: 422 });
  }
  try {
    const project = await createProject(context.quorum.db, user, {
      name: form.name,
      description: form.description,
      ...(form.domain === undefined ? {} : { domain: form.domain }),
      ...(form.source === "custom" ? { template } : { preset: form.source }),
      overlap: form.overlap,
      autoPublishConsensus: form.autoPublishConsensus,
    });
    return redirect(`/projects/${project.id}`);
  } catch (error) {
    return data({ errors: appErrorToFormErrors(error, { preset: "source" }) }, { status: 422 });
  }
}
