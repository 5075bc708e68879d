import type { RequestHandler } from "express";
import { AppError } from "../errors.ts";
import { SESSION_COOKIE_NAME } from "./credentials.ts";

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence for cookie-authenticated requests: a state-changing request that carries the
 * session cookie must come from a page of our own origin. SameSite=Lax already keeps the cookie
 * off cross-site posts; this also covers same-site subdomains and old browsers. Requests
 * authenticated by a bearer token carry no ambient credential and need no check.
 */
export const requireSameOrigin: RequestHandler = (request, response, next) => {
  const carriesSession = request.headers.cookie?.includes(`${SESSION_COOKIE_NAME}=`) ?? false;
  if (safeMethods.has(request.method) || !carriesSession || request.headers.authorization) {
    next();
    return;
  }
  const source = request.headers.origin ?? request.headers.referer;
  let sourceHost: string | null = null;
  try {
    sourceHost = source ? new URL(source).host : null;
  } catch {
    sourceHost = null;
  }
  if (sourceHost !== null && sourceHost === request.headers.host) {
    next();
    return;
  }
  const error = new AppError("forbidden", "Cross-origin request refused");
  response.status(error.status).json(error.toBody());
};
