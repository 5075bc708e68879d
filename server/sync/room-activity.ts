import type { Kysely } from "kysely";
import type { Awareness } from "y-protocols/awareness";
import { extendRun, joinRuns, type ActivityRun } from "../../app/domain/work-time.ts";
import type { Database } from "../../db/schema.ts";
import type { Logger } from "../logger.ts";
import { addRoomRuns, type RoomRun } from "../services/work-time.ts";
import type { DocumentAccess } from "./permissions.ts";

/** A room's participant as the time count sees it. */
export interface ActiveParticipant {
  readonly access: DocumentAccess;
  readonly identity: { readonly id: number };
}

interface PresenceChanges {
  added: number[];
  updated: number[];
  removed: number[];
}

function isParticipant(origin: unknown): origin is ActiveParticipant {
  if (typeof origin !== "object" || origin === null) return false;
  const candidate = origin as Partial<ActiveParticipant>;
  return typeof candidate.access === "string" && typeof candidate.identity?.id === "number";
}

export interface RoomActivityOptions {
  /** How often the time gathered in memory is stored: what a crash can lose at most. */
  flushIntervalMs: number;
  now?: () => number;
}

/**
 * The time people spend working in rooms, measured by this instance from what they send
 * (docs/decisions/021-working-time.md): a presence change — not the renewal the stock client
 * sends every 15 seconds with nothing changed — or a document update an editor sent is an
 * activity instant of that editor in that room. Observers (clients, admins) are not counted:
 * their watching is not work on the panel.
 *
 * Instants are gathered per room and person in memory, as runs (app/domain/work-time.ts), and
 * added to `room_time` every `flushIntervalMs`, when a participant leaves, when a publish or
 * review decision asks (`flush(docName)`) and at shutdown; a write that fails is retried with
 * the next. A crash loses at most the runs of one interval. Two connections of one person (two
 * tabs) make one run; a person connected through two instances at once is counted by both,
 * the database adding only the part of each run after what it already holds.
 */
export class RoomActivity {
  private pending = new Map<string, Map<number, ActivityRun>>();
  /** Writes run one after another, so that the runs of one room and person arrive in order. */
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: Logger,
    options: RoomActivityOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.timer.unref();
  }

  /** Counts the presence changes of a room's participants as their activity. */
  watch(room: { readonly name: string; readonly awareness: Awareness }): void {
    room.awareness.on("change", (changes: PresenceChanges, origin: unknown) => {
      if (changes.added.length + changes.updated.length === 0) return;
      if (isParticipant(origin)) this.note(room.name, origin);
    });
  }

  /** An activity instant of the participant in the room, now. */
  note(docName: string, participant: ActiveParticipant): void {
    if (participant.access !== "edit") return;
    let people = this.pending.get(docName);
    if (!people) {
      people = new Map();
      this.pending.set(docName, people);
    }
    const userId = participant.identity.id;
    people.set(userId, extendRun(people.get(userId) ?? null, this.now()));
  }

  /** A participant left the room: what they did there is stored now. */
  left(docName: string, participant: ActiveParticipant): void {
    if (participant.access !== "edit" || !this.pending.has(docName)) return;
    void this.flush(docName);
  }

  /**
   * Stores the runs gathered for one room, or for every room. Resolves once they are stored or,
   * when the write fails, once the failure is logged and the runs kept for the next write.
   */
  flush(docName?: string): Promise<void> {
    const write = this.writing.then(() => this.write(docName));
    this.writing = write;
    return write;
  }

  /** Stops the periodic writes and stores what is left. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(docName: string | undefined): Promise<void> {
    const taken = this.take(docName);
    if (taken.length === 0) return;
    try {
      await addRoomRuns(this.db, taken);
    } catch (error) {
      this.log.warn(
        { err: error, runs: taken.length },
        "could not store the time spent in rooms; keeping it for the next write",
      );
      this.putBack(taken);
    }
  }

  private take(docName: string | undefined): RoomRun[] {
    const names = docName === undefined ? [...this.pending.keys()] : [docName];
    const taken: RoomRun[] = [];
    for (const name of names) {
      const people = this.pending.get(name);
      if (!people) continue;
      this.pending.delete(name);
      for (const [userId, run] of people) taken.push({ docName: name, userId, run });
    }
    return taken;
  }

  private putBack(runs: RoomRun[]): void {
    for (const { docName, userId, run } of runs) {
      let people = this.pending.get(docName);
      if (!people) {
        people = new Map();
        this.pending.set(docName, people);
      }
      const later = people.get(userId);
      people.set(userId, later ? joinRuns(run, later) : run);
    }
  }
}
