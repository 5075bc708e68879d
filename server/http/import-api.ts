import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { Request, Response, Router } from "express";
import type { QuorumContext } from "../context.ts";
import { AppError, badRequest } from "../errors.ts";
import { requireProjectPermission } from "../permissions.ts";
import {
  acceptedMediaTypes,
  formatOfMediaType,
  importFormats,
  importItems,
  isImportFormat,
  readImport,
  type ImportFormat,
} from "../services/import/index.ts";
import { parseLabelStudioImportQuery } from "../services/import/formats.ts";
import { loadProjectModel } from "../services/project-model.ts";
import { parseId } from "./parse.ts";
import { authenticatedHandler } from "./handler.ts";

/**
 * `POST /projects/:id/items`: imports a file of items. It reads its own body, with its own limit
 * (IMPORT_MAX_BYTES, far above the JSON API's), so it is mounted before the JSON body parser.
 */
export function mountImportRoutes(router: Router, quorum: QuorumContext): void {
  router.post(
    "/projects/:id/items",
    authenticatedHandler(
      quorum,
      async ({ quorum: { db, dbKind, config, log }, user, request, response }) => {
        const projectId = parseId(request.params.id, "Project id");
        await requireProjectPermission(db, user, projectId, "project.import");
        const format = requestFormat(request);
        const labelStudio = parseLabelStudioImportQuery(request.query, user.email);
        const text = await readBody(request, response, config.importMaxBytes);
        const project = await loadProjectModel(db, projectId);
        const parsed = readImport(text, format, project.template, labelStudio);
        const summary = await importItems(db, {
          projectId,
          actor: user,
          rows: parsed.rows,
          readErrors: parsed.errors,
          format,
          qualityInTransaction: dbKind === "postgres",
          onQualityError: (error) =>
            log.warn(
              { err: error, projectId },
              "the import is stored without its quality figures; the next request computes them",
            ),
        });
        // The server then keeps a large project's figures ready to patch (`QualityAhead`).
        const { created, unchanged, annotations } = summary;
        return {
          status: created > 0 || annotations > 0 ? 201 : 200,
          body: { created, unchanged, annotations },
        };
      },
    ),
  );
}

/** `?format=` when given, otherwise the Content-Type. */
function requestFormat(request: Request): ImportFormat {
  const requested = request.query.format;
  if (requested !== undefined) {
    if (typeof requested === "string" && isImportFormat(requested)) return requested;
    throw badRequest(`format must be one of ${importFormats.join(", ")}`);
  }
  const contentType = request.headers["content-type"];
  const format = formatOfMediaType(contentType);
  if (!format) {
    throw new AppError(
      "unsupported_media_type",
      `Content-Type must be one of ${acceptedMediaTypes.join(", ")} (or name the format with ?format=), not ${contentType ?? "(none)"}`,
    );
  }
  const charset = /charset=([^;]+)/i
    .exec(contentType ?? "")?.[1]
    ?.trim()
    .toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    throw new AppError("unsupported_media_type", `Import files must be UTF-8, not ${charset}`);
  }
  return format;
}

function tooLarge(response: Response, limit: number): AppError {
  // The rest of an over-limit body is not worth reading: close the connection after answering.
  response.setHeader("Connection", "close");
  return new AppError(
    "payload_too_large",
    `The upload is larger than the import limit of ${limit} bytes (IMPORT_MAX_BYTES)`,
  );
}

/**
 * Reads the body as UTF-8 text, refusing it before reading when Content-Length is over the
 * limit and as soon as the bytes read pass it otherwise (chunked uploads). A gzip body
 * (`Content-Encoding: gzip`, as `curl --data-binary @items.jsonl.gz` sends with that header) is
 * unpacked as it arrives, and the limit holds for what it unpacks to: a small archive of a huge
 * file is refused as soon as it has unpacked past the limit.
 */
function readBody(request: Request, response: Response, limit: number): Promise<string> {
  const encoding = request.headers["content-encoding"]?.trim().toLowerCase();
  const gzipped = encoding === "gzip" || encoding === "x-gzip";
  if (encoding !== undefined && encoding !== "identity" && !gzipped) {
    return Promise.reject(
      new AppError(
        "unsupported_media_type",
        `Content-Encoding ${encoding} is not supported: send the file as it is, or gzip it`,
      ),
    );
  }
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > limit) return Promise.reject(tooLarge(response, limit));
  const gunzip = gzipped ? createGunzip() : null;
  const unpacked: Readable = gunzip ? request.pipe(gunzip) : request;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      cleanUp();
      if (gunzip) {
        request.unpipe(gunzip);
        gunzip.destroy();
      }
      request.pause();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        stop();
        reject(tooLarge(response, limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanUp();
      try {
        resolve(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(badRequest("The upload is not valid UTF-8 text"));
      }
    };
    const onError = (error: Error) => {
      stop();
      reject(
        gzipped && error !== undefined && "code" in error && String(error.code).startsWith("Z_")
          ? badRequest("The upload says it is gzip but could not be unpacked: it may be damaged")
          : error,
      );
    };
    const cleanUp = () => {
      unpacked.off("data", onData);
      unpacked.off("end", onEnd);
      unpacked.off("error", onError);
      request.off("error", onError);
    };
    unpacked.on("data", onData);
    unpacked.on("end", onEnd);
    unpacked.on("error", onError);
    if (gzipped) request.on("error", onError);
  });
}
