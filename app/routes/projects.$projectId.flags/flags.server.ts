import { data, redirect, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { AppError } from "../../../server/errors.ts";
import { listFlags, reassignFlag, releaseFlag } from "../../../server/services/flags.ts";
import { listVisibleProjectMembers } from "../../../server/services/project-admin.ts";
import { appErrorToFormErrors } from "~/components/project/form-errors.server.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { parseFormData, type FormErrors } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

type Params = LoaderFunctionArgs["params"];

/** Flags already dealt with that the page still shows, newest first. */
const RESOLVED_SHOWN = 50;

/** The lead's queue: open flags to decide, recent decisions, and why annotators skipped items. */
export async function loadFlagQueue(request: Request, context: AppLoadContext, params: Params) {
  const page = await loadProjectPage(request, context, params, "item.review");
  const { db } = context.quorum;
  const [{ flags, skips }, members] = await Promise.all([
    listFlags(db, page.user, page.projectId, "all"),
    listVisibleProjectMembers(db, page.user, page.projectId),
  ]).catch(throwAsRouteError);
  return {
    navigation: page.navigation,
    open: flags.filter((flag) => flag.status === "open"),
    resolved: flags.filter((flag) => flag.status !== "open").slice(0, RESOLVED_SHOWN),
    skips,
    assignees: members
      .filter((member) => member.role !== "client" && member.email !== null)
      .map((member) => ({ email: member.email!, name: member.name })),
  };
}

const flagActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("release"), flagId: z.coerce.number().int().positive() }),
  z.object({
    intent: z.literal("reassign"),
    flagId: z.coerce.number().int().positive(),
    email: z.string().trim().min(1, "Choose who gets the item"),
  }),
]);

export interface FlagActionResult {
  flagId: number | null;
  errors: FormErrors;
}

/** Releases or reassigns a flagged item; a refusal comes back to the row it came from. */
export async function decideFlag(request: Request, context: AppLoadContext, params: Params) {
  const page = await loadProjectPage(request, context, params, "item.review");
  const parsed = parseFormData(flagActionSchema, await request.formData());
  if (!parsed.success) {
    return data<FlagActionResult>({ flagId: null, errors: parsed.errors }, { status: 422 });
  }
  const input = parsed.data;
  const { db } = context.quorum;
  try {
    if (input.intent === "release") await releaseFlag(db, page.user, input.flagId);
    else await reassignFlag(db, page.user, input.flagId, { email: input.email });
  } catch (error) {
    const errors = appErrorToFormErrors(error);
    const status = error instanceof AppError ? error.status : 400;
    return data<FlagActionResult>({ flagId: input.flagId, errors }, { status });
  }
  return redirect(`/projects/${page.projectId}/flags`);
}
