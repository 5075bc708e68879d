import { setTimeout as delay } from "node:timers/promises";
import type { Kysely } from "kysely";
import * as Y from "yjs";
import { openDatabase } from "../../db/client.ts";
import type { Database } from "../../db/schema.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { MergeThread } from "./document-merger.ts";
import { channelNamespace, RoomFanOut } from "./fan-out.ts";
import { loadStoredRoom, RoomCompactor, RoomLogWriter } from "./persistence.ts";
import { RoomActivity } from "./room-activity.ts";
import type { RoomDocuments, RoomOccupant } from "./room-documents.ts";
import { Room, type RoomDependencies, type RoomParticipant } from "./room.ts";

/** How long shutdown waits for rooms to store what they hold before giving up on it. */
const closeGraceMs = 5_000;

/**
 * Every room this process holds, by document name. A room is loaded when the first connection
 * or server write needs it and unloaded once it is idle: nobody in it and everything stored.
 */
export class Rooms implements RoomDocuments {
  private readonly rooms = new Map<string, Room>();
  private closing = false;

  constructor(
    private readonly deps: RoomDependencies,
    /** Releases what the rooms alone used (their own database connection), once they are closed. */
    private readonly releaseStorage: () => Promise<void> = async () => {},
  ) {
    deps.fanOut?.onCatchUpNeeded((docName) => {
      this.rooms
        .get(docName)
        ?.catchUp()
        .catch((error: unknown) => {
          deps.log.error({ err: error, docName }, "could not catch up with the stored room");
        });
    });
  }

  get size(): number {
    return this.rooms.size;
  }

  /** The presence a loaded room holds (Room.presence); null when the room is not loaded. */
  presenceOf(docName: string): { states: number; bytes: number } | null {
    return this.rooms.get(docName)?.presence ?? null;
  }

  occupants(docName: string): RoomOccupant[] {
    return this.rooms.get(docName)?.occupants ?? [];
  }

  /** Joins the room, loading it first when nobody holds it; concurrent joins share one load. */
  join(docName: string, participant: RoomParticipant): Promise<Room> {
    return this.enter(docName, (room) => room.join(participant));
  }

  leave(room: Room, participant: RoomParticipant): void {
    room.leave(participant);
    this.deps.activity?.left(room.name, participant);
  }

  flushRoomTime(docName: string): Promise<void> {
    return this.deps.activity?.flush(docName) ?? Promise.resolve();
  }

  async read(docName: string): Promise<Y.Doc> {
    const live = this.rooms.get(docName);
    const loaded = live
      ? await live.ready.then(
          () => !live.destroyed,
          () => false,
        )
      : false;
    if (live && loaded) {
      const copy = new Y.Doc();
      Y.applyUpdate(copy, live.storedUpdate);
      return copy;
    }
    return this.readStored(this.deps.db, docName);
  }

  async readStored(db: Kysely<Database>, docName: string): Promise<Y.Doc> {
    const stored = await loadStoredRoom(db, docName);
    const copy = new Y.Doc();
    copy.transact(() => {
      for (const update of stored.updates) Y.applyUpdate(copy, update);
    });
    return copy;
  }

  async applyServerUpdate(docName: string, mutate: (doc: Y.Doc) => void): Promise<void> {
    const room = await this.enter(docName, (entered) => entered.hold());
    try {
      await room.applyServerChange(mutate);
    } finally {
      room.release();
    }
  }

  private async enter(docName: string, enter: (room: Room) => void): Promise<Room> {
    for (;;) {
      if (this.closing) throw new Error("The sync server is shutting down");
      const room = this.roomNamed(docName);
      await room.ready;
      // A room may be unloaded while this caller waited for it; then a fresh one is loaded.
      if (!room.destroyed) {
        enter(room);
        return room;
      }
    }
  }

  private roomNamed(docName: string): Room {
    const existing = this.rooms.get(docName);
    if (existing) return existing;
    const room = new Room(docName, this.deps);
    room.onIdle = () => this.unload(room);
    this.rooms.set(docName, room);
    room.ready.catch(() => this.unload(room));
    return room;
  }

  /** The unload stage. */
  private unload(room: Room): void {
    if (room.destroyed) return;
    if (this.rooms.get(room.name) === room) this.rooms.delete(room.name);
    room.destroy();
  }

  /**
   * Stops loading rooms, gives the loaded ones a few seconds to store what they hold, then
   * unloads them all and disconnects from Redis.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.deps.compactor.close();
    const loaded = [...this.rooms.values()];
    await Promise.race([
      Promise.all(loaded.map((room) => room.settled())),
      delay(closeGraceMs, undefined, { ref: false }),
    ]);
    for (const room of loaded) {
      room.abandon();
      this.unload(room);
    }
    await this.deps.activity?.close();
    await this.deps.fanOut?.close();
    await this.releaseStorage();
  }
}

/** Compaction rests as long as each compaction took: it uses at most half of one connection. */
const compactionRestRatio = 1;

/**
 * The rooms of this instance, with Redis fan-out when REDIS_URL is set. An edit is relayed only
 * once its append to the room's log has committed, so on PostgreSQL the appends get a connection
 * of their own: a burst of requests (dozens of clients joining rooms at once, each checked
 * against the database) that takes every pooled connection then cannot hold up live edits.
 */
export async function createRooms(options: {
  db: Kysely<Database>;
  config: Config;
  log: Logger;
}): Promise<Rooms> {
  const log = options.log.child({ component: "sync" });
  const { config } = options;
  const logDatabase = config.databaseUrl
    ? await openDatabase({ databaseUrl: config.databaseUrl, maxConnections: 1 })
    : null;
  const mergeThread = new MergeThread();
  mergeThread.warm();
  return new Rooms(
    {
      db: options.db,
      writer: new RoomLogWriter(logDatabase?.db ?? options.db),
      compactor: new RoomCompactor(options.db, 1, mergeThread.merge, compactionRestRatio),
      log,
      limits: {
        maxDocumentBytes: config.syncMaxDocumentBytes,
        compactAfterUpdates: config.syncCompactAfterUpdates,
        compactAfterBytes: config.syncCompactAfterBytes,
      },
      fanOut: config.redisUrl
        ? new RoomFanOut(config.redisUrl, log, channelNamespace(options.db, config.redisNamespace))
        : null,
      activity: new RoomActivity(options.db, log, {
        flushIntervalMs: config.syncActivityFlushMs,
      }),
    },
    async () => {
      await mergeThread.close();
      await logDatabase?.close();
    },
  );
}
