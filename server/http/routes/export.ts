import { once } from "node:events";
import type { Response, Router } from "express";
import type { QuorumContext } from "../../context.ts";
import { parseExportQuery, prepareExport } from "../../services/export.ts";
import { authenticatedHandler } from "../handler.ts";
import { parseId } from "../parse.ts";

/**
 * Writes a chunk, waiting while the client is slower than the database so that a large export
 * is not buffered in memory; false once the client has gone.
 */
async function writeChunk(response: Response, chunk: string): Promise<boolean> {
  if (response.destroyed) return false;
  if (response.write(chunk)) return true;
  await Promise.race([once(response, "drain"), once(response, "close")]);
  return !response.destroyed;
}

export function registerExportRoutes(router: Router, quorum: QuorumContext): void {
  router.get(
    "/projects/:id/export",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request, response }) => {
      const projectId = parseId(request.params.id, "Project id");
      const options = parseExportQuery(request.query);
      // Everything that can be refused is checked before the first byte, so that errors keep
      // the contract's shape; after that, a failure can only cut the stream short.
      const prepared = await prepareExport(db, user, projectId, options);
      response.status(200);
      response.setHeader("Content-Type", prepared.contentType);
      response.setHeader("Content-Disposition", `attachment; filename="${prepared.fileName}"`);
      response.setHeader("Cache-Control", "no-store");
      for await (const chunk of prepared.chunks()) {
        if (chunk.length > 0 && !(await writeChunk(response, chunk))) return undefined;
      }
      response.end();
      return undefined;
    }),
  );
}
