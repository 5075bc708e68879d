import { sql, type Kysely } from "kysely";
import { z } from "zod";
import { domainSchema } from "../../app/domain/item.ts";
import type { AnnotatorLevel, Database, User } from "../../db/schema.ts";
import { conflict, fieldErrors, validationFailed } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { hashPassword } from "./passwords.ts";

/** Shortest password a user may choose, in characters (code points, not UTF-16 units). */
export const MIN_PASSWORD_CHARACTERS = 12;

/**
 * The rule for every password a user sets. Length is what makes a password hard to guess
 * (NIST SP 800-63B); composition rules add little. The demo workspace's published password is
 * set by the seed, not through this rule.
 */
export const passwordSchema = z
  .string()
  .max(1024, "must be at most 1024 characters")
  .refine((password) => Array.from(password).length >= MIN_PASSWORD_CHARACTERS, {
    message: `must be at least ${MIN_PASSWORD_CHARACTERS} characters`,
  });

/**
 * Every email a request names, for a new user or one to find: surrounding spaces (pasted along
 * with the address) are dropped and case is ignored, as users are unique by lower-cased email.
 */
export const emailSchema = z.string().trim().toLowerCase().pipe(z.email().max(254)).meta({
  format: "email",
  maxLength: 254,
  description: "Surrounding spaces are ignored, and so is case.",
});

export const newUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1).max(200),
  password: passwordSchema,
  isAdmin: z.boolean().default(false),
  level: z.enum(["junior", "expert"]).nullable().default(null),
  domains: z.array(domainSchema).default([]),
  hourlyRate: z.number().nonnegative().max(100_000).nullable().default(null),
});

export type NewUserInput = z.input<typeof newUserSchema>;

export async function createUser(
  db: Kysely<Database>,
  input: NewUserInput,
  actorId: number | null = null,
): Promise<User> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) {
    throw validationFailed("The user is not valid", fieldErrors(parsed.error.issues));
  }
  const user = parsed.data;
  const taken = () =>
    conflict(`A user with email ${user.email} already exists`, [
      { field: "email", message: "already has an account" },
    ]);
  // Checked first only to spare hashing the password; the insert decides, as another process
  // may create the same email meanwhile.
  if (await findUserByEmail(db, user.email)) throw taken();
  const passwordHash = await hashPassword(user.password);
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto("users")
      .values({
        email: user.email,
        name: user.name,
        password_hash: passwordHash,
        is_admin: user.isAdmin,
        level: user.level as AnnotatorLevel | null,
        domains: user.domains,
        hourly_rate_cents: user.hourlyRate === null ? null : Math.round(user.hourlyRate * 100),
      })
      .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!created) throw taken();
    await recordAudit(trx, {
      actorId,
      action: "user.create",
      subjectType: "user",
      subjectId: created.id,
      details: { email: created.email, isAdmin: created.is_admin },
    });
    return created;
  });
}

/** The user with that email, read as `emailSchema` reads one: trimmed, whatever the case. */
export function findUserByEmail(db: Kysely<Database>, email: string) {
  return db
    .selectFrom("users")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.trim().toLowerCase()))
    .executeTakeFirst();
}

export function findUserById(db: Kysely<Database>, id: number) {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The fields of a user that the user, and anyone allowed to see them, is shown. */
export function publicUser(user: User) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.is_admin,
    level: user.level,
    domains: user.domains,
    hourlyRate: user.hourly_rate_cents === null ? null : user.hourly_rate_cents / 100,
    createdAt: user.created_at.toISOString(),
  };
}

export type PublicUser = ReturnType<typeof publicUser>;
