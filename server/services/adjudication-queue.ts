import { sql, type Kysely } from "kysely";
import { z } from "zod";
import { itemRoomName } from "../../app/domain/room.ts";
import type { Database, User } from "../../db/schema.ts";
import { badRequest, fieldErrors, forbidden } from "../errors.ts";
import type { QuorumContext } from "../context.ts";
import { requireProjectPermission, type Subject } from "../permissions.ts";
import { byName } from "./items.ts";
import { panelItemIds } from "./panel.ts";

export type QueueContext = Pick<QuorumContext, "db" | "rooms">;

/** The stages of adjudication: waiting for its room, and being adjudicated in it. */
const QUEUED_STATUSES = ["disputed", "adjudicating"] as const;
export type QueuedStatus = (typeof QUEUED_STATUSES)[number];

/** `GET …/adjudication?limit=`: how many items at most, oldest wait first. */
export const adjudicationQueueQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Someone in an item's room, as the viewer may see them: under a pseudonym, with no id. */
export interface RoomPerson {
  id: number | null;
  name: string;
}

export interface QueuedItem {
  id: number;
  externalId: string;
  status: QueuedStatus;
  disputedFields: string[];
  /** When the item's current wait began (see `waitingSince`), as an ISO timestamp. */
  disputedAt: string;
  /** Whether a lead reopened the item after publishing it, rather than its annotators disputing it. */
  reopened: boolean;
}

/**
 * When an item's wait for adjudication began. No column records when an item became disputed;
 * its agreement check's `checked_at` is that moment, since nothing runs the check again while an
 * item is disputed or adjudicating (settling takes queued and annotating items, the recheck
 * consensus and published ones). A reopened item waits from its reopening, which sets
 * `adjudication_started_at`. An item without a stored check (made before checks were stored, or
 * written straight to the database) falls back on the earliest evidence there is: its room's
 * first opening, else its last change.
 */
const reopened = sql<boolean>`exists (select 1 from adjudications where adjudications.item_id = items.id)`;
const waitingSince = sql<Date>`case
  when ${reopened} and items.adjudication_started_at is not null
    then items.adjudication_started_at
  when item_outcomes.disputed then item_outcomes.checked_at
  else coalesce(items.adjudication_started_at, items.updated_at)
end`;

/**
 * Who sees which part of the queue. Leads and admins see every item; an annotator sees the
 * items whose panel they sit on now, and nothing of the others (an empty queue when they sit on
 * none): an annotator still labelling an item must not learn that others disagree on it
 * (decision 006), and whether they sit on a panel is theirs to know. Clients adjudicate nothing
 * and get no queue from the API.
 */
function queueScope(subject: Subject): "all" | "own panels" | null {
  if (subject.isAdmin || subject.role === "lead") return "all";
  return subject.role === "annotator" ? "own panels" : null;
}

/**
 * The items of a project waiting for or in adjudication, oldest wait first, and how many there
 * are in all; `scope` says whose panels (see `queueScope`).
 */
export async function readAdjudicationQueue(
  db: Kysely<Database>,
  projectId: number,
  scope: { panelsOf: number | null; limit: number },
): Promise<{ items: QueuedItem[]; total: number }> {
  const { panelsOf } = scope;
  const queued = db
    .selectFrom("items")
    .leftJoin("item_outcomes", "item_outcomes.item_id", "items.id")
    .where("items.project_id", "=", projectId)
    .where("items.status", "in", QUEUED_STATUSES)
    .where("items.gold_label", "is", null)
    .$if(panelsOf !== null, (query) =>
      query.where(
        "items.id",
        "in",
        panelItemIds(db, panelsOf!).where("items.project_id", "=", projectId),
      ),
    );
  const [rows, counted] = await Promise.all([
    queued
      .select([
        "items.id",
        "items.external_id",
        "items.status",
        "item_outcomes.fields as outcome_fields",
        waitingSince.as("disputed_at"),
        reopened.as("reopened"),
      ])
      .orderBy(waitingSince)
      .orderBy("items.id")
      .limit(scope.limit)
      .execute(),
    queued.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((row) => ({
      id: row.id,
      externalId: row.external_id,
      status: row.status as QueuedStatus,
      disputedFields: Array.isArray(row.outcome_fields)
        ? (row.outcome_fields as Array<{ fieldId: string; disputed: boolean }>)
            .filter((field) => field.disputed)
            .map((field) => field.fieldId)
        : [],
      disputedAt: new Date(row.disputed_at).toISOString(),
      reopened: row.reopened === true,
    })),
    total: Number(counted.total),
  };
}

/**
 * The people in an item's room now, as the viewer may see them: where annotators are
 * pseudonymised for the viewer, under their pseudonym and without an id, as the room itself
 * shows them (awareness.ts); the viewer always as themselves. Each by name. Presence is what this
 * instance's sync server holds (RoomDocuments.occupants).
 */
function peopleInRoom(
  rooms: QueueContext["rooms"],
  itemId: number,
  viewer: { userId: number; seesPseudonyms: boolean },
): RoomPerson[] {
  return rooms
    .occupants(itemRoomName(itemId))
    .map((occupant): RoomPerson => {
      const hidden =
        viewer.seesPseudonyms && occupant.pseudonym !== null && occupant.id !== viewer.userId;
      return hidden
        ? { id: null, name: occupant.pseudonym! }
        : { id: occupant.id, name: occupant.name };
    })
    .sort((a, b) => byName(a.name, b.name));
}

/**
 * `GET /api/v1/projects/:id/adjudication`: the project's disputed and adjudicating items,
 * oldest wait first, each with who is in its room now. Leads and admins get every item,
 * annotators the items whose panel they sit on; clients are refused (403), outsiders get 404.
 */
export async function adjudicationQueue(
  context: QueueContext,
  user: User,
  projectId: number,
  query: unknown = {},
) {
  const parsed = adjudicationQueueQuerySchema.safeParse(query);
  if (!parsed.success) throw badRequest("Invalid query", fieldErrors(parsed.error.issues));
  const subject = await requireProjectPermission(context.db, user, projectId, "project.view");
  const scope = queueScope(subject);
  if (scope === null) {
    throw forbidden("The adjudication queue is for the project's leads and panel members");
  }
  const queue = await readAdjudicationQueue(context.db, projectId, {
    panelsOf: scope === "all" ? null : user.id,
    limit: parsed.data.limit,
  });
  const viewer = { userId: user.id, seesPseudonyms: scope !== "all" };
  return {
    items: queue.items.map((item) => ({
      ...item,
      inRoom: peopleInRoom(context.rooms, item.id, viewer),
    })),
    total: queue.total,
  };
}
