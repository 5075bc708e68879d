import type { User } from "../../../db/schema.ts";
import { participantIdentity } from "../../../server/sync/awareness.ts";
import type { DocumentGrant } from "../../../server/sync/permissions.ts";
import type { RoomViewer } from "./room-types.ts";

/**
 * Who the viewer is in a room, as the sync server will treat them: the same grant decides
 * whether their edits are stored, so the page offers editing exactly when they would be, and
 * under which participant key their votes and comments go.
 */
export function roomViewer(user: User, grant: DocumentGrant): RoomViewer {
  const identity = participantIdentity(user, grant.role, grant.pseudonym);
  return {
    id: user.id,
    memberId: grant.writes.participantKey,
    name: user.name,
    role: grant.role,
    colour: identity.colour,
    access: grant.access,
  };
}
