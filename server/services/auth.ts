import { createHash, randomBytes } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database, User } from "../../db/schema.ts";
import { AppError, notFound, unauthorized } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { spendPasswordCheck, verifyPassword } from "./passwords.ts";
import { findUserByEmail } from "./users.ts";

/** Sessions and tokens are stored as hashes, so a database leak hands out no credentials. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

const LOGIN_WINDOW_MS = 15 * 60 * 1000;
const SESSION_TOUCH_INTERVAL_MS = 60 * 1000;
export const API_TOKEN_PREFIX = "qrm_";

export interface LoginRequest {
  email: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
}

export interface LoginPolicy {
  /** Failed attempts per account in the window before its logins are refused. */
  maxFailures: number;
  /** Failed attempts per client address in the window, across accounts, likewise. */
  maxFailuresPerIp: number;
  sessionTtlMs: number;
}

/**
 * Checks the password and opens a session. Failed attempts are counted in the database (so the
 * limits hold across instances), per email and per client address; past either limit, logins
 * are refused for the rest of the window, whatever the password. Counting and recording are one
 * step (see `admitLoginAttempt`), so parallel attempts cannot all pass the count before any is
 * recorded: at most the limit's number of passwords is ever checked.
 */
export async function logIn(
  db: Kysely<Database>,
  request: LoginRequest,
  policy: LoginPolicy,
): Promise<{ user: User; sessionToken: string; expiresAt: Date }> {
  const email = request.email.trim().toLowerCase();
  const attemptId = await admitLoginAttempt(db, email, request.ip, policy);

  const user = await findUserByEmail(db, email);
  const passwordMatches =
    user?.password_hash && !user.disabled_at
      ? await verifyPassword(user.password_hash, request.password)
      : (await spendPasswordCheck(request.password), false);

  if (passwordMatches) {
    await db
      .updateTable("login_attempts")
      .set({ succeeded: true })
      .where("id", "=", attemptId)
      .execute();
  }
  if (!user || !passwordMatches) throw unauthorized("Email or password is incorrect");

  const { sessionToken, expiresAt } = await openSession(db, user.id, request, policy.sessionTtlMs);
  return { user, sessionToken, expiresAt };
}

/**
 * Opens a session for a user whose identity is settled (a password checked, a one-time link
 * redeemed) and records the sign-in as the user's latest.
 */
export async function openSession(
  db: Kysely<Database>,
  userId: number,
  client: { ip: string | null; userAgent: string | null },
  sessionTtlMs: number,
): Promise<{ sessionToken: string; expiresAt: Date }> {
  const sessionToken = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + sessionTtlMs);
  await db
    .insertInto("sessions")
    .values({
      id: hashSecret(sessionToken),
      user_id: userId,
      expires_at: expiresAt,
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 500) ?? null,
    })
    .execute();
  await db
    .updateTable("users")
    .set({ last_seen_at: new Date() })
    .where("id", "=", userId)
    .execute();
  return { sessionToken, expiresAt };
}

/**
 * Counts the failed attempts on the account and from the address within the window and, when
 * both are under their limits, records this attempt as failed, all in one transaction holding
 * an advisory lock per account and per address: a parallel attempt waits until this one is
 * recorded, then counts it. The attempt is marked succeeded only once its password matched, so
 * attempts still being checked count against the limits too. Returns the attempt's id; throws
 * `rate_limited` when a limit is reached, recording nothing.
 */
async function admitLoginAttempt(
  db: Kysely<Database>,
  email: string,
  ip: string | null,
  policy: LoginPolicy,
): Promise<number> {
  const since = new Date(Date.now() - LOGIN_WINDOW_MS);
  return db.transaction().execute(async (trx) => {
    // Always the account's lock first, then the address's: no two attempts wait on each other
    // in opposite orders.
    await sql`select pg_advisory_xact_lock(hashtext('quorum:login:account'), hashtext(${email}))`.execute(
      trx,
    );
    if (ip !== null) {
      await sql`select pg_advisory_xact_lock(hashtext('quorum:login:ip'), hashtext(${ip}))`.execute(
        trx,
      );
    }
    const counts = await trx
      .selectFrom("login_attempts")
      .select((eb) => [
        eb.fn
          .countAll<number>()
          .filterWhere(eb(eb.fn("lower", ["email"]), "=", email))
          .as("accountFailures"),
        eb.fn
          .countAll<number>()
          .filterWhere("ip", "=", ip ?? "")
          .as("ipFailures"),
      ])
      .where("succeeded", "=", false)
      .where("created_at", ">", since)
      .where((eb) =>
        ip === null
          ? eb(eb.fn("lower", ["email"]), "=", email)
          : eb.or([eb(eb.fn("lower", ["email"]), "=", email), eb("ip", "=", ip)]),
      )
      .executeTakeFirstOrThrow();
    if (Number(counts.accountFailures) >= policy.maxFailures) {
      throw new AppError(
        "rate_limited",
        "Too many failed sign-in attempts for this account; try again in 15 minutes",
      );
    }
    if (ip !== null && Number(counts.ipFailures) >= policy.maxFailuresPerIp) {
      throw new AppError(
        "rate_limited",
        "Too many failed sign-in attempts from this address; try again in 15 minutes",
      );
    }
    const attempt = await trx
      .insertInto("login_attempts")
      .values({ email, ip, succeeded: false })
      .returning("id")
      .executeTakeFirstOrThrow();
    return attempt.id;
  });
}

export async function logOut(db: Kysely<Database>, sessionToken: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", hashSecret(sessionToken)).execute();
}

/**
 * A credential a request or connection was authenticated with, by its stored id: a session's
 * hash or an API token's id. Enough to find out later whether it still holds.
 */
export type CredentialRef = { kind: "session"; id: string } | { kind: "token"; id: number };

/** The user behind a live session, or null when it is unknown, expired or the user disabled. */
export async function userFromSession(
  db: Kysely<Database>,
  sessionToken: string,
): Promise<User | null> {
  return (await sessionUser(db, sessionToken))?.user ?? null;
}

/** As userFromSession, with the session's stored id. */
export async function sessionUser(
  db: Kysely<Database>,
  sessionToken: string,
): Promise<{ user: User; credential: CredentialRef } | null> {
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .selectAll("users")
    .select(["sessions.id as session_id", "sessions.last_seen_at as session_last_seen_at"])
    .where("sessions.id", "=", hashSecret(sessionToken))
    .where("sessions.expires_at", ">", new Date())
    .where("users.disabled_at", "is", null)
    .executeTakeFirst();
  if (!row) return null;
  const { session_id: sessionId, session_last_seen_at: lastSeenAt, ...user } = row;
  if (Date.now() - lastSeenAt.getTime() > SESSION_TOUCH_INTERVAL_MS) {
    await db
      .updateTable("sessions")
      .set({ last_seen_at: new Date() })
      .where("id", "=", sessionId)
      .execute();
  }
  return { user, credential: { kind: "session", id: sessionId } };
}

export async function createApiToken(
  db: Kysely<Database>,
  userId: number,
  name: string,
): Promise<{ token: string; id: number; name: string; prefix: string; createdAt: Date }> {
  const token = API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const prefix = token.slice(0, API_TOKEN_PREFIX.length + 6);
  const row = await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("api_tokens")
      .values({ user_id: userId, name, token_hash: hashSecret(token), token_prefix: prefix })
      .returning(["id", "name", "token_prefix", "created_at"])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: userId,
      action: "api_token.create",
      subjectType: "api_token",
      subjectId: inserted.id,
      details: { name, prefix },
    });
    return inserted;
  });
  return { token, id: row.id, name: row.name, prefix: row.token_prefix, createdAt: row.created_at };
}

export function listApiTokens(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom("api_tokens")
    .select(["id", "name", "token_prefix", "created_at", "last_used_at", "revoked_at"])
    .where("user_id", "=", userId)
    .orderBy("id", "desc")
    .execute();
}

export async function revokeApiToken(
  db: Kysely<Database>,
  userId: number,
  tokenId: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable("api_tokens")
      .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
      .where("id", "=", tokenId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw notFound("No such token");
    await recordAudit(trx, {
      actorId: userId,
      action: "api_token.revoke",
      subjectType: "api_token",
      subjectId: tokenId,
    });
  });
}

/** The user an API token belongs to, or null when it is unknown, revoked or the user disabled. */
export async function userFromApiToken(db: Kysely<Database>, token: string): Promise<User | null> {
  return (await apiTokenUser(db, token))?.user ?? null;
}

/** As userFromApiToken, with the token's id. */
export async function apiTokenUser(
  db: Kysely<Database>,
  token: string,
): Promise<{ user: User; credential: CredentialRef } | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;
  const row = await db
    .selectFrom("api_tokens")
    .innerJoin("users", "users.id", "api_tokens.user_id")
    .selectAll("users")
    .select(["api_tokens.id as token_id", "api_tokens.last_used_at as token_last_used_at"])
    .where("api_tokens.token_hash", "=", hashSecret(token))
    .where("api_tokens.revoked_at", "is", null)
    .where("users.disabled_at", "is", null)
    .executeTakeFirst();
  if (!row) return null;
  const { token_id: tokenId, token_last_used_at: lastUsedAt, ...user } = row;
  if (!lastUsedAt || Date.now() - lastUsedAt.getTime() > SESSION_TOUCH_INTERVAL_MS) {
    await db
      .updateTable("api_tokens")
      .set({ last_used_at: new Date() })
      .where("id", "=", tokenId)
      .execute();
  }
  return { user, credential: { kind: "token", id: tokenId } };
}

/**
 * Which of the given credentials still hold: sessions not logged out or expired, tokens not
 * revoked, of users not disabled. Two queries, however many credentials are asked about.
 */
export async function validCredentials(
  db: Kysely<Database>,
  credentials: CredentialRef[],
): Promise<{ sessions: Set<string>; tokens: Set<number> }> {
  const sessionIds = [
    ...new Set(
      credentials.flatMap((credential) => (credential.kind === "session" ? [credential.id] : [])),
    ),
  ];
  const tokenIds = [
    ...new Set(
      credentials.flatMap((credential) => (credential.kind === "token" ? [credential.id] : [])),
    ),
  ];
  const [sessions, tokens] = await Promise.all([
    sessionIds.length === 0
      ? []
      : db
          .selectFrom("sessions")
          .innerJoin("users", "users.id", "sessions.user_id")
          .select("sessions.id")
          .where("sessions.id", "in", sessionIds)
          .where("sessions.expires_at", ">", new Date())
          .where("users.disabled_at", "is", null)
          .execute(),
    tokenIds.length === 0
      ? []
      : db
          .selectFrom("api_tokens")
          .innerJoin("users", "users.id", "api_tokens.user_id")
          .select("api_tokens.id")
          .where("api_tokens.id", "in", tokenIds)
          .where("api_tokens.revoked_at", "is", null)
          .where("users.disabled_at", "is", null)
          .execute(),
  ]);
  return {
    sessions: new Set(sessions.map((row) => row.id)),
    tokens: new Set(tokens.map((row) => row.id)),
  };
}
