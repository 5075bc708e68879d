import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { pseudonymsFor } from "./items.ts";

/**
 * Rooms name people by their participant key: an opaque key per person and project, made when
 * they join the project (a trigger on `project_members`) and kept after they leave, so that
 * nobody who reads a room can tell the user id behind a vote or a comment
 * (docs/decisions/016-participant-keys.md). Only the server maps keys to people.
 */

/** The keys the given users already have in the project; a read, for pages and GETs. */
export async function participantKeys(
  db: Kysely<Database>,
  projectId: number,
  userIds: ReadonlyArray<number>,
): Promise<Map<number, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("project_participants")
    .select(["user_id", "key"])
    .where("project_id", "=", projectId)
    .where("user_id", "in", [...new Set(userIds)])
    .execute();
  return new Map(rows.map((row) => [row.user_id, row.key]));
}

/**
 * The keys of the given users in the project, made for those who have none yet (an admin who
 * labelled without being a member). For server writes to rooms, never for a page's GET.
 */
export async function ensureParticipantKeys(
  db: Kysely<Database>,
  projectId: number,
  userIds: ReadonlyArray<number>,
): Promise<Map<number, string>> {
  if (userIds.length === 0) return new Map();
  await db
    .insertInto("project_participants")
    .values([...new Set(userIds)].map((userId) => ({ project_id: projectId, user_id: userId })))
    .onConflict((conflict) => conflict.columns(["project_id", "user_id"]).doNothing())
    .execute();
  return participantKeys(db, projectId, userIds);
}

/** The user behind each key of the project. */
export async function participantUsers(
  db: Kysely<Database>,
  projectId: number,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("project_participants")
    .select(["user_id", "key"])
    .where("project_id", "=", projectId)
    .execute();
  return new Map(rows.map((row) => [row.key, row.user_id]));
}

/**
 * Every participant key of the project with the name a viewer may see for it. With `hideNames`
 * (annotators, and clients where the project pseudonymises), whoever labelled in the project
 * appears under their pseudonym and only the leads and clients by name; others see names.
 */
export async function participantNames(
  db: Kysely<Database>,
  projectId: number,
  hideNames: boolean,
): Promise<Record<string, string>> {
  const rows = await db
    .selectFrom("project_participants")
    .innerJoin("users", "users.id", "project_participants.user_id")
    .leftJoin("project_members", (join) =>
      join
        .onRef("project_members.project_id", "=", "project_participants.project_id")
        .onRef("project_members.user_id", "=", "project_participants.user_id"),
    )
    .select(["project_participants.key", "users.id", "users.name", "project_members.role"])
    .where("project_participants.project_id", "=", projectId)
    .execute();
  const pseudonyms = hideNames ? await pseudonymsFor(db, projectId) : new Map<number, string>();
  return Object.fromEntries(
    rows.map((row) => {
      if (!hideNames) return [row.key, row.name];
      const pseudonym = pseudonyms.get(row.id);
      if (pseudonym !== undefined) return [row.key, pseudonym];
      return [row.key, row.role === "lead" || row.role === "client" ? row.name : "Former member"];
    }),
  );
}
