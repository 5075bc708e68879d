import { isUtf8 } from "node:buffer";
import express, { type ErrorRequestHandler, type Router } from "express";
import type { QuorumContext } from "../context.ts";
import { AppError, badRequest, databaseAppError } from "../errors.ts";
import { requireCleanText } from "./clean-text.ts";
import { apiHandler, sendError } from "./handler.ts";
import { registerProjectRoutes } from "./routes/projects.ts";
import { registerQualityRoutes } from "./routes/quality.ts";
import { registerAdjudicationRoutes } from "./routes/adjudication.ts";
import { registerAccountRoutes } from "./routes/account.ts";
import { registerWorkRoutes } from "./routes/work.ts";
import { registerExportRoutes } from "./routes/export.ts";
import { registerEventRoutes } from "./routes/events.ts";
import { registerUserRoutes } from "./routes/users.ts";
import { registerLabelingRoutes } from "./routes/labeling.ts";
import { registerWebhookRoutes } from "./routes/webhooks.ts";
import { mountImportRoutes } from "./import-api.ts";
import { requireSameOrigin } from "./same-origin.ts";
import { openApiDocumentHandler } from "./openapi/serve.ts";

/** The JSON API under /api/v1. Every response, success or error, is JSON in the contract's shape. */
export function createApiRouter(quorum: QuorumContext): Router {
  const router = express.Router();

  // The one public, cacheable answer of the API: mounted before `noStore` and authentication.
  router.get("/openapi.json", openApiDocumentHandler(quorum.version));
  router.use(noStore);
  router.use(requireSameOrigin);
  router.use(requireCleanText);
  mountImportRoutes(router, quorum);
  router.use(requireJsonBody);
  router.use(
    express.json({
      limit: quorum.config.maxBodyBytes,
      strict: false,
      type: jsonMediaTypes,
      verify: requireUtf8,
    }),
  );
  router.use(requireCleanText);

  registerAccountRoutes(router, quorum);
  registerProjectRoutes(router, quorum);
  registerWorkRoutes(router, quorum);
  registerQualityRoutes(router, quorum);
  registerAdjudicationRoutes(router, quorum);
  registerExportRoutes(router, quorum);
  registerEventRoutes(router, quorum);
  registerUserRoutes(router, quorum);
  registerLabelingRoutes(router, quorum);
  registerWebhookRoutes(router, quorum);

  router.use(
    apiHandler(quorum, async ({ request }) => {
      throw new AppError("not_found", `No API route ${request.method} ${request.originalUrl}`);
    }),
  );
  router.use(apiErrorHandler(quorum));
  return router;
}

/** API answers are personal and current: no browser or proxy may keep a copy. */
const noStore: express.RequestHandler = (_request, response, next) => {
  response.setHeader("Cache-Control", "no-store");
  next();
};

const bodyMethods = new Set(["POST", "PUT", "PATCH"]);

/**
 * The media types of the bodies the JSON parser reads, and so the only ones let through to it: a
 * body of another type would pass unread and be judged as missing. (Imports, mounted before, read
 * their own types.)
 */
const jsonMediaTypes = ["application/json"];

/** Bodies are JSON; anything else is refused before parsing. */
const requireJsonBody: express.RequestHandler = (request, response, next) => {
  const hasBody =
    bodyMethods.has(request.method) &&
    (Number(request.headers["content-length"] ?? 0) > 0 ||
      request.headers["transfer-encoding"] !== undefined);
  if (hasBody && !request.is(jsonMediaTypes)) {
    sendError(
      response,
      new AppError(
        "unsupported_media_type",
        `Content-Type must be application/json, not ${request.headers["content-type"] ?? "(none)"}`,
      ),
    );
    return;
  }
  next();
};

/** The `type` of the error `requireUtf8` throws, as the body parser passes it on. */
const NOT_UTF8 = "entity.not.utf8";

/**
 * JSON bodies are UTF-8 (RFC 8259). The parser would decode other bytes into replacement
 * characters and store them as if sent: refused instead, as imports refuse them.
 */
function requireUtf8(_request: unknown, _response: unknown, body: Buffer, charset: string): void {
  if (charset !== "utf-8") {
    throw Object.assign(new Error(`unsupported charset ${charset}`), {
      type: "charset.unsupported",
    });
  }
  if (!isUtf8(body)) throw Object.assign(new Error("body is not UTF-8"), { type: NOT_UTF8 });
}

interface BodyParserError {
  type: string;
  status?: number;
  limit?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === "object" && error !== null && "type" in error && "status" in error;
}

/**
 * A body whose Content-Encoding (gzip, deflate) did not unpack: the body parser passes zlib's own
 * error on, with a `Z_` code and its status 400 but no `type`.
 */
function isUnpackError(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "status" in error &&
    error.status === 400 &&
    "code" in error &&
    typeof error.code === "string" &&
    error.code.startsWith("Z_")
  );
}

function apiErrorHandler(quorum: QuorumContext): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    if (error instanceof AppError) {
      sendError(response, error);
      return;
    }
    if (isBodyParserError(error)) {
      if (error.type === "entity.parse.failed") {
        sendError(response, badRequest("The request body is not valid JSON"));
        return;
      }
      if (error.type === "entity.too.large") {
        sendError(
          response,
          new AppError(
            "payload_too_large",
            `The request body is larger than the limit of ${quorum.config.maxBodyBytes} bytes`,
          ),
        );
        return;
      }
      if (error.type === NOT_UTF8) {
        sendError(response, badRequest("The request body is not valid UTF-8"));
        return;
      }
      if (error.type === "encoding.unsupported" || error.type === "charset.unsupported") {
        sendError(response, new AppError("unsupported_media_type", "Unsupported body encoding"));
        return;
      }
    }
    if (isUnpackError(error)) {
      const encoding = request.headers["content-encoding"] ?? "compressed";
      sendError(
        response,
        badRequest(
          `The request body says it is ${encoding} but could not be unpacked: it may be damaged`,
        ),
      );
      return;
    }
    const fromDatabase = databaseAppError(error);
    if (fromDatabase) {
      request.log.warn({ err: error }, `API request failed: ${fromDatabase.message}`);
      sendError(response, fromDatabase);
      return;
    }
    request.log.error({ err: error }, "unhandled API error");
    sendError(response, new AppError("internal", "Something went wrong on our side"));
  };
}
