import type { Router } from "express";
import type { QuorumContext } from "../../context.ts";
import { projectQuality } from "../../services/quality.ts";
import { parseId } from "../parse.ts";
import { authenticatedHandler } from "../handler.ts";

/** `GET /projects/:id/quality`: gold accuracy, junior review record and agreement per field. */
export function registerQualityRoutes(router: Router, quorum: QuorumContext): void {
  router.get(
    "/projects/:id/quality",
    authenticatedHandler(quorum, async ({ quorum: { db, config, closing }, user, request }) => ({
      body: {
        // A large project's figures may lag its data by at most one quality event interval,
        // the same bound the event stream's snapshots keep, and are kept within it in the
        // background for a while after each request, until the server closes.
        quality: await projectQuality(db, user, parseId(request.params.id, "Project id"), {
          maxStaleMs: config.qualityEventMs,
          refreshUntil: closing,
        }),
      },
    })),
  );
}
