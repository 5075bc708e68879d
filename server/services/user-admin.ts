import { sql, type Kysely } from "kysely";
import { z } from "zod";
import { unreachableDomains } from "../../app/domain/annotator-domains.ts";
import { domainSchema } from "../../app/domain/item.ts";
import type { Database, PasswordLinkPurpose, User } from "../../db/schema.ts";
import type { QuorumContext } from "../context.ts";
import { conflict, fieldErrors, forbidden, notFound, validationFailed } from "../errors.ts";
import { can, requireProjectPermission } from "../permissions.ts";
import { recordAudit } from "./audit.ts";
import type { MailOutcome } from "./mail.ts";
import { issuePasswordLink, revokeLiveLinks } from "./password-links.ts";
import { lockProjectLeads, type ProjectMember } from "./project-admin.ts";
import { newUserSchema } from "./users.ts";

/**
 * People management (docs/decisions/022): workspace admins list, invite, edit, disable and
 * re-enable users and hand out password-reset links; leads invite new people into their own
 * project as annotators or clients. Nobody is given a password by someone else: an invite or a
 * reset is a one-time link (password-links.ts) by which the person sets their own.
 */

/** A user as the admin's list shows them. */
export interface ManagedUser {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  level: "junior" | "expert" | null;
  domains: string[];
  hourlyRate: number | null;
  createdAt: string;
  disabled: boolean;
  disabledAt: string | null;
  /** The latest sign-in or use of a live session or API token. */
  lastSeenAt: string | null;
  /** Whether the person has set a password (accepted their invite). */
  passwordSet: boolean;
  /** The live invite of someone who has not set a password yet; null when none is live. */
  pendingInvite: { expiresAt: string } | null;
}

/** A link handed out: shown to whoever made it, and emailed when SMTP is configured. */
export interface IssuedLink {
  url: string;
  purpose: PasswordLinkPurpose;
  expiresAt: string;
  email: MailOutcome;
}

const MAX_DOMAINS = 50;

const domainsSchema = z
  .array(domainSchema)
  .max(MAX_DOMAINS, `at most ${MAX_DOMAINS} domains`)
  .transform((domains) => [...new Set(domains)]);
const levelSchema = z.enum(["junior", "expert"]).nullable();
const hourlyRateSchema = z.number().nonnegative().max(100_000).nullable();

export const inviteUserSchema = z
  .object({
    email: newUserSchema.shape.email,
    name: newUserSchema.shape.name,
    isAdmin: z.boolean().default(false),
    level: levelSchema.default(null),
    domains: domainsSchema.default([]),
    hourlyRate: hourlyRateSchema.default(null),
  })
  .strict();

export const userUpdateSchema = z
  .object({
    name: newUserSchema.shape.name,
    isAdmin: z.boolean(),
    level: levelSchema,
    domains: domainsSchema,
    hourlyRate: hourlyRateSchema,
    disabled: z.boolean(),
  })
  .partial()
  .strict();

export const projectInviteSchema = z
  .object({
    email: newUserSchema.shape.email,
    name: newUserSchema.shape.name,
    role: z.enum(["lead", "annotator", "client"]),
    level: levelSchema.default(null),
    domains: domainsSchema.default([]),
  })
  .strict();

export type InviteUserInput = z.input<typeof inviteUserSchema>;
export type UserUpdateInput = z.input<typeof userUpdateSchema>;
export type ProjectInviteInput = z.input<typeof projectInviteSchema>;

function parseOrThrow<Schema extends z.ZodType>(schema: Schema, input: unknown, what: string) {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw validationFailed(`The ${what} is not valid`, fieldErrors(parsed.error.issues));
  }
  return parsed.data as z.output<Schema>;
}

/**
 * Only workspace admins manage users. The check comes before any id is read, so a non-admin
 * learns nothing about which users exist: every user route answers them 403.
 */
export function requireUserAdmin(actor: User): void {
  if (!can({ isAdmin: actor.is_admin, role: null }, "workspace.admin")) {
    throw forbidden("Only workspace admins manage users");
  }
}

const rateToCents = (rate: number | null) => (rate === null ? null : Math.round(rate * 100));

/**
 * Every user, or those whose name, email or domains contain `query` (case-insensitive), by
 * name. One query, whatever the number of users.
 */
export async function listUsers(
  db: Kysely<Database>,
  actor: User,
  query = "",
): Promise<ManagedUser[]> {
  requireUserAdmin(actor);
  const needle = query.trim().toLowerCase();
  const rows = await managedUserRows(db)
    .$if(needle.length > 0, (builder) =>
      builder.where(
        sql<boolean>`strpos(lower(users.name || ' ' || users.email || ' ' || array_to_string(users.domains, ' ')), ${needle}) > 0`,
      ),
    )
    .orderBy(sql`lower(users.name)`)
    .orderBy("users.id")
    .execute();
  return rows.map(toManagedUser);
}

/** One user as the list shows them; 404 when there is no such user. */
export async function getManagedUser(
  db: Kysely<Database>,
  actor: User,
  userId: number,
): Promise<ManagedUser> {
  requireUserAdmin(actor);
  return readManagedUser(db, userId);
}

async function readManagedUser(db: Kysely<Database>, userId: number): Promise<ManagedUser> {
  const row = await managedUserRows(db).where("users.id", "=", userId).executeTakeFirst();
  if (!row) throw notFound("No such user");
  return toManagedUser(row);
}

function managedUserRows(db: Kysely<Database>) {
  return db
    .selectFrom("users")
    .selectAll("users")
    .select((eb) => [
      eb
        .selectFrom("sessions")
        .select((inner) => inner.fn.max("sessions.last_seen_at").as("seen"))
        .whereRef("sessions.user_id", "=", "users.id")
        .as("session_seen_at"),
      eb
        .selectFrom("api_tokens")
        .select((inner) => inner.fn.max("api_tokens.last_used_at").as("used"))
        .whereRef("api_tokens.user_id", "=", "users.id")
        .as("token_used_at"),
      eb
        .selectFrom("password_links")
        .select((inner) => inner.fn.max("password_links.expires_at").as("expires"))
        .whereRef("password_links.user_id", "=", "users.id")
        .where("password_links.purpose", "=", "invite")
        .where("password_links.used_at", "is", null)
        .where("password_links.revoked_at", "is", null)
        .where("password_links.expires_at", ">", sql<Date>`now()`)
        .as("invite_expires_at"),
    ]);
}

type ManagedUserRow = User & {
  session_seen_at: Date | null;
  token_used_at: Date | null;
  invite_expires_at: Date | null;
};

function latest(...times: Array<Date | null>): Date | null {
  let found: Date | null = null;
  for (const time of times) {
    if (time && (!found || time.getTime() > found.getTime())) found = time;
  }
  return found;
}

function toManagedUser(row: ManagedUserRow): ManagedUser {
  const lastSeen = latest(row.last_seen_at, row.session_seen_at, row.token_used_at);
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    isAdmin: row.is_admin,
    level: row.level,
    domains: row.domains,
    hourlyRate: row.hourly_rate_cents === null ? null : row.hourly_rate_cents / 100,
    createdAt: row.created_at.toISOString(),
    disabled: row.disabled_at !== null,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    lastSeenAt: lastSeen?.toISOString() ?? null,
    passwordSet: row.password_hash !== null,
    pendingInvite:
      row.password_hash === null && row.invite_expires_at
        ? { expiresAt: row.invite_expires_at.toISOString() }
        : null,
  };
}

/** Where a link points: `<base>/invite/<token>`, `base` being PUBLIC_URL or the request's origin. */
export function passwordLinkUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, "")}/invite/${token}`;
}

interface LinkRecipient {
  email: string;
  name: string;
}

async function deliverLink(
  quorum: QuorumContext,
  recipient: LinkRecipient,
  sender: User,
  link: { purpose: PasswordLinkPurpose; token: string; expiresAt: Date },
  linkBase: string,
): Promise<IssuedLink> {
  const url = passwordLinkUrl(linkBase, link.token);
  const until = `${link.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const mail =
    link.purpose === "invite"
      ? {
          subject: "You are invited to Quorum",
          text:
            `Hello ${recipient.name},\n\n${sender.name} invited you to Quorum, where experts ` +
            `label and review AI model responses.\n\nOpen this link to choose your password ` +
            `and sign in:\n\n${url}\n\nThe link works once, until ${until}. If you did not ` +
            `expect this invitation, ignore this message.\n`,
        }
      : {
          subject: "Reset your Quorum password",
          text:
            `Hello ${recipient.name},\n\n${sender.name} sent you a link to choose a new ` +
            `Quorum password:\n\n${url}\n\nThe link works once, until ${until}. Setting a new ` +
            `password signs you out everywhere else. If you did not ask for this, tell your ` +
            `workspace admin.\n`,
        };
  const email = await quorum.mailer.send({ to: recipient.email, ...mail });
  return { url, purpose: link.purpose, expiresAt: link.expiresAt.toISOString(), email };
}

/** Inserts a user without a password; 409 when the email is taken, whatever the race. */
async function insertInvitedUser(
  trx: Kysely<Database>,
  user: {
    email: string;
    name: string;
    isAdmin: boolean;
    level: "junior" | "expert" | null;
    domains: string[];
    hourlyRate: number | null;
  },
): Promise<User> {
  const created = await trx
    .insertInto("users")
    .values({
      email: user.email,
      name: user.name,
      password_hash: null,
      is_admin: user.isAdmin,
      level: user.level,
      domains: user.domains,
      hourly_rate_cents: rateToCents(user.hourlyRate),
    })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!created) {
    throw conflict(`A user with email ${user.email} already exists`, [
      { field: "email", message: "already has an account" },
    ]);
  }
  return created;
}

/** Creates a user without a password and an invite link for them (admins). */
export async function inviteUser(
  quorum: QuorumContext,
  actor: User,
  input: unknown,
  linkBase: string,
): Promise<{ user: ManagedUser; link: IssuedLink }> {
  requireUserAdmin(actor);
  const invite = parseOrThrow(inviteUserSchema, input, "invite");
  const { created, link } = await quorum.db.transaction().execute(async (trx) => {
    const user = await insertInvitedUser(trx, invite);
    const issued = await issuePasswordLink(trx, {
      userId: user.id,
      purpose: "invite",
      createdBy: actor.id,
      ttlMs: quorum.config.inviteTtlMs,
    });
    await recordAudit(trx, {
      actorId: actor.id,
      action: "user.invite",
      subjectType: "user",
      subjectId: user.id,
      details: {
        email: user.email,
        isAdmin: invite.isAdmin,
        level: invite.level,
        domains: invite.domains,
        hourlyRate: invite.hourlyRate,
        expiresAt: issued.expiresAt.toISOString(),
      },
    });
    return { created: user, link: issued };
  });
  const delivered = await deliverLink(
    quorum,
    created,
    actor,
    { purpose: "invite", ...link },
    linkBase,
  );
  return { user: await readManagedUser(quorum.db, created.id), link: delivered };
}

/**
 * A new link for an existing user, revoking their older ones: an invite for someone who has not
 * set a password yet, a password reset for someone who has. A disabled user gets none.
 */
export async function issueUserLink(
  quorum: QuorumContext,
  actor: User,
  userId: number,
  purpose: PasswordLinkPurpose,
  linkBase: string,
): Promise<{ user: ManagedUser; link: IssuedLink }> {
  requireUserAdmin(actor);
  const { recipient, link } = await quorum.db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom("users")
      .selectAll()
      .where("id", "=", userId)
      .forUpdate()
      .executeTakeFirst();
    if (!user) throw notFound("No such user");
    if (user.disabled_at) {
      throw conflict(`${user.name} is disabled; enable them first`);
    }
    if (purpose === "invite" && user.password_hash !== null) {
      throw conflict(`${user.name} has already set a password; send a password reset link instead`);
    }
    const issued = await issuePasswordLink(trx, {
      userId,
      purpose,
      createdBy: actor.id,
      ttlMs: quorum.config.inviteTtlMs,
    });
    await recordAudit(trx, {
      actorId: actor.id,
      action: purpose === "invite" ? "user.invite.renew" : "user.password_reset.issue",
      subjectType: "user",
      subjectId: userId,
      details: { expiresAt: issued.expiresAt.toISOString() },
    });
    return { recipient: user, link: issued };
  });
  const delivered = await deliverLink(quorum, recipient, actor, { purpose, ...link }, linkBase);
  return { user: await readManagedUser(quorum.db, userId), link: delivered };
}

type UserChange = z.output<typeof userUpdateSchema>;

/**
 * Edits a user's profile, admin flag and whether they are disabled (admins). Disabling ends
 * everything the user holds at once: their sessions are deleted, their API tokens and unused
 * links revoked, and this instance's open sync connections and event streams of theirs are
 * closed straight after the commit; other instances close theirs at their next recheck. So
 * re-enabling restores access only through a new sign-in. An admin may neither disable
 * themselves nor drop their own admin flag, so that the workspace always keeps an admin.
 */
export async function updateUser(
  quorum: QuorumContext,
  actor: User,
  userId: number,
  input: unknown,
): Promise<ManagedUser> {
  requireUserAdmin(actor);
  const change: UserChange = parseOrThrow(userUpdateSchema, input, "user update");
  if (userId === actor.id && (change.disabled === true || change.isAdmin === false)) {
    throw conflict(
      "You cannot disable yourself or remove your own admin rights; ask another admin",
      [{ field: change.disabled === true ? "disabled" : "isAdmin", message: "not for yourself" }],
    );
  }
  const { accessChanged } = await quorum.db.transaction().execute(async (trx) => {
    // The actor's row is locked with the user's, in id order, and read again: an admin whose
    // rights another admin has just taken away changes nobody, so that two admins taking each
    // other's rights at once cannot leave the workspace without one.
    const locked = await trx
      .selectFrom("users")
      .selectAll()
      .where("id", "in", [userId, actor.id])
      .orderBy("id")
      .forUpdate()
      .execute();
    const actorNow = locked.find((row) => row.id === actor.id);
    if (!actorNow?.is_admin || actorNow.disabled_at !== null) {
      throw forbidden("Only workspace admins manage users");
    }
    const before = locked.find((row) => row.id === userId);
    if (!before) throw notFound("No such user");
    const disabling = change.disabled === true && before.disabled_at === null;
    const enabling = change.disabled === false && before.disabled_at !== null;
    const columns = {
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.isAdmin === undefined ? {} : { is_admin: change.isAdmin }),
      ...(change.level === undefined ? {} : { level: change.level }),
      ...(change.domains === undefined ? {} : { domains: change.domains }),
      ...(change.hourlyRate === undefined
        ? {}
        : { hourly_rate_cents: rateToCents(change.hourlyRate) }),
      ...(disabling ? { disabled_at: new Date() } : {}),
      ...(enabling ? { disabled_at: null } : {}),
    };
    // An empty change, or disabling someone already disabled, sets nothing: an UPDATE without
    // columns is not valid SQL.
    if (Object.keys(columns).length > 0) {
      await trx.updateTable("users").set(columns).where("id", "=", userId).execute();
    }
    const profileChanges = describeChanges(before, change);
    if (Object.keys(profileChanges).length > 0) {
      await recordAudit(trx, {
        actorId: actor.id,
        action: "user.update",
        subjectType: "user",
        subjectId: userId,
        details: { changes: profileChanges },
      });
    }
    if (disabling) {
      await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
      await trx
        .updateTable("api_tokens")
        .set({ revoked_at: new Date() })
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null)
        .execute();
      await revokeLiveLinks(trx, userId);
    }
    if (disabling || enabling) {
      await recordAudit(trx, {
        actorId: actor.id,
        action: disabling ? "user.disable" : "user.enable",
        subjectType: "user",
        subjectId: userId,
      });
    }
    // Open rooms were granted under the admin right as it was: they are checked again at once.
    const adminRightChanged = change.isAdmin !== undefined && change.isAdmin !== before.is_admin;
    return { accessChanged: disabling || adminRightChanged };
  });
  if (accessChanged) quorum.accessChanges.notify();
  return readManagedUser(quorum.db, userId);
}

/** The profile fields a change actually changes, each as `{ from, to }`, for the audit log. */
function describeChanges(before: User, change: UserChange): Record<string, unknown> {
  const current = {
    name: before.name,
    isAdmin: before.is_admin,
    level: before.level,
    domains: before.domains,
    hourlyRate: before.hourly_rate_cents === null ? null : before.hourly_rate_cents / 100,
  };
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(current) as Array<keyof typeof current>) {
    const next = change[key];
    if (next === undefined) continue;
    if (JSON.stringify(next) !== JSON.stringify(current[key])) {
      changes[key] = { from: current[key], to: next };
    }
  }
  return changes;
}

/**
 * Invites someone without an account into a project: creates the user, the invite link and the
 * membership in one transaction. Whoever manages the project's members may; leads invite
 * annotators and clients, and only admins invite new leads, since a lead manages the project.
 */
export async function inviteProjectMember(
  quorum: QuorumContext,
  actor: User,
  projectId: number,
  input: unknown,
  linkBase: string,
): Promise<{ member: ProjectMember; link: IssuedLink }> {
  const subject = await requireProjectPermission(
    quorum.db,
    actor,
    projectId,
    "project.manageMembers",
  );
  const invite = parseOrThrow(projectInviteSchema, input, "invite");
  if (invite.role === "lead" && !subject.isAdmin) {
    throw forbidden("Only workspace admins invite new leads; invite them as annotator or client");
  }
  const { created, link } = await quorum.db.transaction().execute(async (trx) => {
    // Checked again under the lock that orders every change to the members: a lead removed
    // meanwhile invites nobody.
    await lockProjectLeads(trx, projectId, actor);
    const user = await insertInvitedUser(trx, { ...invite, isAdmin: false, hourlyRate: null });
    const issued = await issuePasswordLink(trx, {
      userId: user.id,
      purpose: "invite",
      createdBy: actor.id,
      ttlMs: quorum.config.inviteTtlMs,
    });
    await trx
      .insertInto("project_members")
      .values({ project_id: projectId, user_id: user.id, role: invite.role })
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "user.invite",
      projectId,
      subjectType: "user",
      subjectId: user.id,
      details: {
        email: user.email,
        role: invite.role,
        level: invite.level,
        domains: invite.domains,
        expiresAt: issued.expiresAt.toISOString(),
      },
    });
    await recordAudit(trx, {
      actorId: actor.id,
      action: "project.member.add",
      projectId,
      subjectType: "user",
      subjectId: user.id,
      details: { role: invite.role, previousRole: null },
    });
    return { created: user, link: issued };
  });
  const delivered = await deliverLink(
    quorum,
    created,
    actor,
    { purpose: "invite", ...link },
    linkBase,
  );
  return {
    member: {
      userId: created.id,
      email: created.email,
      name: created.name,
      role: invite.role,
      level: created.level,
      domains: created.domains,
    },
    link: delivered,
  };
}

/**
 * A warning for a lead about to make someone an annotator of the project who could never be
 * given any of its items, as the queue routes them by domain; null when some item (or, with no
 * items yet, the project's domain) is open to them.
 */
export async function annotatorDomainWarning(
  db: Kysely<Database>,
  projectId: number,
  annotator: { name: string; domains: string[] },
): Promise<string | null> {
  const rows = await db
    .selectFrom("projects")
    .leftJoin("items", "items.project_id", "projects.id")
    .select((eb) => eb.fn.coalesce("items.domain", "projects.domain").as("domain"))
    .distinct()
    .where("projects.id", "=", projectId)
    .execute();
  const missing = unreachableDomains(
    annotator.domains,
    rows.map((row) => row.domain),
  );
  if (!missing) return null;
  const theirs = annotator.domains.length > 0 ? annotator.domains.join(", ") : "none";
  return (
    `${annotator.name}'s domains (${theirs}) match none of this project's items ` +
    `(${missing.join(", ")}), so they will not be given any to label.`
  );
}
