import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { validCredentials, type CredentialRef } from "../services/auth.ts";
import { heldPanelSeats, panelSeatKey } from "../services/panel.ts";

/** An open connection as the access recheck sees it. */
export interface AccessHolder {
  readonly credential: CredentialRef;
  readonly userId: number;
  /** The project whose membership the access rests on; null when it rests on none (admins). */
  readonly membershipOf: number | null;
  /** Closes the connection: the access it was opened with has ended. */
  revokeAccess(reason: string): void;
}

/**
 * Access to a room is decided at the upgrade, but a session can be logged out, a token revoked,
 * a user disabled or removed from the project, an annotator's label rejected in review while
 * the connection stays open. This closes the connections whose credential no longer holds,
 * whose user has left the project, or whose right to edit an item's room rested on a seat on
 * its panel (`seatOf`: an annotator's, as the upgrade decides in permissions.ts) that the user
 * no longer holds; in four queries however many connections are open; `onSeatLost` hears of
 * each connection closed for its seat. Returns how many it closed.
 */
export async function recheckAccess<Holder extends AccessHolder>(
  db: Kysely<Database>,
  holders: readonly Holder[],
  seatOf: (holder: Holder) => number | null = () => null,
  onSeatLost: (holder: Holder, itemId: number) => void = () => {},
): Promise<number> {
  if (holders.length === 0) return 0;
  const memberships = new Map<string, { userId: number; projectId: number }>();
  for (const { userId, membershipOf } of holders) {
    if (membershipOf !== null) {
      memberships.set(membershipKey(userId, membershipOf), { userId, projectId: membershipOf });
    }
  }
  const seats = holders.flatMap((holder) => {
    const itemId = seatOf(holder);
    return itemId === null ? [] : [{ userId: holder.userId, itemId }];
  });
  const [credentials, members, heldSeats] = await Promise.all([
    validCredentials(
      db,
      holders.map((holder) => holder.credential),
    ),
    memberships.size === 0
      ? []
      : db
          .selectFrom("project_members")
          .select(["user_id", "project_id"])
          .where((eb) =>
            eb(
              eb.refTuple("user_id", "project_id"),
              "in",
              [...memberships.values()].map(({ userId, projectId }) => eb.tuple(userId, projectId)),
            ),
          )
          .execute(),
    heldPanelSeats(db, seats),
  ]);
  const stillMembers = new Set(members.map((row) => membershipKey(row.user_id, row.project_id)));
  let closed = 0;
  for (const holder of holders) {
    const { credential } = holder;
    const credentialHolds =
      credential.kind === "session"
        ? credentials.sessions.has(credential.id)
        : credentials.tokens.has(credential.id);
    if (!credentialHolds) {
      holder.revokeAccess("The session or API token has ended; sign in again");
      closed += 1;
    } else if (
      holder.membershipOf !== null &&
      !stillMembers.has(membershipKey(holder.userId, holder.membershipOf))
    ) {
      holder.revokeAccess("You are no longer a member of this project");
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
