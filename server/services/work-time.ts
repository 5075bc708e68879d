import type { Kysely } from "kysely";
import { reviewRoomName } from "../../app/domain/room.ts";
import {
  addInstant,
  foldRun,
  measureReservation,
  reservationTime,
  totalTime,
  type ActiveTime,
  type ActivityRun,
  type MeasuredWork,
} from "../../app/domain/work-time.ts";
import type { Database, User } from "../../db/schema.ts";
import { conflict, notFound } from "../errors.ts";
import { loadProjectFor } from "./project-model.ts";

/**
 * Where the server keeps working time (docs/decisions/021-working-time.md): on the assignment
 * while an item is held, on the annotation once submitted; in `room_time` per room and person
 * while a room or review is worked on, settled per person onto the published version
 * (`adjudication_time`) or the review decision (`review_time`). Every fold uses the rule of
 * app/domain/work-time.ts.
 */

export interface PersonTime {
  userId: number;
  activeMs: number;
}

/** What recording an instant on a held item did. */
export type AssignmentActivity =
  { recorded: true; activeMs: number } | { recorded: false; reason: "not held" | "expired" };

/**
 * Records an activity instant on the item the user holds (a draft save, a heartbeat). Instants
 * after the reservation's end are not recorded: work past it is not measured.
 */
export async function recordAssignmentActivity(
  db: Kysely<Database>,
  userId: number,
  itemId: number,
  at: Date,
): Promise<AssignmentActivity> {
  return db.transaction().execute(async (trx) => {
    const assignment = await trx
      .selectFrom("assignments")
      .select(["id", "status", "reserved_at", "expires_at", "active_ms", "last_active_at"])
      .where("item_id", "=", itemId)
      .where("user_id", "=", userId)
      .forUpdate()
      .executeTakeFirst();
    if (assignment?.status !== "reserved") return { recorded: false, reason: "not held" };
    if (at.getTime() > new Date(assignment.expires_at).getTime()) {
      return { recorded: false, reason: "expired" };
    }
    const time = addInstant(
      reservationTime({
        reservedAt: assignment.reserved_at.getTime(),
        activeMs: assignment.active_ms,
        lastActiveAt: assignment.last_active_at?.getTime() ?? null,
      }),
      at.getTime(),
    );
    await trx
      .updateTable("assignments")
      .set({ active_ms: time.activeMs, last_active_at: new Date(time.lastAt ?? at.getTime()) })
      .where("id", "=", assignment.id)
      .execute();
    return { recorded: true, activeMs: time.activeMs };
  });
}

/**
 * `POST /api/v1/items/:id/heartbeat`: the caller is working on the item they hold. 404 for an
 * item outside the caller's projects, 409 when they do not hold it or its reservation ended.
 */
export async function itemHeartbeat(
  db: Kysely<Database>,
  user: User,
  itemId: number,
): Promise<void> {
  const item = await db
    .selectFrom("items")
    .select("project_id")
    .where("id", "=", itemId)
    .executeTakeFirst();
  if (!item) throw notFound("No such item");
  await loadProjectFor(db, user, item.project_id, "item.annotate");
  const activity = await recordAssignmentActivity(db, user.id, itemId, new Date());
  if (!activity.recorded) {
    throw conflict(
      activity.reason === "expired"
        ? "Your reservation of this item has ended; time past it is not counted"
        : "You do not hold this item",
    );
  }
}

/** The measured working time of a label submitted now, from its locked assignment row. */
export function measureSubmission(
  assignment: {
    reserved_at: Date;
    expires_at: Date | string;
    active_ms: number;
    last_active_at: Date | null;
  },
  submittedAt: Date,
): MeasuredWork {
  return measureReservation(
    {
      reservedAt: assignment.reserved_at.getTime(),
      expiresAt: new Date(assignment.expires_at).getTime(),
      activeMs: assignment.active_ms,
      lastActiveAt: assignment.last_active_at?.getTime() ?? null,
    },
    submittedAt.getTime(),
  );
}

/** A run of one person's instants in one room, gathered by the sync server. */
export interface RoomRun {
  docName: string;
  userId: number;
  run: ActivityRun;
}

/** Locks (creating where missing) the rows of these people in these rooms, in a fixed order. */
async function lockRoomTimes(
  trx: Kysely<Database>,
  keys: ReadonlyArray<{ docName: string; userId: number }>,
): Promise<Map<string, ActiveTime>> {
  const times = new Map<string, ActiveTime>();
  if (keys.length === 0) return times;
  const unique = [...new Map(keys.map((key) => [`${key.docName}\u0000${key.userId}`, key]))]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, key]) => key);
  await trx
    .insertInto("room_time")
    .values(unique.map((key) => ({ doc_name: key.docName, user_id: key.userId })))
    .onConflict((oc) => oc.columns(["doc_name", "user_id"]).doNothing())
    .execute();
  const rows = await trx
    .selectFrom("room_time")
    .select(["doc_name", "user_id", "active_ms", "last_active_at"])
    .where((eb) =>
      eb.or(
        unique.map((key) =>
          eb.and([eb("doc_name", "=", key.docName), eb("user_id", "=", key.userId)]),
        ),
      ),
    )
    .orderBy("doc_name")
    .orderBy("user_id")
    .forUpdate()
    .execute();
  for (const row of rows) {
    times.set(`${row.doc_name}\u0000${row.user_id}`, {
      activeMs: Number(row.active_ms),
      lastAt: row.last_active_at?.getTime() ?? null,
    });
  }
  return times;
}

async function storeRoomTime(
  trx: Kysely<Database>,
  docName: string,
  userId: number,
  time: ActiveTime,
): Promise<void> {
  await trx
    .updateTable("room_time")
    .set({
      active_ms: time.activeMs,
      last_active_at: time.lastAt === null ? null : new Date(time.lastAt),
    })
    .where("doc_name", "=", docName)
    .where("user_id", "=", userId)
    .execute();
}

/** Adds runs of room activity (from the sync server's memory) to the stored times. */
export async function addRoomRuns(
  db: Kysely<Database>,
  runs: ReadonlyArray<RoomRun>,
): Promise<void> {
  if (runs.length === 0) return;
  await db.transaction().execute(async (trx) => {
    const times = await lockRoomTimes(trx, runs);
    for (const { docName, userId, run } of runs) {
      const key = `${docName}\u0000${userId}`;
      const time = foldRun(times.get(key) ?? { activeMs: 0, lastAt: null }, run);
      times.set(key, time);
      await storeRoomTime(trx, docName, userId, time);
    }
  });
}

/** Records one activity instant of a person on a room (an HTTP action, a page's heartbeat). */
export async function addRoomInstant(
  trx: Kysely<Database>,
  docName: string,
  userId: number,
  at: Date,
): Promise<void> {
  const times = await lockRoomTimes(trx, [{ docName, userId }]);
  const time = times.get(`${docName}\u0000${userId}`) ?? { activeMs: 0, lastAt: null };
  await storeRoomTime(trx, docName, userId, addInstant(time, at.getTime()));
}

/**
 * Settles a room's time, inside the transaction that publishes a version or decides a review:
 * the actor's action is their last instant; every person's time is taken out of `room_time`
 * and returned, to be stored with what was decided.
 */
export async function settleRoomTime(
  trx: Kysely<Database>,
  docName: string,
  actor: { userId: number; at: Date },
): Promise<PersonTime[]> {
  await addRoomInstant(trx, docName, actor.userId, actor.at);
  const rows = await trx
    .deleteFrom("room_time")
    .where("doc_name", "=", docName)
    .returning(["user_id", "active_ms"])
    .execute();
  return rows
    .map((row) => ({ userId: row.user_id, activeMs: Number(row.active_ms) }))
    .sort((a, b) => a.userId - b.userId);
}

/** Forgets a room's unsettled time: a reopened room starts its next version's count afresh. */
export async function discardRoomTime(trx: Kysely<Database>, docName: string): Promise<void> {
  await trx.deleteFrom("room_time").where("doc_name", "=", docName).execute();
}

/** Each person's hourly rate now, which their work recorded now is costed at (decision 034). */
async function ratesNow(
  trx: Kysely<Database>,
  times: ReadonlyArray<PersonTime>,
): Promise<Map<number, number | null>> {
  const rows = await trx
    .selectFrom("users")
    .select(["id", "hourly_rate_cents"])
    .where(
      "id",
      "in",
      times.map((time) => time.userId),
    )
    .execute();
  return new Map(rows.map((row) => [row.id, row.hourly_rate_cents]));
}

/** Stores each person's time on a published version (inserted just before, in `trx`). */
export async function storeAdjudicationTime(
  trx: Kysely<Database>,
  itemId: number,
  version: number,
  times: ReadonlyArray<PersonTime>,
): Promise<void> {
  if (times.length > 0) {
    const rates = await ratesNow(trx, times);
    await trx
      .insertInto("adjudication_time")
      .values(
        times.map((time) => ({
          item_id: itemId,
          version,
          user_id: time.userId,
          active_ms: time.activeMs,
          rate_cents_per_hour: rates.get(time.userId) ?? null,
        })),
      )
      .execute();
  }
}

/** Stores each person's time on a decided review and its total on the review. */
export async function storeReviewTime(
  trx: Kysely<Database>,
  reviewId: number,
  times: ReadonlyArray<PersonTime>,
): Promise<void> {
  if (times.length > 0) {
    const rates = await ratesNow(trx, times);
    await trx
      .insertInto("review_time")
      .values(
        times.map((time) => ({
          review_id: reviewId,
          user_id: time.userId,
          active_ms: time.activeMs,
          rate_cents_per_hour: rates.get(time.userId) ?? null,
        })),
      )
      .execute();
  }
  await trx
    .updateTable("reviews")
    .set({ time_spent_ms: totalTime(times) })
    .where("id", "=", reviewId)
    .execute();
}

/**
 * `POST /api/v1/reviews/:id/heartbeat`: a lead is working on a pending review (its page is open
 * and in use). The instant counts towards the review's time like activity in its room.
 */
export async function reviewHeartbeat(
  db: Kysely<Database>,
  user: User,
  reviewId: number,
): Promise<void> {
  const review = await db
    .selectFrom("reviews")
    .select(["project_id", "annotation_id", "verdict"])
    .where("id", "=", reviewId)
    .executeTakeFirst();
  if (!review) throw notFound("No such review");
  await loadProjectFor(db, user, review.project_id, "item.review");
  if (review.verdict !== "pending") throw conflict("This review was already decided");
  await db.transaction().execute(async (trx) => {
    await addRoomInstant(trx, reviewRoomName(review.annotation_id), user.id, new Date());
  });
}

/** Each person's time on published versions of an item, by version. */
export async function adjudicationTimes(
  db: Kysely<Database>,
  itemId: number,
): Promise<Map<number, PersonTime[]>> {
  const rows = await db
    .selectFrom("adjudication_time")
    .select(["version", "user_id", "active_ms"])
    .where("item_id", "=", itemId)
    .orderBy("version")
    .orderBy("user_id")
    .execute();
  const byVersion = new Map<number, PersonTime[]>();
  for (const row of rows) {
    const times = byVersion.get(row.version) ?? [];
    times.push({ userId: row.user_id, activeMs: row.active_ms });
    byVersion.set(row.version, times);
  }
  return byVersion;
}
