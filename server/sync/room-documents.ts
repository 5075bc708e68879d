import type { Kysely } from "kysely";
import type * as Y from "yjs";
import type { Database } from "../../db/schema.ts";

/** Someone in a room, as the server stamped their presence (awareness.ts). */
export interface RoomOccupant {
  id: number;
  name: string;
  /** How an annotator appears to those who see annotators pseudonymised; null for others. */
  pseudonym: string | null;
}

/**
 * What the rest of the server may do with a room's document: read it, and write to it as the
 * server (publishing sets `meta.status`, opening a room pre-fills it). Both go through the live
 * room when this instance holds it, so server writes are ordered with the participants' edits
 * and reach them, here and on other instances, like any other durable update.
 */
export interface RoomDocuments {
  /**
   * A copy of the document's durable state (what every participant has been or will be sent),
   * from the live room when this instance holds it, else from the database. The caller owns the
   * copy and should destroy it when done.
   */
  read(docName: string): Promise<Y.Doc>;

  /**
   * A copy of the document as the database holds it, read with `db`: within a transaction that
   * holds an item's row lock, say, where the live room's copy could lag behind updates that
   * other instances stored. The caller owns the copy and should destroy it when done.
   */
  readStored(db: Kysely<Database>, docName: string): Promise<Y.Doc>;

  /**
   * Runs `mutate` on the document as the server, appends the change it made to the room's log,
   * and once that is committed relays it to the room's participants and other instances.
   * Resolves when the change is durable. A `mutate` that throws stores nothing and the promise
   * rejects with its error; one that changes nothing stores nothing. Server writes may touch
   * `meta` and are exempt from the published lock: they are how a room is published and
   * reopened. They are held to the size cap like participants' updates: one that would take the
   * document past it stores nothing and rejects with a 409 (`Room.applyServerChange`).
   */
  applyServerUpdate(docName: string, mutate: (doc: Y.Doc) => void): Promise<void>;

  /**
   * Stores the time people spent in the room that this instance still holds in memory
   * (room-activity.ts), so that a publish or review decision settles all of it. Resolves once
   * stored; a failure is logged and the time kept for the next attempt.
   */
  flushRoomTime(docName: string): Promise<void>;

  /**
   * Who is in the room now, each person once, as far as this instance knows, from memory alone:
   * nobody when it does not hold the room; else its own connections to it, and the people whose
   * presence other instances relay to it (fan-out.ts), which reaches a room loaded here within
   * one presence renewal (15 seconds) and leaves with the connection or 30 seconds after the
   * last renewal.
   */
  occupants(docName: string): RoomOccupant[];
}

/** `meta.status` of a published room: from then on the sync server refuses clients' updates. */
export function isPublished(doc: Y.Doc): boolean {
  return doc.getMap("meta").get("status") === "published";
}
