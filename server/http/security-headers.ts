import { randomBytes } from "node:crypto";
import type { RequestHandler } from "express";

/** A Host header that can be written into a CSP source expression as it is. */
const plainHost = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The Content-Security-Policy of the production app (docs/decisions/017-hardening.md):
 * - scripts only from this origin, plus Remix's inline scripts, which carry the request's
 *   nonce; no script from item content can run even if markup got through the sanitiser;
 * - styles from this origin and inline: server-rendered `style` attributes (progress bars,
 *   presence colours), KaTeX's sized boxes and CodeMirror's runtime stylesheets need them, and
 *   a style cannot run code;
 * - images and fonts from this origin or `data:` (Vite inlines small assets, KaTeX fonts);
 * - fetches and the sync WebSocket to this origin only;
 * - no plugins, no `<base>`, forms posting only here, and no framing at all.
 */
export function contentSecurityPolicy(nonce: string, host: string | undefined): string {
  const sockets = host && plainHost.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Vite's development server injects scripts and opens its own WebSocket on another port, so in
 * dev mode the policy keeps only what does not get in its way.
 */
const developmentPolicy = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Security headers on every response, pages, API, assets and errors alike. Each request gets a
 * fresh nonce in `response.locals.cspNonce`, which the page renderer puts on Remix's scripts.
 */
export function securityHeaders(options: { development: boolean }): RequestHandler {
  return (request, response, next) => {
    const nonce = randomBytes(16).toString("base64");
    response.locals.cspNonce = nonce;
    response.setHeader(
      "Content-Security-Policy",
      options.development ? developmentPolicy : contentSecurityPolicy(nonce, request.headers.host),
    );
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "same-origin");
    next();
  };
}
