import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import type { Logger } from "../logger.ts";
import type { DocumentAccess } from "./permissions.ts";
import {
  encodeAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  MalformedMessageError,
  type ClientMessage,
} from "./protocol.ts";

/** One end of a room: a WebSocket connection, seen by the room only through this. */
export interface RoomParticipant {
  readonly access: DocumentAccess;
  /** The awareness client ids this participant announced; cleared from the room when it leaves. */
  readonly awarenessClients: Set<number>;
  send(frame: Uint8Array): void;
}

/**
 * Where a room's updates are kept beyond its life in memory. No store is wired in yet, so a
 * room lives only while someone is connected to it and only in this process: its content is
 * gone once the last connection leaves or the server stops. The PostgreSQL store (room_updates
 * and room_snapshots) implements this interface; `append` already runs before an update is
 * relayed, which is what makes an update that anyone has seen durable.
 */
export interface RoomStore {
  load(docName: string): Promise<Uint8Array | null>;
  append(docName: string, update: Uint8Array): Promise<void>;
}

const loadedFromStore = Symbol("loaded from store");

/** One shared document and its presence, with the connections editing or watching it. */
export class Room {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly ready: Promise<void>;
  private readonly participants = new Set<RoomParticipant>();
  /** Updates are appended and relayed one after another, in the order they were applied. */
  private pipeline: Promise<void> = Promise.resolve();
  private destroyedFlag = false;

  constructor(
    readonly name: string,
    private readonly store: RoomStore | undefined,
    private readonly log: Logger,
  ) {
    this.awareness.setLocalState(null);
    this.doc.on("update", this.onDocumentUpdate);
    this.awareness.on("update", this.onAwarenessUpdate);
    this.ready = this.load();
  }

  get size(): number {
    return this.participants.size;
  }

  get destroyed(): boolean {
    return this.destroyedFlag;
  }

  /** The load stage: the room's state from the store, when there is one. */
  private async load(): Promise<void> {
    const state = await this.store?.load(this.name);
    if (state) Y.applyUpdate(this.doc, state, loadedFromStore);
  }

  /** The server opens the sync handshake too, so that the client sends what the room lacks. */
  join(participant: RoomParticipant): void {
    this.participants.add(participant);
    participant.send(encodeSyncStep1(this.doc));
    const present = [...this.awareness.getStates().keys()];
    if (present.length > 0) participant.send(encodeAwareness(this.awareness, present));
  }

  leave(participant: RoomParticipant): void {
    if (!this.participants.delete(participant)) return;
    awarenessProtocol.removeAwarenessStates(
      this.awareness,
      [...participant.awarenessClients],
      null,
    );
  }

  /** Throws MalformedMessageError when an update does not apply; the room is then unchanged. */
  receive(participant: RoomParticipant, message: ClientMessage): void {
    switch (message.type) {
      case "sync-step-1":
        participant.send(encodeSyncStep2(this.doc, message.stateVector));
        return;
      case "sync-step-2":
      case "update":
        this.apply(participant, message.update);
        return;
      case "awareness":
        awarenessProtocol.applyAwarenessUpdate(this.awareness, message.update, participant);
        for (const change of message.changes) {
          if (change.state === null) participant.awarenessClients.delete(change.clientId);
          else participant.awarenessClients.add(change.clientId);
        }
        return;
      case "query-awareness":
        participant.send(encodeAwareness(this.awareness, [...this.awareness.getStates().keys()]));
        return;
    }
  }

  /** The apply stage: only editors change the document; observers' updates are dropped. */
  private apply(participant: RoomParticipant, update: Uint8Array): void {
    if (participant.access !== "edit") {
      this.log.debug({ docName: this.name, bytes: update.length }, "dropped an observer's update");
      return;
    }
    try {
      Y.applyUpdate(this.doc, update, participant);
    } catch (error) {
      throw new MalformedMessageError(
        `The update does not apply: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private readonly onDocumentUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === loadedFromStore) return;
    this.pipeline = this.pipeline.then(() => this.storeAndRelay(update, origin));
  };

  private async storeAndRelay(update: Uint8Array, origin: unknown): Promise<void> {
    try {
      await this.store?.append(this.name, update);
    } catch (error) {
      this.log.error({ err: error, docName: this.name }, "could not store a room update");
      return;
    }
    this.relay(encodeUpdate(update), origin);
  }

  /**
   * Presence goes back to its sender too: the stock client drops a connection on which it has
   * heard nothing for 30 seconds, and its own presence renewals (every 15) are what a client
   * alone in a room hears.
   */
  private readonly onAwarenessUpdate = (changes: {
    added: number[];
    updated: number[];
    removed: number[];
  }) => {
    const changed = [...changes.added, ...changes.updated, ...changes.removed];
    this.relay(encodeAwareness(this.awareness, changed), null);
  };

  /** The relay stage: to every participant but the one the change came from, if any. */
  private relay(frame: Uint8Array, origin: unknown): void {
    for (const participant of this.participants) {
      if (participant !== origin) participant.send(frame);
    }
  }

  /** Resolves once every update applied so far has been stored and relayed. */
  settled(): Promise<void> {
    return this.pipeline;
  }

  destroy(): void {
    this.destroyedFlag = true;
    this.doc.off("update", this.onDocumentUpdate);
    this.awareness.off("update", this.onAwarenessUpdate);
    this.awareness.destroy();
    this.doc.destroy();
  }
}

/** Every room this process holds, by document name. */
export class Rooms {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly options: { log: Logger; store?: RoomStore }) {}

  get size(): number {
    return this.rooms.size;
  }

  /** Joins the room, loading it first when nobody holds it; concurrent joins share one load. */
  async join(name: string, participant: RoomParticipant): Promise<Room> {
    for (;;) {
      const room = this.roomNamed(name);
      await room.ready;
      // A room may be unloaded while this join waited for it; then a fresh one is loaded.
      if (!room.destroyed) {
        room.join(participant);
        return room;
      }
    }
  }

  private roomNamed(name: string): Room {
    const existing = this.rooms.get(name);
    if (existing) return existing;
    const room = new Room(name, this.options.store, this.options.log);
    this.rooms.set(name, room);
    room.ready.catch(() => this.unload(room));
    return room;
  }

  /** The unload stage: a room nobody is in leaves memory once its updates are settled. */
  leave(room: Room, participant: RoomParticipant): void {
    room.leave(participant);
    if (room.size > 0) return;
    void room.settled().then(() => {
      if (room.size === 0) this.unload(room);
    });
  }

  private unload(room: Room): void {
    if (room.destroyed) return;
    if (this.rooms.get(room.name) === room) this.rooms.delete(room.name);
    room.destroy();
  }
}
