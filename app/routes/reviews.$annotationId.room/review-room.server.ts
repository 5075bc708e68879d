import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { z } from "zod";
import { authorizeDocument } from "../../../server/sync/permissions.ts";
import { getItemForUser, itemReference } from "../../../server/services/items.ts";
import { participantNames } from "../../../server/services/participants.ts";
import { loadProjectModel } from "../../../server/services/project-model.ts";
import { prepareItemContent } from "~/components/markdown/prepare-content.server.ts";
import { routeId } from "~/components/project/project-page.server.ts";
import { roomViewer } from "~/components/room/room-page.server.ts";
import { promptSchema, responseSchema } from "~/domain/item.ts";
import { reviewRoomName } from "~/domain/room.ts";
import { requireUser } from "~/session.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

const labelSchema = z.record(z.string(), z.unknown());

/**
 * The room where a lead and a junior discuss the junior's reviewed label. Only they (and
 * admins, watching) get here: the sync server's grant decides, as it does for the socket. A GET
 * only reads; the room is prepared when the page connects to it (server/sync/server.ts).
 */
export async function loadReviewRoom(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const user = await requireUser(request, context);
  const annotationId = routeId(params.annotationId, "annotation");
  const { quorum } = context;
  const docName = reviewRoomName(annotationId);
  const grant = await authorizeDocument(quorum, user, {
    kind: "review",
    name: docName,
    annotationId,
  }).catch(throwAsRouteError);
  const annotation = await quorum.db
    .selectFrom("annotations")
    .innerJoin("users", "users.id", "annotations.user_id")
    .leftJoin("reviews", "reviews.annotation_id", "annotations.id")
    .select([
      "annotations.item_id",
      "annotations.user_id",
      "annotations.submitted_at",
      "users.name",
      "reviews.id as review_id",
      "reviews.verdict",
      "reviews.decided_at",
    ])
    .where("annotations.id", "=", annotationId)
    .executeTakeFirstOrThrow();
  const view = await getItemForUser(quorum.db, user, annotation.item_id).catch(throwAsRouteError);
  const reviewed = view.annotations.find((candidate) => candidate.id === annotationId);
  if (!reviewed) {
    throw data(
      { error: { code: "not_found", message: "There is no such annotation." } },
      { status: 404 },
    );
  }
  const project = await loadProjectModel(quorum.db, view.item.projectId);
  const prompt = promptSchema.parse(view.item.prompt);
  const responses = z.array(responseSchema).parse(view.item.responses);
  return {
    docName,
    project: { id: project.id, name: project.row.name },
    contentFormats: await prepareItemContent(context, { prompt, responses }),
    item: {
      id: view.item.id,
      externalId: itemReference(view.item),
      prompt,
      responses,
      template: project.template,
    },
    annotation: {
      authorName: annotation.name,
      submittedAt: annotation.submitted_at.toISOString(),
      label: labelSchema.parse(reviewed.label),
    },
    review:
      annotation.review_id === null || annotation.verdict === null
        ? null
        : {
            id: annotation.review_id,
            verdict: annotation.verdict,
            decidedAt: annotation.decided_at?.toISOString() ?? null,
          },
    // Only the leads and the author are here, who know each other: names, not pseudonyms.
    members: await participantNames(quorum.db, project.id, false),
    viewer: roomViewer(user, grant),
    mayDecide: grant.role === "lead",
  };
}
