/** The signed-in user as a room sees them: the server's grant decides `access`. */
export interface RoomViewer {
  id: number;
  /**
   * How votes, comments and meta name this user: their participant key in the project, null
   * for an observer, who writes nothing.
   */
  memberId: string | null;
  name: string;
  role: string | null;
  /** The colour the sync server stamps on this user's presence. */
  colour: string;
  access: "edit" | "observe";
}

/** What the viewer may do in an item's room, besides editing the draft. */
export interface RoomCapabilities {
  vote: boolean;
  publish: boolean;
  approve: boolean;
  reopen: boolean;
}

/**
 * Participant key → the name the viewer is shown (a pseudonym where names are hidden from them):
 * the only way a page learns who is behind a key.
 */
export type MemberNames = Record<string, string>;

export function memberName(members: MemberNames, id: string | null, viewer: RoomViewer): string {
  if (id === null) return "Unknown";
  if (id === viewer.memberId) return `${viewer.name} (you)`;
  return members[id] ?? "Former member";
}
