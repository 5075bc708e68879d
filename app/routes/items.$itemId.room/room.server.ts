import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authorizeDocument } from "../../../server/sync/permissions.ts";
import { getItemForUser } from "../../../server/services/items.ts";
import { getShortcutOverrides } from "../../../server/services/preferences.ts";
import { loadProjectModel } from "../../../server/services/project-model.ts";
import { getAdjudication } from "../../../server/services/publish.ts";
import { prepareItemRoom } from "../../../server/services/room.ts";
import { routeId } from "~/components/project/project-page.server.ts";
import { leadNames, roomViewer } from "~/components/room/room-page.server.ts";
import { promptSchema, responseSchema } from "~/domain/item.ts";
import { itemRoomName, memberId } from "~/domain/room.ts";
import { requireUser } from "~/session.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

/**
 * Everything the room page needs besides the live document. Opening the room as an editor
 * prepares it (pre-filled on the first opening, `meta` brought in line with the database after
 * that); observers see the room as the panel left it.
 */
export async function loadItemRoom(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const user = await requireUser(request, context);
  const itemId = routeId(params.itemId, "item");
  const { quorum } = context;
  const docName = itemRoomName(itemId);
  const grant = await authorizeDocument(quorum, user, {
    kind: "item",
    name: docName,
    itemId,
  }).catch(throwAsRouteError);
  if (grant.access === "edit") await prepareItemRoom(quorum, itemId).catch(throwAsRouteError);
  const [view, adjudication, shortcuts] = await Promise.all([
    getItemForUser(quorum.db, user, itemId),
    getAdjudication(quorum.db, user, itemId),
    getShortcutOverrides(quorum.db, user),
  ]).catch(throwAsRouteError);
  const project = await loadProjectModel(quorum.db, view.item.projectId);
  const onPanel = adjudication.panel.some((member) => member.own);
  const editor = grant.access === "edit";
  const quorumRule = adjudication.publishRule.kind === "quorum";
  const members: Record<string, string> = {
    ...(await leadNames(quorum.db, project.id)),
    ...Object.fromEntries(adjudication.panel.map((member) => [member.memberId, member.name])),
    [memberId(user.id)]: user.name,
  };
  return {
    docName,
    project: { id: project.id, name: project.row.name },
    item: {
      id: view.item.id,
      externalId: view.item.externalId,
      status: adjudication.status,
      prompt: promptSchema.parse(view.item.prompt),
      responses: z.array(responseSchema).parse(view.item.responses),
      template: view.item.template,
    },
    disputePolicy: project.disputePolicy,
    publishRule: adjudication.publishRule,
    panel: adjudication.panel.map((member) => member.memberId),
    members,
    viewer: roomViewer(user, grant),
    // What the viewer may do while the room is open (publish, approve, vote) or once it is
    // published (reopen); the page follows the room's live status for which applies.
    may: {
      vote: editor && onPanel,
      publish: editor && (grant.role === "lead" || (quorumRule && onPanel)),
      approve: editor && quorumRule && onPanel,
      reopen: grant.role === "lead",
    },
    shortcuts,
  };
}
