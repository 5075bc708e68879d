import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import {
  AppError,
  badRequest,
  cleanTextErrors,
  unauthorized,
  validationFailed,
} from "../../server/errors.ts";
import { saveDraft } from "../../server/services/annotate.ts";
import { labelInputSchema } from "~/domain/template.ts";
import { getUser } from "~/session.server.ts";

const draftRequestSchema = z
  .object({
    itemId: z.number().int().positive(),
    label: labelInputSchema(),
    elapsedMs: z.number().int().min(0),
  })
  .strict();

function errorResponse(error: AppError) {
  return Response.json(error.toBody(), { status: error.status });
}

/**
 * Autosave of the label in progress. A resource route answering plain JSON, so the page can
 * tell a stored draft from a failure (and say "Not saved") without leaving the item; it also
 * takes the text/plain body of `navigator.sendBeacon`, which a page sends as it unloads.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await getUser(request, context);
  if (!user) return errorResponse(unauthorized());
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return errorResponse(badRequest("The draft is not JSON"));
  }
  const invalidText = cleanTextErrors(body);
  if (invalidText.length > 0) {
    return errorResponse(
      validationFailed("The draft contains text that cannot be saved", invalidText),
    );
  }
  const parsed = draftRequestSchema.safeParse(body);
  if (!parsed.success) return errorResponse(badRequest("The draft is not valid"));
  const { itemId, label, elapsedMs } = parsed.data;
  try {
    const saved = await saveDraft(context.quorum.db, user, itemId, { label, elapsedMs });
    return Response.json(saved);
  } catch (error) {
    if (error instanceof AppError) return errorResponse(error);
    throw error;
  }
}
