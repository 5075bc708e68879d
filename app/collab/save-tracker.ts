import * as decoding from "lib0/decoding";

/**
 * Whether this browser's edits of a room are stored, from what the sync server tells it (see
 * the README, "Saved, saving, not saved"): the server numbers the binary frames a connection
 * sends from 1 and acknowledges with `[100][n]` that the changes in the first `n` are stored.
 * A frame carries changes when it is a sync step 2 or an update; the tracker remembers the
 * number of the last such frame on the current connection and compares it with the latest
 * acknowledgement. Changes made while disconnected, or sent on a connection that closed before
 * they were acknowledged, are unsaved until a later connection's acknowledgements cover them
 * (on reconnecting, the client's sync step 2 carries everything the server lacks).
 */

export const messagePersisted = 100;

const messageSync = 0;
const syncStep2 = 1;
const syncUpdate = 2;

/** Whether an outgoing frame carries document changes (rather than a state vector or presence). */
export function carriesChanges(frame: Uint8Array): boolean {
  try {
    const decoder = decoding.createDecoder(frame);
    if (decoding.readVarUint(decoder) !== messageSync) return false;
    const syncType = decoding.readVarUint(decoder);
    return syncType === syncStep2 || syncType === syncUpdate;
  } catch {
    return false;
  }
}

/** The frame count of a `persisted` message, after its type has been read. */
export function readPersistedCount(decoder: decoding.Decoder): number {
  return decoding.readVarUint(decoder);
}

export type ConnectionStatus = "connecting" | "connected" | "disconnected";

/**
 * How long a change may wait for the server's acknowledgement before the page says it is not
 * saved. The server stores within milliseconds; a connection that stays silent this long has most
 * likely lost its network, which the browser would only notice some 30 s later.
 */
export const ACKNOWLEDGEMENT_DEADLINE_MS = 3_000;

/** The timer the tracker uses for the deadline (tests pass their own). */
export interface DeadlineTimer {
  start(callback: () => void, ms: number): unknown;
  cancel(handle: unknown): void;
}

const browserTimer: DeadlineTimer = {
  start: (callback, ms) => setTimeout(callback, ms),
  cancel: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What the status line says; `refused` when the server closed the room to this client. */
export type SaveState = "connecting" | "saved" | "saving" | "unsaved" | "offline" | "refused";

export interface SaveSnapshot {
  state: SaveState;
  connection: ConnectionStatus;
  /** Whether the current connection has received the server's document. */
  synced: boolean;
  /** The close code and reason when the server refused a change and stopped the connection. */
  refusal: { code: number; reason: string } | null;
}

export class SaveTracker {
  private connection: ConnectionStatus = "connecting";
  private synced = false;
  private framesSent = 0;
  private lastChangeFrame = 0;
  private acknowledged = 0;
  /** Local changes that no acknowledgement has covered, carried over a lost connection. */
  private unsavedFromEarlier = false;
  private refusal: SaveSnapshot["refusal"] = null;
  /** The browser says it has no network (its `offline` event), whatever the socket says. */
  private browserOffline = false;
  /** A change has waited past the deadline for its acknowledgement. */
  private overdue = false;
  private deadline: unknown = null;
  private snapshot: SaveSnapshot;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly timer: DeadlineTimer = browserTimer) {
    this.snapshot = this.compute();
  }

  /** The browser's `online` and `offline` events. */
  networkChanged(online: boolean): void {
    this.browserOffline = !online;
    this.changed();
  }

  /** A new socket: frames are counted from 1 again. */
  socketOpening(): void {
    this.carryOver();
    this.framesSent = 0;
    this.lastChangeFrame = 0;
    this.acknowledged = 0;
    this.connection = "connecting";
    this.synced = false;
    this.changed();
  }

  socketOpened(): void {
    this.connection = "connected";
    // A socket that opens reaches the server, whatever the browser said about its network.
    this.browserOffline = false;
    this.changed();
  }

  socketClosed(): void {
    this.carryOver();
    this.connection = "disconnected";
    this.synced = false;
    this.changed();
  }

  frameSent(frame: Uint8Array): void {
    this.framesSent += 1;
    if (carriesChanges(frame)) {
      this.lastChangeFrame = this.framesSent;
      this.startDeadline();
      this.changed();
    }
  }

  persisted(frameCount: number): void {
    this.acknowledged = Math.max(this.acknowledged, frameCount);
    if (this.acknowledged >= this.lastChangeFrame && this.lastChangeFrame > 0) {
      // This connection's sync step 2 carried whatever earlier connections left unsaved.
      this.unsavedFromEarlier = false;
      this.stopDeadline();
    } else if (this.acknowledged < this.lastChangeFrame) {
      // Progress: the connection is alive; the rest gets the full deadline again.
      this.startDeadline();
    }
    this.changed();
  }

  /** Disposes of the timer. */
  stop(): void {
    this.stopDeadline();
  }

  private startDeadline(): void {
    this.stopDeadline();
    this.deadline = this.timer.start(() => {
      this.deadline = null;
      this.overdue = true;
      this.changed();
    }, ACKNOWLEDGEMENT_DEADLINE_MS);
  }

  private stopDeadline(): void {
    if (this.deadline !== null) this.timer.cancel(this.deadline);
    this.deadline = null;
    this.overdue = false;
  }

  syncedChanged(synced: boolean): void {
    this.synced = synced;
    this.changed();
  }

  /** A local change made while no connection can carry it. */
  localChangeWhileDisconnected(): void {
    if (this.connection === "connected" && !this.browserOffline) return;
    this.unsavedFromEarlier = true;
    this.changed();
  }

  refused(code: number, reason: string): void {
    this.refusal = { code, reason };
    this.changed();
  }

  read(): SaveSnapshot {
    return this.snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private carryOver(): void {
    if (this.acknowledged < this.lastChangeFrame) this.unsavedFromEarlier = true;
    this.stopDeadline();
  }

  private compute(): SaveSnapshot {
    const pending = this.unsavedFromEarlier || this.acknowledged < this.lastChangeFrame;
    const connection = this.browserOffline ? "disconnected" : this.connection;
    let state: SaveState;
    if (this.refusal) state = "refused";
    else if (connection !== "connected") {
      state = pending ? "unsaved" : connection === "disconnected" ? "offline" : "connecting";
    } else if (pending) state = this.overdue ? "unsaved" : "saving";
    else state = this.synced ? "saved" : "connecting";
    return { state, connection, synced: this.synced, refusal: this.refusal };
  }

  private changed(): void {
    const next = this.compute();
    const previous = this.snapshot;
    if (
      next.state === previous.state &&
      next.connection === previous.connection &&
      next.synced === previous.synced &&
      next.refusal === previous.refusal
    ) {
      return;
    }
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }
}
