import type { ProjectRole, User } from "../../db/schema.ts";

/** The role a participant is shown with: their role in the project, or `admin`. */
export type ParticipantRole = ProjectRole | "admin";

/**
 * Who a connection is, as the server records it in the `user` field of every presence state the
 * connection sends: whatever the client put there is replaced, so nobody can appear as someone
 * else. Participants are shown a `PresentedIdentity` made from it.
 */
export interface ParticipantIdentity {
  id: number;
  name: string;
  role: ParticipantRole | null;
  colour: string;
  /** How an annotator appears to those who see annotators pseudonymised; null for others. */
  pseudonym: string | null;
}

/** The `user` field of a presence state as a participant receives it. */
export interface PresentedIdentity {
  /** null when the name is a pseudonym: the id would tell who is behind it. */
  id: number | null;
  name: string;
  role: ParticipantRole | null;
  colour: string;
}

/** Distinct, readable on white and dark backgrounds; consecutive user ids get different ones. */
const palette = [
  "#2563eb",
  "#dc2626",
  "#16a34a",
  "#9333ea",
  "#ea580c",
  "#0891b2",
  "#db2777",
  "#65a30d",
  "#4f46e5",
  "#b45309",
  "#0d9488",
  "#be123c",
];

export function participantIdentity(
  user: User,
  role: ParticipantRole | null,
  pseudonym: string | null,
): ParticipantIdentity {
  return {
    id: user.id,
    name: user.name,
    role,
    colour: palette[user.id % palette.length],
    pseudonym,
  };
}

/** A client's presence state with the server's record of who sent it in its `user` field. */
export function stampIdentity(
  state: unknown,
  identity: ParticipantIdentity,
): Record<string, unknown> {
  const fields = typeof state === "object" && state !== null && !Array.isArray(state) ? state : {};
  return { ...fields, user: identity };
}

/**
 * A stored presence state as one participant may see it: annotators under their pseudonym for
 * those who see pseudonyms (annotators, and clients where the project says so), as the API
 * shows them.
 */
export function presentState(state: unknown, pseudonymised: boolean): unknown {
  if (typeof state !== "object" || state === null || !("user" in state)) return state;
  const identity = state.user as ParticipantIdentity;
  const hidden = pseudonymised && identity.pseudonym !== null;
  const user: PresentedIdentity = {
    id: hidden ? null : identity.id,
    name: hidden ? (identity.pseudonym ?? identity.name) : identity.name,
    role: identity.role,
    colour: identity.colour,
  };
  return { ...state, user };
}

/**
 * A token bucket: `perSecond` tokens a second, holding at most one second's worth, so a client
 * may send a short burst but no more than `perSecond` on average.
 */
export class RateLimiter {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = perSecond;
    this.refilledAt = now();
  }

  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(
      this.perSecond,
      this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond,
    );
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
