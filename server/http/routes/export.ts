import { once } from "node:events";
import type { Response, Router } from "express";
import { ITEMS_WITH_OTHER_ROLES_HEADER } from "../../../app/domain/export.ts";
import type { QuorumContext } from "../../context.ts";
import { AppError } from "../../errors.ts";
import { PerUserLimit } from "../../per-user-limit.ts";
import { parseExportQuery, prepareExport } from "../../services/export.ts";
import { authenticatedHandler } from "../handler.ts";
import { parseId } from "../parse.ts";

/**
 * How long a caller at the cap is asked to wait: an export's length depends on the project, so
 * this is a pace to poll at rather than a promise.
 */
const EXPORT_RETRY_AFTER_SECONDS = 5;

/**
 * Writes a chunk, waiting while the client is slower than the export so that what is read
 * ahead stays in the export's spool; false once the client has gone.
 */
async function writeChunk(response: Response, chunk: string): Promise<boolean> {
  if (response.destroyed) return false;
  if (response.write(chunk)) return true;
  await Promise.race([once(response, "drain"), once(response, "close")]);
  return !response.destroyed;
}

export function registerExportRoutes(router: Router, quorum: QuorumContext): void {
  const running = new PerUserLimit(quorum.config.exportMaxConcurrentPerUser);

  /** Counts an export of the user until `release`. The count is per instance, as for event streams. */
  function reserveExport(userId: number, response: Response): () => void {
    const release = running.tryReserve(userId);
    if (release) return release;
    response.setHeader("Retry-After", String(EXPORT_RETRY_AFTER_SECONDS));
    throw new AppError(
      "rate_limited",
      `At most ${running.max} exports at once per user; wait for one to finish and try again`,
    );
  }

  router.get(
    "/projects/:id/export",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request, response }) => {
      const release = reserveExport(user.id, response);
      const clientGone = new AbortController();
      response.once("close", () => clientGone.abort());
      try {
        const projectId = parseId(request.params.id, "Project id");
        const options = parseExportQuery(request.query);
        // Everything that can be refused is checked before the first byte, so that errors keep
        // the contract's shape; after that, a failure can only cut the stream short.
        const prepared = await prepareExport(db, user, projectId, options);
        const running = prepared.start(clientGone.signal);
        try {
          const summary = await running.summary;
          response.status(200);
          response.setHeader("Content-Type", prepared.contentType);
          response.setHeader("Content-Disposition", `attachment; filename="${prepared.fileName}"`);
          response.setHeader("Cache-Control", "no-store");
          if (summary.itemsWithOtherRoles !== null) {
            response.setHeader(ITEMS_WITH_OTHER_ROLES_HEADER, String(summary.itemsWithOtherRoles));
          }
          for await (const chunk of running.chunks()) {
            if (!(await writeChunk(response, chunk))) return undefined;
          }
        } finally {
          await running.close();
        }
        if (!response.destroyed) response.end();
        return undefined;
      } finally {
        release();
      }
    }),
  );
}
