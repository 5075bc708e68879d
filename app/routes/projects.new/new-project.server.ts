import { data, redirect, type AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { findPreset, presets } from "~/domain/presets.ts";
import { checkDisputePolicy, checkTemplate } from "~/domain/template-messages.ts";
import type { Template } from "~/domain/template.ts";
import { requireWorkspacePermission } from "../../../server/permissions.ts";
import { createProject } from "../../../server/services/project-admin.ts";
import { requireUser } from "~/session.server.ts";
import { parseFormData, type FormErrors } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";
import {
  appErrorToFormErrors,
  parseJsonField,
  parseJsonSyntax,
} from "~/components/project/form-errors.server.ts";

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
      template: preset.template,
    })),
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
  disputePolicy: z.string().default(""),
  overlap: z.coerce
    .number({ error: "Enter a whole number from 1 to 50" })
    .int("Enter a whole number from 1 to 50"),
  autoPublishConsensus: z
    .literal("on")
    .optional()
    .transform((value) => value === "on"),
});

/**
 * The template part of the form as it was sent: the preset chosen or "custom", and the custom
 * template (null when there is none, or it is not JSON). A refusal sends it back, so that the
 * page, drawn anew without JavaScript, shows the builder as it was, its problems marked.
 */
function sentTemplateChoice(formData: FormData): { source: string | null; template: unknown } {
  const source = formData.get("source");
  const template = formData.get("template");
  let parsedTemplate: unknown = null;
  if (source === "custom" && typeof template === "string") {
    try {
      parsedTemplate = JSON.parse(template) as unknown;
    } catch {
      // Not JSON: the refusal says so, and the builder starts from the preset instead.
    }
  }
  return { source: typeof source === "string" ? source : null, template: parsedTemplate };
}

export async function submitNewProject(request: Request, context: AppLoadContext) {
  const user = await requireUser(request, context);
  const formData = await request.formData();
  const refuse = (errors: FormErrors) =>
    data({ errors, sent: sentTemplateChoice(formData) }, { status: 422 });
  const parsed = parseFormData(newProjectFormSchema, formData);
  if (!parsed.success) return refuse(parsed.errors);
  const form = parsed.data;
  const errors: FormErrors = { formErrors: [], fieldErrors: {} };
  // The template's own check names its problems in words and by field, text that cannot be
  // stored included, so that the builder marks the input concerned.
  const template =
    form.source === "custom" ? parseJsonSyntax(form.template, "template", errors) : undefined;
  const disputePolicy =
    form.disputePolicy.trim() === ""
      ? undefined
      : parseJsonField(form.disputePolicy, "disputePolicy", errors);
  if (form.source === "custom" && template !== undefined) {
    const check = checkTemplate(template);
    if (!check.ok) errors.fieldErrors.template = check.problems.map((problem) => problem.message);
  }
  const policyTemplate = form.source === "custom" ? template : findPreset(form.source)?.template;
  if (disputePolicy !== undefined && checkTemplate(policyTemplate).ok) {
    const problems = checkDisputePolicy(disputePolicy, policyTemplate as Template);
    if (problems.length > 0) {
      errors.fieldErrors.disputePolicy = problems.map((problem) => problem.message);
    }
  }
  if (errors.formErrors.length > 0 || Object.keys(errors.fieldErrors).length > 0) {
    return refuse(errors);
  }
  try {
    const project = await createProject(context.quorum.db, user, {
      name: form.name,
      description: form.description,
      ...(form.domain === undefined ? {} : { domain: form.domain }),
      ...(form.source === "custom" ? { template } : { preset: form.source }),
      overlap: form.overlap,
      ...(disputePolicy === undefined ? {} : { disputePolicy }),
      autoPublishConsensus: form.autoPublishConsensus,
    });
    return redirect(`/projects/${project.id}`);
  } catch (error) {
    return refuse(appErrorToFormErrors(error, { preset: "source" }));
  }
}
