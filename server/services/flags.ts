import { sql, type Kysely } from "kysely";
import { z } from "zod";
import type { Database, User } from "../../db/schema.ts";
import { conflict, fieldErrors, notFound, validationFailed } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { loadProjectFor, loadProjectModel, lockProjectFor } from "./project-model.ts";
import { liveReservations } from "./queue.ts";

export const flagInputSchema = z.object({ note: z.string().trim().min(1).max(2_000) }).strict();
export const reassignInputSchema = z.object({ email: z.string().trim().min(1).max(320) }).strict();
export const flagListQuerySchema = z.object({ status: z.enum(["open", "all"]).default("open") });

export type FlagStatus = "open" | "released" | "reassigned";

interface Person {
  id: number;
  name: string;
  email: string;
}

export interface ItemFlag {
  id: number;
  item: { id: number; externalId: string };
  note: string;
  createdAt: string;
  flaggedBy: Person;
  status: FlagStatus;
  resolvedAt: string | null;
  resolvedBy: Person | null;
  reassignedTo: Person | null;
}

export interface ItemSkip {
  item: { id: number; externalId: string };
  reason: string;
  skippedAt: string | null;
  skippedBy: Person;
}

/** The most rows of each kind the lead's queue shows: the newest first. */
const QUEUE_LIMIT = 500;

function parse<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw validationFailed("The request is not valid", fieldErrors(parsed.error.issues));
  return parsed.data;
}

async function projectOfItem(db: Kysely<Database>, itemId: number): Promise<number> {
  const item = await db
    .selectFrom("items")
    .select("project_id")
    .where("id", "=", itemId)
    .executeTakeFirst();
  if (!item) throw notFound("No such item");
  return item.project_id;
}

/**
 * An annotator's flag on the item they hold, for a lead to look at. The note must say why. The
 * annotator's reservation ends as with a skip, so they go on to the next item, but their draft
 * stays: if the lead releases the item, they find their work as they left it. Only a held item
 * can be flagged (409 otherwise, with nothing stored).
 */
export async function flagItem(
  db: Kysely<Database>,
  user: User,
  itemId: number,
  input: unknown,
): Promise<ItemFlag> {
  const { note } = parse(flagInputSchema, input);
  const projectId = await projectOfItem(db, itemId);
  await loadProjectFor(db, user, projectId, "item.annotate");
  const flagId = await db.transaction().execute(async (trx) => {
    await lockProjectFor(trx, user, projectId, "item.annotate");
    const released = await trx
      .updateTable("assignments")
      .set({ status: "skipped", completed_at: new Date() })
      .where("item_id", "=", itemId)
      .where("user_id", "=", user.id)
      .where("status", "=", "reserved")
      .executeTakeFirst();
    if (released.numUpdatedRows === 0n) {
      throw conflict("You do not hold this item: only the item you are labelling can be flagged");
    }
    const flag = await trx
      .insertInto("item_flags")
      .values({ item_id: itemId, user_id: user.id, note })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: user.id,
      action: "item.flag",
      projectId,
      subjectType: "item",
      subjectId: itemId,
      details: { flagId: flag.id },
    });
    return flag.id;
  });
  const [flag] = await selectFlags(db).where("item_flags.id", "=", flagId).execute();
  return toFlag(flag);
}

function selectFlags(db: Kysely<Database>) {
  return db
    .selectFrom("item_flags")
    .innerJoin("items", "items.id", "item_flags.item_id")
    .innerJoin("users as flagger", "flagger.id", "item_flags.user_id")
    .leftJoin("users as resolver", "resolver.id", "item_flags.resolved_by")
    .leftJoin("users as assignee", "assignee.id", "item_flags.reassigned_to")
    .select([
      "item_flags.id",
      "item_flags.note",
      "item_flags.created_at",
      "item_flags.resolution",
      "item_flags.resolved_at",
      "items.id as item_id",
      "items.external_id",
      "flagger.id as flagger_id",
      "flagger.name as flagger_name",
      "flagger.email as flagger_email",
      "resolver.id as resolver_id",
      "resolver.name as resolver_name",
      "resolver.email as resolver_email",
      "assignee.id as assignee_id",
      "assignee.name as assignee_name",
      "assignee.email as assignee_email",
    ]);
}

type FlagRow = Awaited<ReturnType<ReturnType<typeof selectFlags>["execute"]>>[number];

function person(id: number | null, name: string | null, email: string | null): Person | null {
  return id !== null && name !== null && email !== null ? { id, name, email } : null;
}

function toFlag(row: FlagRow): ItemFlag {
  return {
    id: row.id,
    item: { id: row.item_id, externalId: row.external_id },
    note: row.note,
    createdAt: new Date(row.created_at).toISOString(),
    flaggedBy: { id: row.flagger_id, name: row.flagger_name, email: row.flagger_email },
    status: row.resolution ?? "open",
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at).toISOString(),
    resolvedBy: person(row.resolver_id, row.resolver_name, row.resolver_email),
    reassignedTo: person(row.assignee_id, row.assignee_name, row.assignee_email),
  };
}

/**
 * The lead's queue: flags (open ones, or all) and the reasons annotators gave for skipping
 * items, newest first. Leads only: a flag names who raised it, which annotators and clients
 * must not see.
 */
export async function listFlags(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  status: z.output<typeof flagListQuerySchema>["status"],
): Promise<{ flags: ItemFlag[]; skips: ItemSkip[] }> {
  await loadProjectFor(db, user, projectId, "item.review");
  const flags = await selectFlags(db)
    .where("items.project_id", "=", projectId)
    .$if(status === "open", (q) => q.where("item_flags.resolution", "is", null))
    .orderBy("item_flags.created_at", "desc")
    .orderBy("item_flags.id", "desc")
    .limit(QUEUE_LIMIT)
    .execute();
  const skips = await db
    .selectFrom("assignments")
    .innerJoin("items", "items.id", "assignments.item_id")
    .innerJoin("users", "users.id", "assignments.user_id")
    .select([
      "items.id as item_id",
      "items.external_id",
      "assignments.skip_reason",
      "assignments.completed_at",
      "users.id as user_id",
      "users.name",
      "users.email",
    ])
    .where("items.project_id", "=", projectId)
    .where("assignments.status", "=", "skipped")
    .where("assignments.skip_reason", "is not", null)
    .orderBy("assignments.completed_at", "desc")
    .limit(QUEUE_LIMIT)
    .execute();
  return {
    flags: flags.map(toFlag),
    skips: skips.map((row) => ({
      item: { id: row.item_id, externalId: row.external_id },
      reason: row.skip_reason ?? "",
      skippedAt: row.completed_at === null ? null : new Date(row.completed_at).toISOString(),
      skippedBy: { id: row.user_id, name: row.name, email: row.email },
    })),
  };
}

/**
 * Closes an open flag in a transaction, once: of two leads deciding at once, one wins and the
 * other gets a 409. `then` runs in the same transaction, so a failure there keeps the flag open.
 */
async function resolveFlag(
  db: Kysely<Database>,
  user: User,
  flagId: number,
  resolution: "released" | "reassigned",
  then: (
    trx: Kysely<Database>,
    flag: { itemId: number; flaggedBy: number; projectId: number },
  ) => Promise<number | null>,
): Promise<ItemFlag> {
  const found = await db
    .selectFrom("item_flags")
    .innerJoin("items", "items.id", "item_flags.item_id")
    .select(["item_flags.item_id", "item_flags.user_id", "items.project_id"])
    .where("item_flags.id", "=", flagId)
    .executeTakeFirst();
  if (!found) throw notFound("No such flag");
  await loadProjectFor(db, user, found.project_id, "item.review");
  await db.transaction().execute(async (trx) => {
    await lockProjectFor(trx, user, found.project_id, "item.review");
    const closed = await trx
      .updateTable("item_flags")
      .set({ resolution, resolved_by: user.id, resolved_at: new Date() })
      .where("id", "=", flagId)
      .where("resolution", "is", null)
      .executeTakeFirst();
    if (closed.numUpdatedRows === 0n) throw conflict("This flag has already been dealt with");
    const reassignedTo = await then(trx, {
      itemId: found.item_id,
      flaggedBy: found.user_id,
      projectId: found.project_id,
    });
    if (reassignedTo !== null) {
      await trx
        .updateTable("item_flags")
        .set({ reassigned_to: reassignedTo })
        .where("id", "=", flagId)
        .execute();
    }
    await recordAudit(trx, {
      actorId: user.id,
      action: `flag.${resolution}`,
      projectId: found.project_id,
      subjectType: "item",
      subjectId: found.item_id,
      details: { flagId, ...(reassignedTo === null ? {} : { reassignedTo }) },
    });
  });
  const [flag] = await selectFlags(db).where("item_flags.id", "=", flagId).execute();
  return toFlag(flag);
}

/**
 * The lead has looked and the item may go on as it was: the flag closes and the annotator who
 * raised it may be given the item again (their draft is still there).
 */
export function releaseFlag(db: Kysely<Database>, user: User, flagId: number): Promise<ItemFlag> {
  return resolveFlag(db, user, flagId, "released", async (trx, flag) => {
    await trx
      .updateTable("assignments")
      .set({ status: "expired" })
      .where("item_id", "=", flag.itemId)
      .where("user_id", "=", flag.flaggedBy)
      .where("status", "=", "skipped")
      .where("skip_reason", "is", null)
      .execute();
    return null;
  });
}

/**
 * The lead gives the item to an annotator or lead of the project (the one who flagged it
 * included): it is reserved for them now, as `queue/next` would, and waits at the head of
 * their queue. Refused while the item is not being labelled, when the person has labelled it
 * already, or when every place of the item is taken (the count is made under the item's lock).
 */
export async function reassignFlag(
  db: Kysely<Database>,
  user: User,
  flagId: number,
  input: unknown,
): Promise<ItemFlag> {
  const { email } = parse(reassignInputSchema, input);
  return resolveFlag(db, user, flagId, "reassigned", async (trx, flag) => {
    // The caller's standing was read under the project's lock as the transaction began.
    const project = await loadProjectModel(trx, flag.projectId);
    const assignee = await trx
      .selectFrom("users")
      .innerJoin("project_members", "project_members.user_id", "users.id")
      .select(["users.id", "users.disabled_at"])
      .where(sql`lower(users.email)`, "=", email.toLowerCase())
      .where("project_members.project_id", "=", flag.projectId)
      .where("project_members.role", "in", ["annotator", "lead"])
      .executeTakeFirst();
    if (!assignee || assignee.disabled_at !== null) {
      throw validationFailed("The item can only go to an annotator or lead of this project", [
        { field: "email", message: "is not an annotator or lead of this project" },
      ]);
    }
    const item = await trx
      .selectFrom("items")
      .select("status")
      .where("id", "=", flag.itemId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (item.status !== "queued" && item.status !== "annotating") {
      throw conflict("The item is no longer being labelled: it cannot be reassigned");
    }
    // Counted under the lock, in a statement of its own: a count made by the statement that
    // waited for the lock would miss the places taken by whoever held it (as in the queue).
    const { taken } = await trx
      .selectFrom("items")
      .select(sql<number>`label_count + ${liveReservations}`.as("taken"))
      .where("id", "=", flag.itemId)
      .executeTakeFirstOrThrow();
    const existing = await trx
      .selectFrom("assignments")
      .select(["status", sql<boolean>`expires_at > now()`.as("live")])
      .where("item_id", "=", flag.itemId)
      .where("user_id", "=", assignee.id)
      .executeTakeFirst();
    if (existing?.status === "submitted") {
      throw conflict("That person has labelled this item already");
    }
    const holdsPlace = existing?.status === "reserved" && existing.live;
    if (!holdsPlace && Number(taken) >= project.overlap) {
      throw conflict("Every place of this item is taken; release the flag instead");
    }
    const expiresAt = new Date(Date.now() + project.settings.reservationMinutes * 60_000);
    await trx
      .insertInto("assignments")
      .values({
        item_id: flag.itemId,
        user_id: assignee.id,
        expires_at: expiresAt,
        status: "reserved",
      })
      .onConflict((oc) =>
        oc.columns(["item_id", "user_id"]).doUpdateSet({
          status: "reserved",
          reserved_at: new Date(),
          expires_at: expiresAt,
          completed_at: null,
          skip_reason: null,
        }),
      )
      .execute();
    await trx
      .updateTable("items")
      .set({ status: "annotating", updated_at: new Date() })
      .where("id", "=", flag.itemId)
      .where("status", "=", "queued")
      .execute();
    return assignee.id;
  });
}
