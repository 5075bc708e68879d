import { redirect, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import type { Prompt } from "../../../app/domain/item.ts";
import { labelInputSchema, type ResponseRef, type Template } from "../../../app/domain/template.ts";
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
  checkLabelingBody,
  labelingPath,
  projectIdFrom,
  refusalForPage,
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
  .object({ itemId: z.number().int().positive(), label: labelInputSchema() })
  .strict();

/** Saves the changed label and goes back to labelling; a refusal comes back to the page. */
export async function saveRevision(request: Request, context: AppLoadContext, params: Params) {
  const user = await requireUser(request, context);
  const projectId = projectIdFrom(params);
  const body: unknown = await request.json().catch(() => null);
  const parsed = checkLabelingBody(revisionActionSchema, body);
  if (!parsed.ok) return parsed.refusal;
  try {
    await reviseAnnotation(context.quorum.db, user, parsed.value.itemId, {
      label: parsed.value.label,
    });
  } catch (error) {
    return refusalForPage(error);
  }
  return redirect(labelingPath(projectId));
}
