import { createHash, createHmac } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database, User } from "../../db/schema.ts";
import { loadProjectFor, lockProjectFor, type ProjectModel } from "./project-model.ts";

export interface Assignment {
  assignmentId: number;
  itemId: number;
  expiresAt: Date;
}

const MAX_CANDIDATES = 20;

/**
 * A number in [0, 1) fixed by the inputs: decisions such as "is this label sampled for review"
 * are then reproducible in tests and audits, yet spread evenly. Anyone who knows the inputs can
 * compute it: a decision that must stay unpredictable is keyed (`isGoldTurn`).
 */
export function stableFraction(...parts: Array<string | number>): number {
  const digest = createHash("sha256").update(parts.join(":")).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

export interface QueueTurn {
  /** The deployment's secret (`deployment.secret`), which no user can read. */
  secret: string;
  projectId: number;
  userId: number;
  /** Items the annotator was given in the project before this turn. */
  given: number;
  goldRate: number;
}

/**
 * Whether an annotator's turn serves a gold item: an HMAC-SHA256 of the project, the annotator
 * and the turn, keyed with the deployment's secret, read as a fraction in [0, 1) and compared
 * with the gold rate. The annotator knows every input but the key; unkeyed, the hash would tell
 * them which of their next items are gold before they ask for them. Keyed, the schedule is still
 * fixed for a deployment, so the rate holds on average and an audit with the database can
 * recompute any decision.
 */
export function isGoldTurn(turn: QueueTurn): boolean {
  const digest = createHmac("sha256", turn.secret)
    .update(`gold:${turn.projectId}:${turn.userId}:${turn.given}`)
    .digest();
  return digest.readUInt32BE(0) / 2 ** 32 < turn.goldRate;
}

/**
 * The caller's next item in a project. Returns the live reservation the caller already holds,
 * else reserves a new item for `reservationMinutes`:
 * - a gold item, at the project's gold rate, among gold items the caller has not done;
 * - otherwise an item that still needs labels, whose domain the caller covers, which the caller
 *   has never labelled or skipped, with fewer than `overlap` live reservations and labels, and,
 *   when the project requires an expert, whose last free place is kept for an expert.
 * Items further along are served first, so that items finish rather than all creeping forward.
 * Two annotators asking at once never overfill an item: candidate rows are locked and re-counted
 * after locking; and none is told there is nothing to do while an item with a place for them is
 * only held for a moment by another transaction (`pickItem`). One annotator asking several times
 * at once gets one reservation: their requests for a project take a transaction-scoped advisory
 * lock before looking for a held reservation, so each waits for the one before it to commit and
 * then finds its reservation (PostgreSQL's lock holds across instances; on PGlite the single
 * connection serialises transactions anyway).
 */
export async function nextAssignment(
  db: Kysely<Database>,
  user: User,
  projectId: number,
): Promise<Assignment | null> {
  const { project } = await loadProjectFor(db, user, projectId, "item.annotate");
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`quorum:queue:${projectId}`}), ${user.id})`.execute(
      trx,
    );
    // Nobody removed meanwhile takes a place (decision 040): a removal ends the reservations it
    // finds, and one made after it would hold a place until it lapsed.
    await lockProjectFor(trx, user, projectId, "item.annotate");
    const held = await heldAssignment(trx, user.id, projectId);
    if (held) return held;

    const goldRate = project.settings.goldRate;
    const goldTurn =
      goldRate > 0 &&
      isGoldTurn({
        secret: await deploymentSecret(trx),
        projectId,
        userId: user.id,
        given: await countAssignments(trx, user.id, projectId),
        goldRate,
      });
    const itemId =
      (goldTurn ? await pickGoldItem(trx, user, project) : null) ??
      (await pickItem(trx, user, project)) ??
      (goldTurn ? null : await pickGoldItem(trx, user, project));
    if (itemId === null) return null;

    const expiresAt = new Date(Date.now() + project.settings.reservationMinutes * 60_000);
    const assignment = await trx
      .insertInto("assignments")
      .values({ item_id: itemId, user_id: user.id, expires_at: expiresAt, status: "reserved" })
      .onConflict((oc) =>
        oc.columns(["item_id", "user_id"]).doUpdateSet({
          status: "reserved",
          reserved_at: new Date(),
          expires_at: expiresAt,
          completed_at: null,
        }),
      )
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("items")
      .set({ status: "annotating", updated_at: new Date() })
      .where("id", "=", itemId)
      .where("status", "=", "queued")
      .where("gold_label", "is", null)
      .execute();
    return { assignmentId: assignment.id, itemId, expiresAt };
  });
}

/**
 * The live reservation the caller holds in a project, or null: it reads and never reserves, for
 * pages that show the current item on GET (reserving is `nextAssignment`, on POST).
 */
export async function currentAssignment(
  db: Kysely<Database>,
  user: User,
  projectId: number,
): Promise<Assignment | null> {
  await loadProjectFor(db, user, projectId, "item.annotate");
  return heldAssignment(db, user.id, projectId);
}

async function heldAssignment(
  db: Kysely<Database>,
  userId: number,
  projectId: number,
): Promise<Assignment | null> {
  const held = await db
    .selectFrom("assignments")
    .innerJoin("items", "items.id", "assignments.item_id")
    .select(["assignments.id", "assignments.item_id", "assignments.expires_at"])
    .where("items.project_id", "=", projectId)
    .where("assignments.user_id", "=", userId)
    .where("assignments.status", "=", "reserved")
    .where("assignments.expires_at", ">", new Date())
    .orderBy("assignments.reserved_at")
    .limit(1)
    .executeTakeFirst();
  return held
    ? { assignmentId: held.id, itemId: held.item_id, expiresAt: new Date(held.expires_at) }
    : null;
}

async function deploymentSecret(trx: Kysely<Database>): Promise<string> {
  const { secret } = await trx.selectFrom("deployment").select("secret").executeTakeFirstOrThrow();
  return secret;
}

async function countAssignments(trx: Kysely<Database>, userId: number, projectId: number) {
  const { count } = await trx
    .selectFrom("assignments")
    .innerJoin("items", "items.id", "assignments.item_id")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("assignments.user_id", "=", userId)
    .where("items.project_id", "=", projectId)
    .executeTakeFirstOrThrow();
  return count;
}

/** Items the user may never be given again: labelled, skipped, or held right now. */
export function doneByUser(trx: Kysely<Database>, userId: number) {
  return trx
    .selectFrom("assignments")
    .select("item_id")
    .where("user_id", "=", userId)
    .where((eb) =>
      eb.or([
        eb("status", "in", ["submitted", "skipped"]),
        eb.and([eb("status", "=", "reserved"), eb("expires_at", ">", new Date())]),
      ]),
    );
}

export function domainFilter(user: User, project: ProjectModel) {
  const domains = user.domains;
  const projectDomain = project.row.domain;
  return sql<boolean>`(coalesce(items.domain, ${projectDomain}) is null or coalesce(items.domain, ${projectDomain}) = any(${sql.val(domains)}::text[]))`;
}

async function pickGoldItem(
  trx: Kysely<Database>,
  user: User,
  project: ProjectModel,
): Promise<number | null> {
  const row = await trx
    .selectFrom("items")
    .select("id")
    .where("project_id", "=", project.id)
    .where("gold_label", "is not", null)
    .where("id", "not in", doneByUser(trx, user.id))
    .where(domainFilter(user, project))
    .orderBy(sql`md5(items.id::text || ${String(user.id)})`)
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Live reservations of an item (correlated with the outer `items` row). */
export const liveReservations = sql<number>`(
  select count(*) from assignments a
  where a.item_id = items.id and a.status = 'reserved' and a.expires_at > now()
)`;

/**
 * The first item, in routing order, with a free place for this user, locked until the
 * transaction ends. The routing index gives items in order; for each, live reservations are
 * counted through the assignments index, and the scan stops at the first that fits. That row is
 * locked, then counted again under the lock, which sees every reservation committed before it;
 * if it filled up meanwhile (or its last place is kept for an expert), the next.
 *
 * The search runs twice at most. The first pass skips rows that other transactions hold
 * (`skip locked`), so that parallel requests spread over items instead of queueing behind each
 * other. A row is held only for a moment (by another request reserving a place of it, a
 * submission, a lead's decision), and an item held so may still have free places: when the first
 * pass finds nothing, the second waits for such rows and counts them once they are free. Only
 * when that pass finds nothing either does the caller have nothing to do.
 *
 * Every candidate is locked under a savepoint, and one passed over is released by rolling back
 * to it: a request holds at most one item row, and none while it waits for one, so two requests
 * never wait for each other crosswise.
 */
async function pickItem(
  trx: Kysely<Database>,
  user: User,
  project: ProjectModel,
): Promise<number | null> {
  await sql`savepoint queue_candidate`.execute(trx);
  const passedOver: number[] = [];
  return (
    (await searchItems(trx, user, project, passedOver, "skip locked")) ??
    (await searchItems(trx, user, project, passedOver, "wait for locked"))
  );
}

/**
 * One pass of `pickItem`. The pass that skips locked rows gives up after `MAX_CANDIDATES`
 * passed over, leaving the rest to the waiting pass; that one goes on until no candidate is
 * left, which ends because every candidate it passes over is left out of the next query.
 */
async function searchItems(
  trx: Kysely<Database>,
  user: User,
  project: ProjectModel,
  passedOver: number[],
  locked: "skip locked" | "wait for locked",
): Promise<number | null> {
  for (let attempt = 0; locked === "wait for locked" || attempt < MAX_CANDIDATES; attempt++) {
    const candidate = await trx
      .selectFrom("items")
      .select("id")
      .where("project_id", "=", project.id)
      .where("status", "in", ["queued", "annotating"])
      .where("gold_label", "is", null)
      .where("id", "not in", doneByUser(trx, user.id))
      .$if(passedOver.length > 0, (query) => query.where("id", "not in", passedOver))
      .where(domainFilter(user, project))
      .where((eb) => eb(eb("label_count", "+", liveReservations), "<", project.overlap))
      .$if(keepsLastPlacesFrom(project, user), (query) =>
        query.where(sql<boolean>`not ${lastPlaceKeptForAnExpert(project, user)}`),
      )
      .orderBy("label_count", "desc")
      .orderBy("id")
      .limit(1)
      .forUpdate()
      .$if(locked === "skip locked", (query) => query.skipLocked())
      .executeTakeFirst();
    if (!candidate) return null;
    const { taken } = await trx
      .selectFrom("items")
      .select(sql<number>`label_count + ${liveReservations}`.as("taken"))
      .where("id", "=", candidate.id)
      .executeTakeFirstOrThrow();
    if (
      taken < project.overlap &&
      !(await lastPlaceKeptForExpert(trx, project, user, candidate.id, taken))
    ) {
      return candidate.id;
    }
    passedOver.push(candidate.id);
    await sql`rollback to savepoint queue_candidate`.execute(trx);
  }
  return null;
}

function keepsLastPlacesFrom(project: ProjectModel, user: User): boolean {
  return project.settings.requireExpert && user.level !== "expert";
}

/**
 * `lastPlaceKeptForExpert` as a condition on the candidate `items` row, so that the search
 * leaves such items out rather than passing over them one by one: a junior in a project whose
 * items wait for their expert would otherwise use up `MAX_CANDIDATES` on them and be told there
 * is nothing to do while an item further down the order has room. The check after the lock
 * still decides.
 */
function lastPlaceKeptForAnExpert(project: ProjectModel, user: User) {
  return sql<boolean>`(
    items.label_count + ${liveReservations} = ${project.overlap - 1}
    and not exists (
      select 1 from assignments a join users u on u.id = a.user_id
      where a.item_id = items.id and a.user_id <> ${user.id} and u.level = 'expert'
        and (a.status = 'submitted' or (a.status = 'reserved' and a.expires_at > now()))
    )
  )`;
}

/**
 * Whether an item's last free place is kept from this user for an expert: the project requires
 * one, `taken` (the item's labels and others' live reservations) leaves one place, the user is no
 * expert, and no other expert has labelled the item or holds a live reservation of it. The queue
 * asks it of every candidate, and a late label too, which takes a place as a reservation would.
 */
export async function lastPlaceKeptForExpert(
  trx: Kysely<Database>,
  project: ProjectModel,
  user: User,
  itemId: number,
  taken: number,
): Promise<boolean> {
  if (!project.settings.requireExpert || user.level === "expert") return false;
  if (taken !== project.overlap - 1) return false;
  const expert = await trx
    .selectFrom("assignments")
    .innerJoin("users", "users.id", "assignments.user_id")
    .select("assignments.id")
    .where("assignments.item_id", "=", itemId)
    .where("assignments.user_id", "!=", user.id)
    .where("users.level", "=", "expert")
    .where((eb) =>
      eb.or([
        eb("assignments.status", "=", "submitted"),
        eb.and([
          eb("assignments.status", "=", "reserved"),
          eb("assignments.expires_at", ">", new Date()),
        ]),
      ]),
    )
    .executeTakeFirst();
  return expert === undefined;
}
