import type { LoaderFunctionArgs } from "@remix-run/node";
import { AppError, unauthorized } from "../../server/errors.ts";
import { loadProjectModel } from "../../server/services/project-model.ts";
import { roomSuggestions } from "../../server/services/room-suggestions.ts";
import { authorizeDocument } from "../../server/sync/permissions.ts";
import { itemRoomName } from "~/domain/room.ts";
import { getUser } from "~/session.server.ts";

/**
 * The room's suggestions (majority and Dawid–Skene) as JSON, fetched after the room has loaded:
 * the first fit on a large project takes a while, and the room should not wait for it. Whoever
 * may open the item's room may read them; they carry no names.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await getUser(request, context);
  if (!user) return Response.json(unauthorized().toBody(), { status: 401 });
  try {
    const itemId = Number(params.itemId);
    if (!Number.isSafeInteger(itemId) || itemId <= 0 || String(itemId) !== params.itemId) {
      throw new AppError("not_found", "There is no item at this address.");
    }
    await authorizeDocument(context.quorum, user, {
      kind: "item",
      name: itemRoomName(itemId),
      itemId,
    });
    const { project_id: projectId } = await context.quorum.db
      .selectFrom("items")
      .select("project_id")
      .where("id", "=", itemId)
      .executeTakeFirstOrThrow();
    const project = await loadProjectModel(context.quorum.db, projectId);
    const suggestions = await roomSuggestions(context.quorum.db, project, itemId);
    return Response.json({ suggestions }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof AppError) return Response.json(error.toBody(), { status: error.status });
    throw error;
  }
}
