import { sql, type Kysely } from "kysely";
import type { Database, User } from "../../db/schema.ts";
import { loadProjectFor } from "./project-model.ts";
import { domainFilter, liveReservations } from "./queue.ts";

/**
 * Why there is or is not an item for the caller: `available` (one is held or has a free place),
 * `waiting` (the items left are held by others, whose reservations may lapse), `all_done` (the
 * caller has labelled or skipped every item open to them), `no_items_for_domains` (the project
 * has items, none in the caller's domains), `no_items` (nothing imported yet).
 */
export type QueueState = "available" | "waiting" | "all_done" | "no_items_for_domains" | "no_items";

export interface LabelingStatus {
  state: QueueState;
  /** Labels the caller submitted in the project since 00:00 UTC today. */
  doneToday: number;
  /** Labels the caller submitted in the project in all. */
  doneTotal: number;
  /** Items open to the caller now, the one they hold included. */
  remaining: number;
  /** Items the caller could label once another annotator's reservation lapses. */
  waiting: number;
}

function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/**
 * The caller's own progress in a project and the state of their queue, counted with the rules
 * that route items (`queue.ts`): the same domain filter, an item's places taken by labels and
 * live reservations, and gold items open to each annotator once. Gold items count like any
 * other here: were they left out, the item served after "all done" would be known to be gold.
 */
export async function labelingStatus(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  now = new Date(),
): Promise<LabelingStatus> {
  const { project } = await loadProjectFor(db, user, projectId, "item.annotate");
  const done = await db
    .selectFrom("assignments")
    .innerJoin("items", "items.id", "assignments.item_id")
    .select((eb) => [
      eb.fn.countAll<string>().as("total"),
      sql<string>`count(*) filter (where assignments.completed_at >= ${startOfUtcDay(now)})`.as(
        "today",
      ),
    ])
    .where("items.project_id", "=", projectId)
    .where("assignments.user_id", "=", user.id)
    .where("assignments.status", "=", "submitted")
    .executeTakeFirstOrThrow();

  // What the caller has finished with, and the reservation they hold, item by item.
  const mine = sql<string | null>`(
    select a.status from assignments a
    where a.item_id = items.id and a.user_id = ${user.id}
      and (a.status in ('submitted', 'skipped') or (a.status = 'reserved' and a.expires_at > now()))
  )`;
  // Only items that can still be given out are looked at item by item: settled ones never are.
  const candidates = db
    .selectFrom("items")
    .select([
      sql<boolean>`items.gold_label is not null`.as("gold"),
      mine.as("mine"),
      sql<number>`items.label_count + ${liveReservations}`.as("taken"),
      "items.label_count",
    ])
    .where("items.project_id", "=", projectId)
    .where(domainFilter(user, project))
    .where((eb) =>
      eb.or([
        eb("items.gold_label", "is not", null),
        eb("items.status", "in", ["queued", "annotating"]),
      ]),
    );
  const queue = await db
    .selectFrom(candidates.as("c"))
    .select([
      sql<string>`count(*) filter (where
        (c.gold and (c.mine is null or c.mine = 'reserved'))
        or (not c.gold and (c.mine = 'reserved' or (c.mine is null and c.taken < ${project.overlap}))))`.as(
        "open",
      ),
      sql<string>`count(*) filter (where not c.gold and c.mine is null
        and c.taken >= ${project.overlap} and c.label_count < ${project.overlap})`.as("held"),
    ])
    .executeTakeFirstOrThrow();
  const remaining = Number(queue.open);
  const waiting = Number(queue.held);

  const emptyBecause = async (): Promise<QueueState> => {
    const counts = await db
      .selectFrom("items")
      .select((eb) => [
        eb.fn.countAll<string>().as("items"),
        sql<string>`count(*) filter (where ${domainFilter(user, project)})`.as("inDomains"),
      ])
      .where("items.project_id", "=", projectId)
      .executeTakeFirstOrThrow();
    if (Number(counts.inDomains) > 0) return "all_done";
    return Number(counts.items) > 0 ? "no_items_for_domains" : "no_items";
  };
  const state: QueueState =
    remaining > 0 ? "available" : waiting > 0 ? "waiting" : await emptyBecause();
  return {
    state,
    doneToday: Number(done.today),
    doneTotal: Number(done.total),
    remaining,
    waiting,
  };
}
