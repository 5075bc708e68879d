import { createCookie, type Cookie } from "@remix-run/node";
import type { Kysely } from "kysely";
import type { Database, User } from "../../db/schema.ts";
import { unauthorized } from "../errors.ts";
import { apiTokenUser, sessionUser, type CredentialRef } from "../services/auth.ts";

export const SESSION_COOKIE_NAME = "quorum_session";

/**
 * The session cookie holds only the session's random token (signed); the session itself is a
 * database row, so it can be revoked. httpOnly keeps it from scripts, SameSite=Lax keeps it off
 * cross-site form posts.
 */
export function createSessionCookie(secret: string, secure: boolean): Cookie {
  return createCookie(SESSION_COOKIE_NAME, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure,
    secrets: [secret],
  });
}

export interface Credentials {
  cookieHeader: string | null;
  authorizationHeader: string | null;
  /** `?token=` on a WebSocket URL, where scripts cannot set headers. */
  queryToken?: string | null;
}

export type CredentialKind = "token" | "session";

/**
 * The one way a request is authenticated, for the API, the Remix routes and the sync server:
 * a bearer token (header or `?token=`) or the session cookie. A credential that is present but
 * invalid is an error rather than silently anonymous.
 */
export async function authenticate(
  db: Kysely<Database>,
  sessionCookie: Cookie,
  credentials: Credentials,
): Promise<{ user: User; via: CredentialKind; credential: CredentialRef } | null> {
  const bearer = parseBearer(credentials.authorizationHeader) ?? credentials.queryToken ?? null;
  if (bearer !== null) {
    const found = await apiTokenUser(db, bearer);
    if (!found) throw unauthorized("The API token is invalid or has been revoked");
    return { ...found, via: "token" };
  }
  const sessionToken = await readSessionToken(sessionCookie, credentials.cookieHeader);
  if (!sessionToken) return null;
  const found = await sessionUser(db, sessionToken);
  return found ? { ...found, via: "session" } : null;
}

export async function readSessionToken(
  sessionCookie: Cookie,
  cookieHeader: string | null,
): Promise<string | null> {
  if (!cookieHeader) return null;
  const value: unknown = await sessionCookie.parse(cookieHeader);
  return typeof value === "string" && value.length > 0 ? value : null;
}

function parseBearer(header: string | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized("The Authorization header must be `Bearer <token>`");
  return match[1];
}
