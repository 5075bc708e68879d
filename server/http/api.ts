import express, { type ErrorRequestHandler, type Router } from "express";
import { z } from "zod";
import type { QuorumContext } from "../context.ts";
import { AppError, badRequest, fieldErrors, validationFailed } from "../errors.ts";
import { createApiToken, listApiTokens, revokeApiToken } from "../services/auth.ts";
import { publicUser } from "../services/users.ts";
import { listVisibleProjects, getVisibleProject } from "../services/projects.ts";
import { apiHandler, authenticatedHandler, sendError } from "./handler.ts";
import { mountImportRoutes } from "./import-api.ts";
import { requireSameOrigin } from "./same-origin.ts";

const idParameter = z.coerce.number().int().positive();

export function parseId(value: unknown, what: string): number {
  const parsed = idParameter.safeParse(value);
  if (!parsed.success) throw badRequest(`${what} must be a positive integer`);
  return parsed.data;
}

export function parseBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw validationFailed("The request body is not valid", fieldErrors(parsed.error.issues));
  }
  return parsed.data;
}

const newTokenSchema = z.object({ name: z.string().trim().min(1).max(100) });

/** The JSON API under /api/v1. Every response, success or error, is JSON in the contract's shape. */
export function createApiRouter(quorum: QuorumContext): Router {
  const router = express.Router();

  router.use(requireSameOrigin);
  mountImportRoutes(router, quorum);
  router.use(requireJsonBody);
  router.use(express.json({ limit: quorum.config.maxBodyBytes, strict: false }));

  router.get(
    "/me",
    authenticatedHandler(quorum, async ({ user }) => ({ body: { user: publicUser(user) } })),
  );

  router.get(
    "/tokens",
    authenticatedHandler(quorum, async ({ quorum: { db }, user }) => ({
      body: {
        tokens: (await listApiTokens(db, user.id)).map((token) => ({
          id: token.id,
          name: token.name,
          prefix: token.token_prefix,
          createdAt: token.created_at.toISOString(),
          lastUsedAt: token.last_used_at?.toISOString() ?? null,
          revokedAt: token.revoked_at?.toISOString() ?? null,
        })),
      },
    })),
  );

  router.post(
    "/tokens",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      const { name } = parseBody(newTokenSchema, request.body);
      const created = await createApiToken(db, user.id, name);
      return {
        status: 201,
        body: {
          id: created.id,
          name: created.name,
          prefix: created.prefix,
          token: created.token,
          createdAt: created.createdAt.toISOString(),
        },
      };
    }),
  );

  router.delete(
    "/tokens/:id",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      await revokeApiToken(db, user.id, parseId(request.params.id, "Token id"));
      return undefined;
    }),
  );

  router.get(
    "/projects",
    authenticatedHandler(quorum, async ({ quorum: { db }, user }) => ({
      body: { projects: await listVisibleProjects(db, user) },
    })),
  );

  router.get(
    "/projects/:id",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: {
        project: await getVisibleProject(db, user, parseId(request.params.id, "Project id")),
      },
    })),
  );

  router.use(
    apiHandler(quorum, async ({ request }) => {
      throw new AppError("not_found", `No API route ${request.method} ${request.originalUrl}`);
    }),
  );
  router.use(apiErrorHandler(quorum));
  return router;
}

const bodyMethods = new Set(["POST", "PUT", "PATCH"]);

/** Bodies are JSON (NDJSON where an endpoint says so); anything else is refused before parsing. */
const requireJsonBody: express.RequestHandler = (request, response, next) => {
  const hasBody =
    bodyMethods.has(request.method) &&
    (Number(request.headers["content-length"] ?? 0) > 0 ||
      request.headers["transfer-encoding"] !== undefined);
  if (hasBody && !request.is(["application/json", "application/x-ndjson", "+json"])) {
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

interface BodyParserError {
  type: string;
  status?: number;
  limit?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === "object" && error !== null && "type" in error && "status" in error;
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
      if (error.type === "encoding.unsupported" || error.type === "charset.unsupported") {
        sendError(response, new AppError("unsupported_media_type", "Unsupported body encoding"));
        return;
      }
    }
    request.log.error({ err: error }, "unhandled API error");
    sendError(response, new AppError("internal", "Something went wrong on our side"));
  };
}
