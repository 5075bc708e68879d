import { data, redirect, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import type { Prompt } from "../../../app/domain/item.ts";
import type { ResponseRef, Template } from "../../../app/domain/template.ts";
import { AppError, notFound, type FieldError } from "../../../server/errors.ts";
import { skipItem, submitAnnotation } from "../../../server/services/annotate.ts";
import { getItemForUser } from "../../../server/services/items.ts";
import { getShortcutOverrides } from "../../../server/services/preferences.ts";
import { getVisibleProject } from "../../../server/services/projects.ts";
import { nextAssignment } from "../../../server/services/queue.ts";
import { requireUser } from "~/session.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

type Params = LoaderFunctionArgs["params"];

export function projectIdFrom(params: Params): number {
  const parsed = z.coerce.number().int().positive().safeParse(params.projectId);
  if (!parsed.success) throw throwAsRouteError(notFound("No such project"));
  return parsed.data;
}

export function labelingPath(projectId: number): string {
  return `/projects/${projectId}/label`;
}

/**
 * The caller's next item, reserved for them. Only what labeling needs leaves the server: the
 * prompt, the responses, the template and the caller's own draft; never other labels, the
 * item's status or metadata (getItemForUser withholds those as well), nor the external id,
 * which could give a gold item away.
 */
export async function loadLabeling(request: Request, context: AppLoadContext, params: Params) {
  const user = await requireUser(request, context);
  const projectId = projectIdFrom(params);
  const { db } = context.quorum;
  const project = await getVisibleProject(db, user, projectId).catch(throwAsRouteError);
  const shortcuts = await getShortcutOverrides(db, user);
  const assignment = await nextAssignment(db, user, projectId).catch(throwAsRouteError);
  const base = { project: { id: project.id, name: project.name }, userId: user.id, shortcuts };
  if (!assignment) return { ...base, task: null };
  const view = await getItemForUser(db, user, assignment.itemId).catch(throwAsRouteError);
  return {
    ...base,
    task: {
      itemId: view.item.id,
      prompt: view.item.prompt as Prompt,
      responses: (view.item.responses as Array<ResponseRef & { model?: string }>).map(
        ({ id, text }) => ({ id, text }),
      ),
      template: view.item.template as Template,
      expiresAt: assignment.expiresAt.toISOString(),
      draft: view.draft
        ? { label: view.draft.label, elapsedMs: view.draft.elapsedMs, savedAt: view.draft.savedAt }
        : null,
    },
  };
}

const labelingActionSchema = z.discriminatedUnion("intent", [
  z
    .object({
      intent: z.literal("submit"),
      itemId: z.number().int().positive(),
      label: z.record(z.string(), z.unknown()),
      durationMs: z.number().int().min(0).optional(),
    })
    .strict(),
  z
    .object({
      intent: z.literal("skip"),
      itemId: z.number().int().positive(),
      reason: z.string(),
    })
    .strict(),
]);

export interface LabelingActionResult {
  message: string;
  fieldErrors: FieldError[];
}

/**
 * Submits or skips the item, then sends the browser back to the same page, whose loader
 * reserves the next item. Refusals the annotator can act on come back to the page.
 */
export async function labelingAction(request: Request, context: AppLoadContext, params: Params) {
  const user = await requireUser(request, context);
  const projectId = projectIdFrom(params);
  const { db } = context.quorum;
  const parsed = labelingActionSchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    return data<LabelingActionResult>(
      { message: "The page sent a request the server does not understand.", fieldErrors: [] },
      { status: 400 },
    );
  }
  const input = parsed.data;
  try {
    if (input.intent === "submit") {
      await submitAnnotation(db, user, input.itemId, {
        label: input.label,
        ...(input.durationMs === undefined ? {} : { durationMs: input.durationMs }),
      });
    } else {
      await skipItem(db, user, input.itemId, { reason: input.reason });
    }
  } catch (error) {
    if (error instanceof AppError && ["validation_failed", "conflict"].includes(error.code)) {
      const details = Array.isArray(error.details) ? (error.details as FieldError[]) : [];
      return data<LabelingActionResult>(
        { message: error.message, fieldErrors: details },
        { status: error.status },
      );
    }
    throwAsRouteError(error);
  }
  return redirect(labelingPath(projectId));
}
