import { data, redirect, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { AppError } from "../../../server/errors.ts";
import { can } from "../../../server/permissions.ts";
import {
  getGuidelines,
  listGuidelineVersions,
  saveGuidelines,
} from "../../../server/services/guidelines.ts";
import { appErrorToFormErrors } from "~/components/project/form-errors.server.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { prepareContent } from "~/components/markdown/prepare-content.server.ts";
import { parseFormData, type FormErrors } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

type Params = LoaderFunctionArgs["params"];

const versionParameter = z.coerce.number().int().positive().max(2_147_483_647);

/**
 * The project's guidelines for everyone in it, any earlier version by `?version=`, and for leads
 * the editor. The text is shown as item content is: formatted by the markdown workers.
 */
export async function loadGuidelinesPage(
  request: Request,
  context: AppLoadContext,
  params: Params,
) {
  const page = await loadProjectPage(request, context, params);
  const { db } = context.quorum;
  const asked = versionParameter.safeParse(new URL(request.url).searchParams.get("version"));
  const [shown, latest, versions] = await Promise.all([
    getGuidelines(db, page.user, page.projectId, asked.success ? asked.data : undefined),
    getGuidelines(db, page.user, page.projectId),
    listGuidelineVersions(db, page.user, page.projectId),
  ]).catch(throwAsRouteError);
  return {
    navigation: page.navigation,
    mayEdit: can(page.subject, "project.edit"),
    saved: new URL(request.url).searchParams.get("saved") === "1",
    shown,
    latestVersion: latest?.version ?? 0,
    latestBody: latest?.body ?? "",
    versions,
    contentFormats: await prepareContent(context, shown ? [shown.body] : []),
  };
}

const saveFormSchema = z.object({
  body: z.string(),
  expectedVersion: z.coerce.number().int().min(0),
});

export interface GuidelinesActionResult {
  errors: FormErrors;
  /** What the lead wrote, returned so that a refused save loses nothing. */
  body: string;
}

/** Saves the lead's text as the next version; a refusal comes back with the text as typed. */
export async function saveGuidelinesPage(
  request: Request,
  context: AppLoadContext,
  params: Params,
) {
  const page = await loadProjectPage(request, context, params, "project.edit");
  const formData = await request.formData();
  const typed = String(formData.get("body") ?? "");
  const parsed = parseFormData(saveFormSchema, formData);
  if (!parsed.success) {
    return data<GuidelinesActionResult>({ errors: parsed.errors, body: typed }, { status: 422 });
  }
  try {
    await saveGuidelines(context.quorum.db, page.user, page.projectId, parsed.data);
  } catch (error) {
    const errors = appErrorToFormErrors(error);
    const status = error instanceof AppError ? error.status : 400;
    return data<GuidelinesActionResult>({ errors, body: typed }, { status });
  }
  return redirect(`/projects/${page.projectId}/guidelines?saved=1`);
}
