import { data, redirect, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import type { Prompt } from "../../../app/domain/item.ts";
import type { ResponseRef, Template } from "../../../app/domain/template.ts";
import { AppError, cleanTextErrors, type FieldError } from "../../../server/errors.ts";
import { getGuidelines } from "../../../server/services/guidelines.ts";
import { getItemForUser } from "../../../server/services/items.ts";
import { labelingStatus } from "../../../server/services/labeling-status.ts";
import { getShortcutOverrides } from "../../../server/services/preferences.ts";
import { getVisibleProject } from "../../../server/services/projects.ts";
import { lastRevisableAnnotation, reviseAnnotation } from "../../../server/services/revise.ts";
import {
  itemContentSources,
  prepareContent,
} from "~/components/markdown/prepare-content.server.ts";
import { requireUser } from "~/session.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";
import {
  labelingPath,
  projectIdFrom,
  type LabelingActionResult,
} from "../projects.$projectId.label/label.server.ts";

type Params = LoaderFunctionArgs["params"];

/**
 * The caller's last label in the project, opened again to change while its item waits for the
 * other labels; null when there is none that may still change. Only the caller's own label and
 * the item's content leave the server, as on the labeling page.
 */
export async function loadPrevious(request: Request, context: AppLoadContext, params: Params) {
  const user = await requireUser(request, context);
  const projectId = projectIdFrom(params);
  const { db } = context.quorum;
  const project = await getVisibleProject(db, user, projectId).catch(throwAsRouteError);
  const [previous, status, guidelines, shortcuts] = await Promise.all([
    lastRevisableAnnotation(db, user, projectId),
    labelingStatus(db, user, projectId),
    getGuidelines(db, user, projectId),
    getShortcutOverrides(db, user),
  ]).catch(throwAsRouteError);
  const base = {
    project: { id: project.id, name: project.name },
    userId: user.id,
    shortcuts,
    status,
    guidelines: guidelines?.body.trim()
      ? { version: guidelines.version, body: guidelines.body }
      : null,
  };
  if (!previous) return { ...base, contentFormats: {}, task: null };
  const view = await getItemForUser(db, user, previous.itemId).catch(throwAsRouteError);
  const prompt = view.item.prompt as Prompt;
  const responses = (view.item.responses as ResponseRef[]).map(({ id, text }) => ({ id, text }));
  return {
    ...base,
    contentFormats: await prepareContent(context, [
      ...itemContentSources(prompt, responses),
      ...(base.guidelines ? [base.guidelines.body] : []),
    ]),
    task: {
      itemId: previous.itemId,
      prompt,
      responses,
      template: view.item.template as Template,
      draft: { label: previous.label, elapsedMs: 0, savedAt: previous.submittedAt },
    },
  };
}

const revisionActionSchema = z
  .object({ itemId: z.number().int().positive(), label: z.record(z.string(), z.unknown()) })
  .strict();

/** Saves the changed label and goes back to labelling; a refusal comes back to the page. */
export async function saveRevision(request: Request, context: AppLoadContext, params: Params) {
  const user = await requireUser(request, context);
  const projectId = projectIdFrom(params);
  const body: unknown = await request.json().catch(() => null);
  const invalidText = cleanTextErrors(body);
  if (invalidText.length > 0) {
    return data<LabelingActionResult>(
      { message: "The label contains text that cannot be saved.", fieldErrors: invalidText },
      { status: 422 },
    );
  }
  const parsed = revisionActionSchema.safeParse(body);
  if (!parsed.success) {
    return data<LabelingActionResult>(
      { message: "The page sent a request the server does not understand.", fieldErrors: [] },
      { status: 400 },
    );
  }
  try {
    await reviseAnnotation(context.quorum.db, user, parsed.data.itemId, {
      label: parsed.data.label,
    });
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
