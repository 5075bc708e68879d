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
 * shows them. Behind a pseudonym, the colour comes from the pseudonym and the role is left out:
 * a colour chosen by user id is the same in every project, so it would link one person's
 * letters across projects and to their name wherever they are named, and a lead's role next to
 * a letter would name the lead.
 */
export function presentState(state: unknown, pseudonymised: boolean): unknown {
  if (typeof state !== "object" || state === null || !("user" in state)) return state;
  const identity = state.user as ParticipantIdentity;
  const pseudonym = pseudonymised ? identity.pseudonym : null;
  const user: PresentedIdentity =
    pseudonym === null
      ? { id: identity.id, name: identity.name, role: identity.role, colour: identity.colour }
      : { id: null, name: pseudonym, role: null, colour: colourOfName(pseudonym) };
  return { ...state, user };
}

/** A palette colour picked by a name's characters. */
function colourOfName(name: string): string {
  let hash = 0;
  for (const character of name) hash = (hash * 31 + character.codePointAt(0)!) >>> 0;
  return palette[hash % palette.length]!;
}

/**
 * A token bucket: `perSecond` tokens a second, holding at most `capacity` (one second's worth
 * unless told otherwise), so a client may send a short burst but no more than `perSecond` on
 * average.
 */
export class RateLimiter {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly capacity: number = perSecond,
  ) {
    this.tokens = capacity;
    this.refilledAt = now();
  }

  tryTake(amount = 1): boolean {
    const now = this.now();
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond,
    );
    this.refilledAt = now;
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }
}

/** What one connection may announce as presence (README: configuration, sync). */
export interface PresenceLimits {
  /** Frames carrying the connection's own presence, per second. */
  updatesPerSecond: number;
  /** Bytes of the connection's own presence states, per second. */
  bytesPerSecond: number;
  /** Largest state, as the JSON the client sent. */
  maxStateBytes: number;
  /** Client ids one connection may announce over its life. */
  maxClientIds: number;
}

export type PresenceDropReason = "rate" | "bytes" | "stateSize" | "clientIds";

/** A presence change as it arrived, with its state still the JSON bytes the client sent. */
export interface UncheckedPresence {
  clientId: number;
  stateJson: Uint8Array;
  /** Whether the change announces that the client left (its state is JSON `null`). */
  removes: boolean;
}

/**
 * The presence a connection may still announce. The room keeps every admitted state until the
 * connection leaves (or 30 seconds pass without a renewal), so what a connection can make it
 * hold is bounded by `maxClientIds × maxStateBytes`, and what it can make it relay by the
 * rates. Oversized states are refused by their length, before anything parses them. What is
 * dropped is counted by reason, for the connection's log.
 */
export class PresenceAllowance {
  /** The client ids this connection announced; cleared from the room when it leaves. */
  readonly clientIds = new Set<number>();
  readonly dropped: Record<PresenceDropReason, number> = {
    rate: 0,
    bytes: 0,
    stateSize: 0,
    clientIds: 0,
  };
  private readonly frames: RateLimiter;
  private readonly bytes: RateLimiter;

  constructor(
    private readonly limits: PresenceLimits,
    private readonly onFirstDrop: (reason: PresenceDropReason) => void = () => {},
    now: () => number = () => performance.now(),
  ) {
    this.frames = new RateLimiter(limits.updatesPerSecond, now);
    this.bytes = new RateLimiter(
      limits.bytesPerSecond,
      now,
      Math.max(limits.bytesPerSecond, limits.maxStateBytes),
    );
  }

  /**
   * The changes of one frame (all for client ids this connection may claim) that are within
   * the limits; the client ids of admitted states are recorded as the connection's.
   */
  admit<Change extends UncheckedPresence>(changes: readonly Change[]): Change[] {
    const newClientIds = new Set<number>();
    const withinShape = changes.filter((change) => {
      if (change.stateJson.length > this.limits.maxStateBytes) {
        this.drop("stateSize", 1);
        return false;
      }
      if (this.clientIds.has(change.clientId) || newClientIds.has(change.clientId)) return true;
      // A removal for a client id this connection never announced removes nothing of its own.
      if (change.removes || this.clientIds.size + newClientIds.size >= this.limits.maxClientIds) {
        this.drop("clientIds", 1);
        return false;
      }
      newClientIds.add(change.clientId);
      return true;
    });
    if (withinShape.length === 0) return [];
    if (!this.frames.tryTake()) {
      this.drop("rate", withinShape.length);
      return [];
    }
    const bytes = withinShape.reduce((total, change) => total + change.stateJson.length, 0);
    if (!this.bytes.tryTake(bytes)) {
      this.drop("bytes", withinShape.length);
      return [];
    }
    for (const clientId of newClientIds) this.clientIds.add(clientId);
    return withinShape;
  }

  /** A request for everyone's presence costs a frame of the connection's allowance. */
  admitQuery(): boolean {
    if (this.frames.tryTake()) return true;
    this.drop("rate", 1);
    return false;
  }

  get droppedTotal(): number {
    return Object.values(this.dropped).reduce((total, count) => total + count, 0);
  }

  private drop(reason: PresenceDropReason, count: number): void {
    if (this.dropped[reason] === 0) this.onFirstDrop(reason);
    this.dropped[reason] += count;
  }
}
