import type { Kysely } from "kysely";
import type { Database, ProjectRole } from "../../db/schema.ts";
import { validCredentials, type CredentialRef } from "../services/auth.ts";
import { heldPanelSeats, panelSeatKey } from "../services/panel.ts";

/** An open connection as the access recheck sees it. */
export interface AccessHolder {
  readonly credential: CredentialRef;
  readonly userId: number;
  /** The project of the document the connection is open on. */
  readonly projectId: number;
  /** The user's role in that project when the connection opened (null: none, an admin's). */
  readonly roleAtOpen: ProjectRole | null;
  /** Whether the user was an admin when the connection opened. */
  readonly adminAtOpen: boolean;
  /** Closes the connection: the access it was opened with has ended. */
  revokeAccess(reason: string): void;
}

/**
 * Access to a room is decided at the upgrade, but a session can be logged out, a token revoked,
 * a user disabled, removed from the project or given another role there, an admin's rights
 * taken away, an annotator's label rejected in review while the connection stays open. This
 * closes the connections whose credential no longer holds, whose user has left the project, whose
 * role there or admin right is no longer the one their access was decided under (what a
 * connection may write, and whether it sees names or pseudonyms, follow from both: it opens the
 * room again to be given what the new role allows), or whose right to edit an item's room rested
 * on a seat on its panel (`seatOf`: an annotator's, as the upgrade decides in permissions.ts) that
 * the user no longer holds; in five queries however many connections are open; `onSeatLost`
 * hears of each connection closed for its seat. Returns how many it closed.
 */
export async function recheckAccess<Holder extends AccessHolder>(
  db: Kysely<Database>,
  holders: readonly Holder[],
  seatOf: (holder: Holder) => number | null = () => null,
  onSeatLost: (holder: Holder, itemId: number) => void = () => {},
): Promise<number> {
  if (holders.length === 0) return 0;
  const memberships = new Map<string, { userId: number; projectId: number }>();
  for (const { userId, projectId } of holders) {
    memberships.set(membershipKey(userId, projectId), { userId, projectId });
  }
  const seats = holders.flatMap((holder) => {
    const itemId = seatOf(holder);
    return itemId === null ? [] : [{ userId: holder.userId, itemId }];
  });
  const userIds = [...new Set(holders.map((holder) => holder.userId))];
  const [credentials, members, admins, heldSeats] = await Promise.all([
    validCredentials(
      db,
      holders.map((holder) => holder.credential),
    ),
    db
      .selectFrom("project_members")
      .select(["user_id", "project_id", "role"])
      .where((eb) =>
        eb(
          eb.refTuple("user_id", "project_id"),
          "in",
          [...memberships.values()].map(({ userId, projectId }) => eb.tuple(userId, projectId)),
        ),
      )
      .execute(),
    db
      .selectFrom("users")
      .select("id")
      .where("id", "in", userIds)
      .where("is_admin", "=", true)
      .execute(),
    heldPanelSeats(db, seats),
  ]);
  const roles = new Map(
    members.map((row) => [membershipKey(row.user_id, row.project_id), row.role] as const),
  );
  const adminIds = new Set(admins.map((row) => row.id));
  let closed = 0;
  for (const holder of holders) {
    const { credential } = holder;
    const credentialHolds =
      credential.kind === "session"
        ? credentials.sessions.has(credential.id)
        : credentials.tokens.has(credential.id);
    const role = roles.get(membershipKey(holder.userId, holder.projectId)) ?? null;
    const admin = adminIds.has(holder.userId);
    if (!credentialHolds) {
      holder.revokeAccess("The session or API token has ended; sign in again");
      closed += 1;
    } else if (role === null && !admin) {
      holder.revokeAccess("You are no longer a member of this project");
      closed += 1;
    } else if (role !== holder.roleAtOpen || admin !== holder.adminAtOpen) {
      holder.revokeAccess("Your role in this project has changed; open the room again");
      closed += 1;
    } else {
      const itemId = seatOf(holder);
      if (itemId !== null && !heldSeats.has(panelSeatKey(holder.userId, itemId))) {
        holder.revokeAccess("You no longer sit on this item's panel");
        onSeatLost(holder, itemId);
        closed += 1;
      }
    }
  }
  return closed;
}

const membershipKey = (userId: number, projectId: number) => `${userId}:${projectId}`;
