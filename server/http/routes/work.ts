import type { Router } from "express";
import { z } from "zod";
import type { QuorumContext } from "../../context.ts";
import { saveDraft, skipItem, submitAnnotation } from "../../services/annotate.ts";
import { getItemForUser } from "../../services/items.ts";
import { nextAssignment } from "../../services/queue.ts";
import { decideReview } from "../../services/review.ts";
import { itemHeartbeat, reviewHeartbeat } from "../../services/work-time.ts";
import { authenticatedHandler } from "../handler.ts";
import { parseId, parseQuery } from "../parse.ts";

export const queueQuerySchema = z.object({ project: z.coerce.number().int().positive() });

/** The annotator's loop: next item, read it, save drafts, submit or skip; and review verdicts. */
export function registerWorkRoutes(router: Router, quorum: QuorumContext): void {
  router.get(
    "/queue/next",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      const { project } = parseQuery(queueQuerySchema, request.query);
      const assignment = await nextAssignment(db, user, project);
      if (!assignment) return { body: { assignment: null, item: null } };
      const view = await getItemForUser(db, user, assignment.itemId);
      return {
        body: {
          ...view,
          assignment: {
            id: assignment.assignmentId,
            itemId: assignment.itemId,
            status: "reserved",
            expiresAt: assignment.expiresAt.toISOString(),
          },
        },
      };
    }),
  );

  router.get(
    "/items/:id",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: await getItemForUser(db, user, parseId(request.params.id, "Item id")),
    })),
  );

  router.post(
    "/items/:id/annotations",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      const { replayed, ...annotation } = await submitAnnotation(
        db,
        user,
        parseId(request.params.id, "Item id"),
        request.body,
      );
      return { status: replayed ? 200 : 201, body: { annotation } };
    }),
  );

  router.post(
    "/items/:id/skip",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      await skipItem(db, user, parseId(request.params.id, "Item id"), request.body);
      return undefined;
    }),
  );

  // An activity instant of the item the caller holds, for its measured working time.
  router.post(
    "/items/:id/heartbeat",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      await itemHeartbeat(db, user, parseId(request.params.id, "Item id"));
      return undefined;
    }),
  );

  router.put(
    "/items/:id/draft",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: await saveDraft(db, user, parseId(request.params.id, "Item id"), request.body),
    })),
  );

  router.post(
    "/reviews/:id",
    authenticatedHandler(quorum, async ({ quorum, user, request }) => ({
      body: {
        review: await decideReview(
          quorum,
          user,
          parseId(request.params.id, "Review id"),
          request.body,
        ),
      },
    })),
  );

  // An activity instant of a lead working on a pending review, for its measured time.
  router.post(
    "/reviews/:id/heartbeat",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      await reviewHeartbeat(db, user, parseId(request.params.id, "Review id"));
      return undefined;
    }),
  );
}
