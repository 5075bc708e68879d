import type { Router } from "express";
import type { QuorumContext } from "../../context.ts";
import { adjudicationQueue } from "../../services/adjudication-queue.ts";
import {
  addPanelMember,
  approveDraft,
  getAdjudication,
  publishItem,
  reopenItem,
} from "../../services/publish.ts";
import { publishConsensusItems } from "../../services/publish-consensus.ts";
import { authenticatedHandler } from "../handler.ts";
import { parseId } from "../parse.ts";

/**
 * Adjudication of an item: its panel, approvals under a quorum rule, publishing the room's draft
 * as an immutable version (or every consensus item of a project at once), and reopening a
 * published item for the next one; and a project's queue of items waiting for adjudication.
 */
export function registerAdjudicationRoutes(router: Router, quorum: QuorumContext): void {
  const itemId = (id: string | undefined) => parseId(id, "Item id");

  router.get(
    "/items/:id/adjudication",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: { adjudication: await getAdjudication(db, user, itemId(request.params.id)) },
    })),
  );

  router.post(
    "/items/:id/panel",
    authenticatedHandler(quorum, async ({ quorum, user, request }) => ({
      status: 201,
      body: { panel: await addPanelMember(quorum, user, itemId(request.params.id), request.body) },
    })),
  );

  router.post(
    "/items/:id/approve",
    authenticatedHandler(quorum, async ({ quorum, user, request }) => ({
      status: 201,
      body: { approval: await approveDraft(quorum, user, itemId(request.params.id)) },
    })),
  );

  router.post(
    "/items/:id/publish",
    authenticatedHandler(quorum, async ({ quorum, user, request }) => ({
      status: 201,
      body: await publishItem(quorum, user, itemId(request.params.id), request.body),
    })),
  );

  router.get(
    "/projects/:id/adjudication",
    authenticatedHandler(quorum, async ({ quorum, user, request }) => ({
      body: await adjudicationQueue(
        quorum,
        user,
        parseId(request.params.id, "Project id"),
        request.query,
      ),
    })),
  );

  router.post(
    "/projects/:id/publish-consensus",
    authenticatedHandler(quorum, async ({ quorum, user, request }) => ({
      body: await publishConsensusItems(
        quorum,
        user,
        parseId(request.params.id, "Project id"),
        request.body,
      ),
    })),
  );

  router.post(
    "/items/:id/reopen",
    authenticatedHandler(quorum, async ({ quorum, user, request }) => ({
      body: await reopenItem(quorum, user, itemId(request.params.id)),
    })),
  );
}
