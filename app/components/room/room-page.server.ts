import type { Kysely } from "kysely";
import type { Database, User } from "../../../db/schema.ts";
import { participantIdentity } from "../../../server/sync/awareness.ts";
import type { DocumentGrant } from "../../../server/sync/permissions.ts";
import { memberId } from "~/domain/room.ts";
import type { RoomViewer } from "./room-types.ts";

/**
 * Who the viewer is in a room, as the sync server will treat them: the same grant decides
 * whether their edits are stored, so the page offers editing exactly when they would be.
 */
export function roomViewer(user: User, grant: DocumentGrant): RoomViewer {
  const identity = participantIdentity(user, grant.role, grant.pseudonym);
  return {
    id: user.id,
    memberId: memberId(user.id),
    name: user.name,
    role: grant.role,
    colour: identity.colour,
    access: grant.access,
  };
}

/** Leads of a project by member id: they chair rooms and comment in them under their names. */
export async function leadNames(
  db: Kysely<Database>,
  projectId: number,
): Promise<Record<string, string>> {
  const leads = await db
    .selectFrom("project_members")
    .innerJoin("users", "users.id", "project_members.user_id")
    .select(["users.id", "users.name"])
    .where("project_members.project_id", "=", projectId)
    .where("project_members.role", "=", "lead")
    .execute();
  return Object.fromEntries(leads.map((lead) => [memberId(lead.id), lead.name]));
}
