import type { Request, RequestHandler } from "express";
import { AppError } from "../errors.ts";
import { SESSION_COOKIE_NAME } from "./credentials.ts";

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

type TrustProxy = (address: string | undefined, hop: number) => boolean;

/** Whether the request came through a proxy Express trusts (TRUST_PROXY). */
function fromTrustedProxy(request: Request): boolean {
  return (request.app.get("trust proxy fn") as TrustProxy)(request.socket.remoteAddress, 0);
}

/**
 * The host the client addressed: the first X-Forwarded-Host when the proxy that sent it is trusted
 * (TRUST_PROXY), as Express reads it for `request.hostname`; the Host header otherwise.
 */
function addressedHost(request: Request): string | undefined {
  const forwarded = request.get("x-forwarded-host")?.split(",")[0]?.trim();
  if (forwarded && fromTrustedProxy(request)) return forwarded;
  return request.headers.host;
}

/** Whether an Origin or Referer header names the host the client addressed. */
function namesOurHost(request: Request, source: string | undefined): boolean {
  if (source === undefined) return false;
  try {
    return new URL(source).host === addressedHost(request);
  } catch {
    return false;
  }
}

/**
 * CSRF defence for cookie-authenticated requests: a state-changing request that carries the
 * session cookie must come from a page of our own origin. SameSite=Lax already keeps the cookie
 * off cross-site posts; this also covers same-site subdomains and old browsers. Requests
 * authenticated by a bearer token carry no ambient credential and need no check.
 */
function isSameOrigin(request: Request): boolean {
  const carriesSession = request.headers.cookie?.includes(`${SESSION_COOKIE_NAME}=`) ?? false;
  if (safeMethods.has(request.method) || !carriesSession || request.headers.authorization) {
    return true;
  }
  return namesOurHost(request, request.headers.origin ?? request.headers.referer);
}

const REFUSED = "Cross-origin request refused";

/** The API's rule: the cookie check above, refused in the contract's error shape. */
export const requireSameOrigin: RequestHandler = (request, response, next) => {
  if (isSameOrigin(request)) {
    next();
    return;
  }
  request.log.info({ origin: request.headers.origin ?? null }, REFUSED);
  const error = new AppError("forbidden", REFUSED);
  response.status(error.status).json(error.toBody());
};

/**
 * The pages' rule: the cookie check, and any state-changing request that names another Origin,
 * with or without a cookie (the login and invite forms are posted without one). Remix aborts those
 * actions itself, but as a blank 500 logged as an error; this refuses them first, as a 403.
 *
 * Remix compares the Origin with X-Forwarded-Host whenever it is sent, trusted or not: one from a
 * proxy that is not trusted is dropped here, so that Remix sees the host this check saw (and
 * builds the page's URL from it, as Express does).
 */
export const requireSameOriginPage: RequestHandler = (request, response, next) => {
  if (!fromTrustedProxy(request)) delete request.headers["x-forwarded-host"];
  const origin = request.headers.origin;
  const foreignOrigin =
    !safeMethods.has(request.method) && origin !== undefined && !namesOurHost(request, origin);
  if (!foreignOrigin && isSameOrigin(request)) {
    next();
    return;
  }
  request.log.info({ origin: origin ?? null }, REFUSED);
  response.status(403).type("text/plain").send(REFUSED);
};
