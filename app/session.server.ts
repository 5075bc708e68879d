import { redirect, type AppLoadContext } from "@remix-run/node";
import type { User } from "../db/schema.ts";
import { authenticate, readSessionToken } from "../server/http/credentials.ts";
import { logIn, logOut } from "../server/services/auth.ts";

/**
 * Pages authenticate by the session cookie alone: API tokens are for scripts calling /api/v1,
 * and a page that accepted them would let a stray Authorization header stand in for a login.
 */
export async function getUser(request: Request, context: AppLoadContext): Promise<User | null> {
  const { db, sessionCookie } = context.quorum;
  const authenticated = await authenticate(db, sessionCookie, {
    cookieHeader: request.headers.get("Cookie"),
    authorizationHeader: null,
  });
  return authenticated?.user ?? null;
}

/** The signed-in user; anyone else is sent to the login page and brought back afterwards. */
export async function requireUser(request: Request, context: AppLoadContext): Promise<User> {
  const user = await getUser(request, context);
  if (user) return user;
  const url = new URL(request.url);
  const searchParams = new URLSearchParams({ redirectTo: `${url.pathname}${url.search}` });
  throw redirect(`/login?${searchParams}`, { headers: await clearSessionHeaders(context) });
}

/** For pages that only make sense signed out, such as the login form. */
export async function requireAnonymous(request: Request, context: AppLoadContext): Promise<void> {
  if (await getUser(request, context)) throw redirect("/projects");
}

export async function startSession(
  request: Request,
  context: AppLoadContext,
  credentials: { email: string; password: string },
): Promise<{ user: User; headers: Headers }> {
  const { db, config, sessionCookie } = context.quorum;
  const { user, sessionToken, expiresAt } = await logIn(
    db,
    {
      ...credentials,
      ip: context.clientIp,
      userAgent: request.headers.get("User-Agent"),
    },
    {
      maxFailures: config.loginMaxFailures,
      maxFailuresPerIp: config.loginMaxFailuresPerIp,
      sessionTtlMs: config.sessionTtlMs,
    },
  );
  const headers = new Headers({
    "Set-Cookie": await sessionCookie.serialize(sessionToken, { expires: expiresAt }),
  });
  return { user, headers };
}

/** Deletes the session row, so the cookie is worthless even if a copy of it survives. */
export async function endSession(request: Request, context: AppLoadContext): Promise<Headers> {
  const { db, sessionCookie } = context.quorum;
  const sessionToken = await readSessionToken(sessionCookie, request.headers.get("Cookie"));
  if (sessionToken) await logOut(db, sessionToken);
  return clearSessionHeaders(context);
}

async function clearSessionHeaders(context: AppLoadContext): Promise<Headers> {
  return new Headers({
    "Set-Cookie": await context.quorum.sessionCookie.serialize("", { expires: new Date(0) }),
  });
}

/**
 * Where to go after logging in: only a path on this site, so a crafted link cannot bounce a
 * freshly signed-in user to someone else's page.
 */
export function safeRedirectPath(target: unknown, fallback = "/projects"): string {
  if (typeof target !== "string" || !target.startsWith("/")) return fallback;
  if (target.startsWith("//") || target.startsWith("/\\")) return fallback;
  try {
    const resolved = new URL(target, "http://quorum.invalid");
    if (resolved.host !== "quorum.invalid") return fallback;
    return `${resolved.pathname}${resolved.search}${resolved.hash}`;
  } catch {
    return fallback;
  }
}
