import type { Router } from "express";
import { z } from "zod";
import type { QuorumContext } from "../../context.ts";
import {
  flagItem,
  flagListQuerySchema,
  listFlags,
  reassignFlag,
  releaseFlag,
} from "../../services/flags.ts";
import { getGuidelines, listGuidelineVersions, saveGuidelines } from "../../services/guidelines.ts";
import { labelingStatus } from "../../services/labeling-status.ts";
import { reviseAnnotation } from "../../services/revise.ts";
import { authenticatedHandler } from "../handler.ts";
import { parseId, parseQuery } from "../parse.ts";

export const guidelinesQuerySchema = z.object({
  version: z.coerce.number().int().positive().max(2_147_483_647).optional(),
});

/**
 * What surrounds the labeling loop: the caller's own progress and queue state, changing their
 * last label while its item waits, the project's guidelines, and flags raised for a lead.
 */
export function registerLabelingRoutes(router: Router, quorum: QuorumContext): void {
  router.get(
    "/projects/:id/queue/mine",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: { status: await labelingStatus(db, user, parseId(request.params.id, "Project id")) },
    })),
  );

  router.get(
    "/projects/:id/guidelines",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      const { version } = parseQuery(guidelinesQuerySchema, request.query);
      const projectId = parseId(request.params.id, "Project id");
      return { body: { guidelines: await getGuidelines(db, user, projectId, version) } };
    }),
  );

  router.get(
    "/projects/:id/guidelines/versions",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: {
        versions: await listGuidelineVersions(db, user, parseId(request.params.id, "Project id")),
      },
    })),
  );

  router.put(
    "/projects/:id/guidelines",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      status: 201,
      body: {
        guidelines: await saveGuidelines(
          db,
          user,
          parseId(request.params.id, "Project id"),
          request.body,
        ),
      },
    })),
  );

  router.put(
    "/items/:id/annotations/mine",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: {
        annotation: await reviseAnnotation(
          db,
          user,
          parseId(request.params.id, "Item id"),
          request.body,
        ),
      },
    })),
  );

  router.post(
    "/items/:id/flags",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      status: 201,
      body: { flag: await flagItem(db, user, parseId(request.params.id, "Item id"), request.body) },
    })),
  );

  router.get(
    "/projects/:id/flags",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      const { status } = parseQuery(flagListQuerySchema, request.query);
      return { body: await listFlags(db, user, parseId(request.params.id, "Project id"), status) };
    }),
  );

  router.post(
    "/flags/:id/release",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: { flag: await releaseFlag(db, user, parseId(request.params.id, "Flag id")) },
    })),
  );

  router.post(
    "/flags/:id/reassign",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: {
        flag: await reassignFlag(db, user, parseId(request.params.id, "Flag id"), request.body),
      },
    })),
  );
}
