import { performance } from "node:perf_hooks";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { User } from "../../db/schema.ts";
import type { QuorumContext } from "../context.ts";
import { type AppError, RETRY_AFTER_SECONDS, unauthorized } from "../errors.ts";
import { authenticate } from "./credentials.ts";

export interface ApiRequestContext {
  quorum: QuorumContext;
  request: Request;
  response: Response;
}

export interface AuthenticatedContext extends ApiRequestContext {
  user: User;
}

/** The result of an API handler: a JSON body, with a status other than 200 when it says so. */
export type ApiResult = { status?: number; body: unknown } | undefined;

/**
 * Wraps an async API handler: it returns its result or throws an AppError, and this turns both
 * into a response, so that no handler writes status codes or error bodies by hand.
 */
export function apiHandler(
  quorum: QuorumContext,
  handle: (context: ApiRequestContext) => Promise<ApiResult>,
): RequestHandler {
  return (request, response, next: NextFunction) => {
    handle({ quorum, request, response }).then((result) => {
      if (response.headersSent) return;
      setServerTiming(response);
      if (result === undefined) response.status(204).end();
      else response.status(result.status ?? 200).json(result.body);
    }, next);
  };
}

/** Like apiHandler, for endpoints that need a signed-in user (token or session). */
export function authenticatedHandler(
  quorum: QuorumContext,
  handle: (context: AuthenticatedContext) => Promise<ApiResult>,
): RequestHandler {
  return apiHandler(quorum, async (context) => {
    const authenticated = await authenticate(quorum.db, quorum.sessionCookie, {
      cookieHeader: context.request.headers.cookie ?? null,
      authorizationHeader: context.request.headers.authorization ?? null,
    });
    if (!authenticated) throw unauthorized();
    return handle({ ...context, user: authenticated.user });
  });
}

/**
 * `Server-Timing: app;dur=<ms>`: the time from the request's arrival to its response, so that
 * clients and benchmarks can tell the server's share of a round trip.
 */
function setServerTiming(response: Response): void {
  const receivedAt = response.locals.receivedAt;
  if (typeof receivedAt === "number") {
    response.setHeader("Server-Timing", `app;dur=${(performance.now() - receivedAt).toFixed(2)}`);
  }
}

export function sendError(response: Response, error: AppError): void {
  if (error.code === "unavailable") response.setHeader("Retry-After", String(RETRY_AFTER_SECONDS));
  response.status(error.status).json(error.toBody());
}
