import { data, redirect, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import type { Prompt } from "../../../app/domain/item.ts";
import { labelInputSchema, type ResponseRef, type Template } from "../../../app/domain/template.ts";
import { MAX_CLAIMED_DURATION_MS } from "../../../app/domain/work-time.ts";
import { AppError, cleanTextErrors, notFound, type FieldError } from "../../../server/errors.ts";
import { skipItem, submitAnnotation } from "../../../server/services/annotate.ts";
import { flagItem } from "../../../server/services/flags.ts";
import { getGuidelines } from "../../../server/services/guidelines.ts";
import { getItemForUser } from "../../../server/services/items.ts";
import { getShortcutOverrides } from "../../../server/services/preferences.ts";
import { getVisibleProject } from "../../../server/services/projects.ts";
import { labelingStatus } from "../../../server/services/labeling-status.ts";
import { lastRevisableAnnotation } from "../../../server/services/revise.ts";
import { currentAssignment, nextAssignment } from "../../../server/services/queue.ts";
import {
  itemContentSources,
  prepareContent,
} from "~/components/markdown/prepare-content.server.ts";
import { requireUser } from "~/session.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

type Params = LoaderFunctionArgs["params"];

export function projectIdFrom(params: Params): number {
  const parsed = z.coerce.number().int().positive().safeParse(params.projectId);
  if (!parsed.success) throw throwAsRouteError(notFound("No such project"));
  return parsed.data;
}

export function labelingPath(projectId: number, queueEmpty = false): string {
  return `/projects/${projectId}/label${queueEmpty ? "?empty=1" : ""}`;
}

/**
 * The item the caller holds a reservation for. Loading the page changes nothing: without a
 * reservation it offers to get the next item, which is a POST (the action's "next"), and says
 * the queue is empty when the last POST found nothing (`?empty=1`). Only what labeling needs
 * leaves the server: the prompt, the responses, the template and the caller's own draft; never
 * other labels, the item's status or metadata (getItemForUser withholds those as well), nor the
 * external id, which could give a gold item away. With them: the caller's own progress and
 * queue state (so an empty queue says why it is empty) and the project's guidelines.
 */
export async function loadLabeling(request: Request, context: AppLoadContext, params: Params) {
  const user = await requireUser(request, context);
  const projectId = projectIdFrom(params);
  const { db } = context.quorum;
  const project = await getVisibleProject(db, user, projectId).catch(throwAsRouteError);
  const shortcuts = await getShortcutOverrides(db, user);
  const assignment = await currentAssignment(db, user, projectId).catch(throwAsRouteError);
  const [status, guidelines, previous] = await Promise.all([
    labelingStatus(db, user, projectId),
    getGuidelines(db, user, projectId),
    lastRevisableAnnotation(db, user, projectId),
  ]).catch(throwAsRouteError);
  const base = {
    project: { id: project.id, name: project.name },
    userId: user.id,
    shortcuts,
    queueEmpty: new URL(request.url).searchParams.get("empty") === "1",
    status,
    previousUrl: previous ? `${labelingPath(projectId)}/previous` : null,
    guidelines: guidelines?.body.trim()
      ? { version: guidelines.version, body: guidelines.body }
      : null,
  };
  const guidelineSources = base.guidelines ? [base.guidelines.body] : [];
  if (!assignment) {
    return {
      ...base,
      contentFormats: await prepareContent(context, guidelineSources),
      task: null,
    };
  }
  const view = await getItemForUser(db, user, assignment.itemId).catch(throwAsRouteError);
  const prompt = view.item.prompt as Prompt;
  const responses = (view.item.responses as Array<ResponseRef & { model?: string }>).map(
    ({ id, text }) => ({ id, text }),
  );
  return {
    ...base,
    contentFormats: await prepareContent(context, [
      ...itemContentSources(prompt, responses),
      ...guidelineSources,
    ]),
    task: {
      itemId: view.item.id,
      prompt,
      responses,
      template: view.item.template as Template,
      expiresAt: assignment.expiresAt.toISOString(),
      draft: view.draft
        ? { label: view.draft.label, elapsedMs: view.draft.elapsedMs, savedAt: view.draft.savedAt }
        : null,
    },
  };
}

const labelingActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("next") }).strict(),
  z
    .object({
      intent: z.literal("submit"),
      itemId: z.number().int().positive(),
      label: labelInputSchema(),
      // The page's own clock: a tab left in focus for days is still a label worth keeping, so
      // its claim is cut to the most a claim may be (the server bounds it further).
      durationMs: z
        .number()
        .int()
        .min(0)
        .transform((ms) => Math.min(ms, MAX_CLAIMED_DURATION_MS))
        .optional(),
    })
    .strict(),
  z
    .object({
      intent: z.literal("skip"),
      itemId: z.number().int().positive(),
      reason: z.string(),
    })
    .strict(),
  z
    .object({
      intent: z.literal("flag"),
      itemId: z.number().int().positive(),
      note: z.string(),
    })
    .strict(),
]);

export interface LabelingActionResult {
  message: string;
  fieldErrors: FieldError[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The page sends JSON (submit, skip); the "next" button is a plain form that works without JS. */
async function readActionBody(request: Request): Promise<unknown> {
  if (request.headers.get("content-type")?.includes("application/json")) {
    return request.json().catch(() => null);
  }
  return Object.fromEntries(await request.formData());
}

/**
 * A labeling request's body, checked: text that cannot be stored is a 422 naming the fields (the
 * label's by field id, as the workspace shows them; the rest by their name), anything else the
 * schema refuses a 400. Both come back to the page.
 */
export function checkLabelingBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
):
  | { ok: true; value: z.infer<Schema> }
  | { ok: false; refusal: ReturnType<typeof data<LabelingActionResult>> } {
  const { label, ...rest } = isRecord(body) ? body : {};
  const invalidText = [...cleanTextErrors(label), ...cleanTextErrors(rest)];
  if (invalidText.length > 0) {
    return {
      ok: false,
      refusal: data<LabelingActionResult>(
        { message: "The label contains text that cannot be saved.", fieldErrors: invalidText },
        { status: 422 },
      ),
    };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      refusal: data<LabelingActionResult>(
        { message: "The page sent a request the server does not understand.", fieldErrors: [] },
        { status: 400 },
      ),
    };
  }
  return { ok: true, value: parsed.data };
}

/** A refusal the person can act on (an invalid label, a conflict) goes back to the page. */
export function refusalForPage(error: unknown) {
  if (error instanceof AppError && ["validation_failed", "conflict"].includes(error.code)) {
    const details = Array.isArray(error.details) ? (error.details as FieldError[]) : [];
    return data<LabelingActionResult>(
      { message: error.message, fieldErrors: details },
      { status: error.status },
    );
  }
  return throwAsRouteError(error);
}

/**
 * Submits, skips or flags the item, or asks for one, then reserves the caller's next item and sends
 * the browser to the page showing it (or saying that there is none). Refusals the annotator can
 * act on come back to the page.
 */
export async function labelingAction(request: Request, context: AppLoadContext, params: Params) {
  const user = await requireUser(request, context);
  const projectId = projectIdFrom(params);
  const { db } = context.quorum;
  const parsed = checkLabelingBody(labelingActionSchema, await readActionBody(request));
  if (!parsed.ok) return parsed.refusal;
  const input = parsed.value;
  try {
    if (input.intent === "submit") {
      await submitAnnotation(db, user, input.itemId, {
        label: input.label,
        ...(input.durationMs === undefined ? {} : { durationMs: input.durationMs }),
      });
    } else if (input.intent === "skip") {
      await skipItem(db, user, input.itemId, { reason: input.reason });
    } else if (input.intent === "flag") {
      await flagItem(db, user, input.itemId, { note: input.note });
    }
  } catch (error) {
    return refusalForPage(error);
  }
  const next = await nextAssignment(db, user, projectId).catch(throwAsRouteError);
  return redirect(labelingPath(projectId, next === null));
}
