import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database, ItemStatus } from "../../db/schema.ts";
import { conflict, validationFailed } from "../errors.ts";
import { emailSchema } from "./users.ts";

/** Stages in which an item has a panel: its annotators may see each other's labels. */
export const PANEL_STATUSES: ReadonlyArray<ItemStatus> = ["disputed", "adjudicating", "published"];

export interface PanelMember {
  userId: number;
  name: string;
  /** `annotator`: labelled the item; `invited`: added by a lead. */
  source: "annotator" | "invited";
}

/**
 * Items with the project's annotators and leads and what ties them to the item's panel: a label
 * of theirs that counts (not rejected in review), or a lead's invitation. A user labels an item
 * at most once.
 */
function panelSeats(db: Kysely<Database>) {
  return db
    .selectFrom("items")
    .innerJoin("project_members", "project_members.project_id", "items.project_id")
    .innerJoin("users", "users.id", "project_members.user_id")
    .leftJoin("annotations", (join) =>
      join
        .onRef("annotations.item_id", "=", "items.id")
        .onRef("annotations.user_id", "=", "users.id")
        .on("annotations.rejected_at", "is", null),
    )
    .leftJoin("panel_members", (join) =>
      join
        .onRef("panel_members.item_id", "=", "items.id")
        .onRef("panel_members.user_id", "=", "users.id"),
    )
    .where("project_members.role", "in", ["annotator", "lead"])
    .where((eb) =>
      eb.or([eb("annotations.id", "is not", null), eb("panel_members.user_id", "is not", null)]),
    );
}

/**
 * An item's adjudication panel: its annotators whose labels count and the experts a lead
 * added, while they are still annotators or leads of the project.
 */
export async function listPanel(db: Kysely<Database>, itemId: number): Promise<PanelMember[]> {
  const rows = await panelSeats(db)
    .where("items.id", "=", itemId)
    .select(["users.id", "users.name", "annotations.id as annotation_id"])
    .orderBy("users.id")
    .execute();
  return rows.map((row) => ({
    userId: row.id,
    name: row.name,
    source: row.annotation_id === null ? "invited" : "annotator",
  }));
}

/**
 * Whether the user sits on the item's panel now: the item is disputed, in adjudication or
 * published, and the user is on its panel (see `listPanel`). The sync server asks this to let
 * panel members edit the item's room.
 */
export async function isPanelMember(
  db: Kysely<Database>,
  userId: number,
  itemId: number,
): Promise<boolean> {
  const row = await panelItemIds(db, userId).where("items.id", "=", itemId).executeTakeFirst();
  return row !== undefined;
}

/**
 * Of the given seats (a user on an item's panel), those still held now, as `isPanelMember`
 * decides, in one query however many: keyed `<userId>:<itemId>` (`panelSeatKey`).
 */
export async function heldPanelSeats(
  db: Kysely<Database>,
  seats: ReadonlyArray<{ userId: number; itemId: number }>,
): Promise<Set<string>> {
  if (seats.length === 0) return new Set();
  const rows = await panelSeats(db)
    .select(["project_members.user_id", "items.id"])
    .where("items.status", "in", PANEL_STATUSES)
    .where((eb) =>
      eb(
        eb.refTuple("project_members.user_id", "items.id"),
        "in",
        seats.map(({ userId, itemId }) => eb.tuple(userId, itemId)),
      ),
    )
    .execute();
  return new Set(rows.map((row) => panelSeatKey(row.user_id, row.id)));
}

export const panelSeatKey = (userId: number, itemId: number): string => `${userId}:${itemId}`;

/**
 * The ids of the items whose panel the user sits on now (see `isPanelMember`). It stays a query
 * so that the item list can take it in as a subquery instead of asking item by item.
 */
export function panelItemIds(db: Kysely<Database>, userId: number) {
  return panelSeats(db)
    .select("items.id")
    .where("project_members.user_id", "=", userId)
    .where("items.status", "in", PANEL_STATUSES);
}

export const addPanelMemberSchema = z.object({ email: emailSchema }).strict();

/**
 * Adds an expert to an item's panel (the caller has checked that a lead asks). The expert must
 * already be an annotator or lead of the project; joining the panel shows them every label of
 * the item, so the item must be past its blind phase.
 */
export async function insertPanelMember(
  db: Kysely<Database>,
  item: { id: number; projectId: number; status: ItemStatus },
  email: string,
  addedBy: number,
): Promise<number> {
  if (!PANEL_STATUSES.includes(item.status)) {
    throw conflict(
      `A panel sits on disputed, adjudicating or published items; this one is ${item.status}`,
    );
  }
  const member = await db
    .selectFrom("users")
    .innerJoin("project_members", "project_members.user_id", "users.id")
    .select(["users.id"])
    .where((eb) => eb(eb.fn("lower", ["users.email"]), "=", email))
    .where("project_members.project_id", "=", item.projectId)
    .where("project_members.role", "in", ["annotator", "lead"])
    .where("users.disabled_at", "is", null)
    .executeTakeFirst();
  if (!member) {
    throw validationFailed("Only an annotator or lead of this project can join its panels", [
      { field: "email", message: "is not an annotator or lead of this project" },
    ]);
  }
  await db
    .insertInto("panel_members")
    .values({ item_id: item.id, user_id: member.id, added_by: addedBy })
    .onConflict((onConflict) => onConflict.columns(["item_id", "user_id"]).doNothing())
    .execute();
  return member.id;
}
