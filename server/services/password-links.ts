import { randomBytes } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database, PasswordLinkPurpose, User } from "../../db/schema.ts";
import { fieldErrors, validationFailed } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { hashSecret, openSession } from "./auth.ts";
import { hashPassword } from "./passwords.ts";
import { passwordSchema } from "./users.ts";

/**
 * One-time links by which a person sets their password (docs/decisions/022): an invite to a new
 * account, or a reset of an existing one. The token is 32 random bytes; only its SHA-256 is
 * stored, as for sessions. A link works once, until it expires, and only while it is the user's
 * latest: issuing a new one revokes the others.
 */
const TOKEN_BYTES = 32;

/** What a link token looks like: 32 bytes in base64url. Anything else is not looked up. */
export const passwordLinkTokenPattern = /^[A-Za-z0-9_-]{43}$/;

/** Why a link cannot be used, or that it can. */
export type PasswordLinkState = "valid" | "unknown" | "used" | "revoked" | "expired";

export type PasswordLinkInspection =
  | {
      state: "valid";
      purpose: PasswordLinkPurpose;
      email: string;
      name: string;
      expiresAt: Date;
    }
  | { state: Exclude<PasswordLinkState, "valid"> };

/**
 * Issues a link for the user, revoking every other unused link of theirs, inside the caller's
 * transaction. The user's row is locked first, so that two links issued at once for the same
 * user leave exactly one of them live. Returns the token, which is shown once and never stored.
 */
export async function issuePasswordLink(
  trx: Kysely<Database>,
  link: { userId: number; purpose: PasswordLinkPurpose; createdBy: number; ttlMs: number },
): Promise<{ token: string; expiresAt: Date }> {
  await trx.selectFrom("users").select("id").where("id", "=", link.userId).forUpdate().execute();
  await revokeLiveLinks(trx, link.userId);
  const token = randomBytes(TOKEN_BYTES).toString("base64url");
  const expiresAt = new Date(Date.now() + link.ttlMs);
  await trx
    .insertInto("password_links")
    .values({
      user_id: link.userId,
      purpose: link.purpose,
      token_hash: hashSecret(token),
      created_by: link.createdBy,
      expires_at: expiresAt,
    })
    .execute();
  return { token, expiresAt };
}

/** Revokes the user's links that are still unused (when disabled, or a newer one is issued). */
export async function revokeLiveLinks(trx: Kysely<Database>, userId: number): Promise<void> {
  await trx
    .updateTable("password_links")
    .set({ revoked_at: new Date() })
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .execute();
}

/** What a link is now: usable (with whom it is for), or why not. */
export async function inspectPasswordLink(
  db: Kysely<Database>,
  token: string,
): Promise<PasswordLinkInspection> {
  if (!passwordLinkTokenPattern.test(token)) return { state: "unknown" };
  const row = await db
    .selectFrom("password_links")
    .innerJoin("users", "users.id", "password_links.user_id")
    .select([
      "password_links.purpose",
      "password_links.expires_at",
      "password_links.used_at",
      "password_links.revoked_at",
      "users.email",
      "users.name",
      "users.disabled_at",
    ])
    .where("password_links.token_hash", "=", hashSecret(token))
    .executeTakeFirst();
  if (!row) return { state: "unknown" };
  if (row.used_at) return { state: "used" };
  if (row.revoked_at || row.disabled_at) return { state: "revoked" };
  if (row.expires_at.getTime() <= Date.now()) return { state: "expired" };
  return {
    state: "valid",
    purpose: row.purpose,
    email: row.email,
    name: row.name,
    expiresAt: row.expires_at,
  };
}

export interface RedeemRequest {
  token: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
}

export type RedeemResult =
  | {
      ok: true;
      user: User;
      purpose: PasswordLinkPurpose;
      sessionToken: string;
      expiresAt: Date;
    }
  | { ok: false; state: Exclude<PasswordLinkState, "valid"> };

/**
 * Sets the password through a link and signs the person in. The password must pass the
 * password rule (a 422 naming `password` otherwise, and the link stays usable). Claiming the
 * link is one conditional update, so of any number of attempts with the same link at most one
 * sets a password; the winner's transaction also ends every session the user had (a reset
 * leaves no old sign-in behind) and revokes their other links. API tokens are left alone: they
 * are not sign-ins, and their owner revokes them in Settings.
 */
export async function redeemPasswordLink(
  db: Kysely<Database>,
  request: RedeemRequest,
  sessionTtlMs: number,
): Promise<RedeemResult> {
  const checked = passwordSchema.safeParse(request.password);
  if (!checked.success) {
    throw validationFailed(
      "The password is not valid",
      fieldErrors(checked.error.issues.map((issue) => ({ ...issue, path: ["password"] }))),
    );
  }
  const before = await inspectPasswordLink(db, request.token);
  if (before.state !== "valid") return { ok: false, state: before.state };
  const passwordHash = await hashPassword(checked.data);

  const redeemed = await db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable("password_links")
      .set({ used_at: new Date() })
      .where("token_hash", "=", hashSecret(request.token))
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", sql<Date>`now()`)
      .where("user_id", "in", (eb) =>
        eb.selectFrom("users").select("id").where("disabled_at", "is", null),
      )
      .returning(["user_id", "purpose"])
      .executeTakeFirst();
    if (!claimed) return null;
    const user = await trx
      .updateTable("users")
      .set({ password_hash: passwordHash })
      .where("id", "=", claimed.user_id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.deleteFrom("sessions").where("user_id", "=", user.id).execute();
    await revokeLiveLinks(trx, user.id);
    await recordAudit(trx, {
      actorId: user.id,
      action: claimed.purpose === "invite" ? "user.invite.accept" : "user.password_reset",
      subjectType: "user",
      subjectId: user.id,
    });
    const session = await openSession(trx, user.id, request, sessionTtlMs);
    return { user, purpose: claimed.purpose, ...session };
  });
  if (redeemed) return { ok: true, ...redeemed };
  // Another attempt won, or the link ended while the password was hashed: say which.
  const after = await inspectPasswordLink(db, request.token);
  return { ok: false, state: after.state === "valid" ? "used" : after.state };
}
