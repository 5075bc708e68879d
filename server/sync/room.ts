import { setTimeout as delay } from "node:timers/promises";
import type { Kysely } from "kysely";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import type { Database } from "../../db/schema.ts";
import { conflict } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { presentState, stampIdentity, type ParticipantIdentity } from "./awareness.ts";
import { SyncCloseCode } from "./close-codes.ts";
import type { FanOutMessage, RoomFanOut } from "./fan-out.ts";
import {
  loadStoredRoom,
  type RoomCompactor,
  type RoomLogWriter,
  type StoredRoom,
} from "./persistence.ts";
import type { DocumentAccess } from "./permissions.ts";
import {
  decodeAwarenessUpdate,
  encodeAwarenessChanges,
  encodeAwarenessMessage,
  encodePersisted,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  MalformedMessageError,
  parseAwarenessChange,
  type AwarenessChange,
  type ClientMessage,
  type RawAwarenessChange,
} from "./protocol.ts";
import type { RoomActivity } from "./room-activity.ts";
import { isPublished, type RoomOccupant } from "./room-documents.ts";
import { forbiddenWrite, type ForbiddenWrite, type RoomWrites } from "./write-rules.ts";

/** One end of a room: a WebSocket connection, seen by the room only through this. */
export interface RoomParticipant {
  /** Unique across instances: presence states belong to the participant that announced them. */
  readonly id: string;
  readonly access: DocumentAccess;
  /** What of the document an editor may change (write-rules.ts). */
  readonly writes: RoomWrites;
  readonly identity: ParticipantIdentity;
  /** Whether the participant sees annotators under their pseudonyms (awareness.ts). */
  readonly seesPseudonyms: boolean;
  /** Whether to send this participant `persisted` acknowledgements (protocol.ts). */
  readonly wantsPersisted: boolean;
  /** The presence client ids this participant announced; cleared from the room when it leaves. */
  readonly awarenessClients: ReadonlySet<number>;
  /**
   * The presence changes of one frame (for client ids nobody else owns) that are within the
   * participant's limits (awareness.ts); their client ids become the participant's.
   */
  admitPresence(changes: readonly RawAwarenessChange[]): RawAwarenessChange[];
  /** False when a request for everyone's presence is beyond the participant's rate. */
  admitPresenceQuery(): boolean;
  send(frame: Uint8Array): void;
  /** Closes the participant's connection because the room refused what it sent. */
  refuse(code: SyncCloseCode, reason: string): void;
}

export interface RoomLimits {
  maxDocumentBytes: number;
  compactAfterUpdates: number;
  compactAfterBytes: number;
}

export interface RoomDependencies {
  db: Kysely<Database>;
  /** Appends rooms' updates to their logs, several rooms to an INSERT. */
  writer: RoomLogWriter;
  /** Merges rooms' logs into their snapshots, one room at a time. */
  compactor: RoomCompactor;
  log: Logger;
  limits: RoomLimits;
  /** Redis fan-out to the other instances; null when this instance is alone. */
  fanOut: RoomFanOut | null;
  /** Counts editors' presence changes and updates as their working time (room-activity.ts). */
  activity?: RoomActivity;
}

/** A change waiting in the room's write queue, in the order it was staged. */
interface PendingChange {
  /** What the change added to the document; null for a frame that added nothing. */
  update: Uint8Array | null;
  /** The participant that sent it; null for a server write. */
  origin: RoomParticipant | null;
  /** The number of the origin's frame that carried it, for its acknowledgement. */
  frame: number;
  /** Settles a server write once it is stored (or abandoned at shutdown). */
  stored?: { resolve(): void; reject(error: Error): void };
}

const fromStore = Symbol("stored");
const emptyDocumentState = Y.encodeStateAsUpdate(new Y.Doc());
const fromOtherInstance = Symbol("other instance");
const fromServer = Symbol("server");

/** Changes per INSERT; a backlog larger than this (after an outage) is written in several. */
const maxBatch = 500;
/** Stored updates kept aside before they are integrated into the stored document anyway. */
const maxStoredBacklog = 256;
const retryBaseMs = 100;
const retryMaxMs = 5_000;

/**
 * Merges rooms' stored backlogs one room per turn of the event loop. Rooms that open together
 * fill their backlogs together: merged as each filled, 500 rooms merged in one stretch every
 * minute of the soak benchmark and held every relay for a quarter of a second.
 */
export class BacklogMerges {
  private readonly due = new Set<() => void>();
  private scheduled: NodeJS.Immediate | null = null;

  schedule(merge: () => void): void {
    this.due.add(merge);
    this.scheduled ??= setImmediate(this.mergeNext);
  }

  private readonly mergeNext = (): void => {
    this.scheduled = null;
    const [merge] = this.due;
    if (merge === undefined) return;
    this.due.delete(merge);
    merge();
    if (this.due.size > 0) this.scheduled = setImmediate(this.mergeNext);
  };
}

const backlogMerges = new BacklogMerges();

interface Refusal {
  code: SyncCloseCode;
  reason: string;
}

/**
 * One shared document, its presence, and the connections editing or watching it.
 *
 * Durable before relay: an editor's update is applied first to `staged` (the stored document
 * plus the changes still being written), which validates it and yields exactly what it adds;
 * that is queued, appended to the room's log (one INSERT for everything queued meanwhile, shared
 * with other rooms' appends: group commit), and only after the commit relayed to the other
 * participants, published to other instances, acknowledged to its sender and added to the
 * stored state. The stored state holds nothing that is not stored, and every sync reply is made
 * from it.
 *
 * The stored state is kept encoded, not as a second Y.Doc: a document's encoded form is about a
 * twentieth of its size in memory (38 KB against 700 KB for a text four people typed into in
 * turn), and sync replies can be made from the encoding (`Y.diffUpdate`). Stored updates are
 * merged into it lazily, when something reads it (a joining client's sync, a rollback of
 * `staged`) or once enough have gathered: a busy room merges its edits in batches, off its hot
 * path, and the rooms due are merged one per turn of the event loop. With nothing queued, the
 * merge is an encoding of `staged` (`mergeStoredBacklog`).
 */
export class Room {
  private storedState: Uint8Array = emptyDocumentState;
  /** Stored updates not yet merged into `storedState`, oldest first. */
  private storedBacklog: Uint8Array[] = [];
  /** Presence needs a document only for its client id; the room's own never carries presence. */
  readonly awareness = new awarenessProtocol.Awareness(new Y.Doc());
  readonly ready: Promise<void>;
  /** Called whenever the room may have become idle (see `idle`). */
  onIdle: () => void = () => {};
  /** The stored document plus the queued changes: incoming updates are checked against it. */
  private staged = new Y.Doc();
  private readonly participants = new Set<RoomParticipant>();
  /** Everyone who ever joined, to tell a participant's presence change from another origin. */
  private readonly members = new WeakSet<object>();
  /** Presence client id → the participant (here or on another instance) that announced it. */
  private readonly awarenessOwners = new Map<number, string>();
  private readonly queue: PendingChange[] = [];
  private writing: Promise<void> | null = null;
  private compacting: Promise<void> | null = null;
  private holds = 0;
  /** Messages from other instances that arrived while the room was loading. */
  private remoteBacklog: FanOutMessage[] | null = [];
  /** Size of the stored snapshot plus log: an upper bound of the stored document's size. */
  private storedBytes = 0;
  private queuedBytes = 0;
  private logRows = 0;
  private logBytes = 0;
  private destroyedFlag = false;
  private abandoned = false;
  private readonly log: Logger;

  constructor(
    readonly name: string,
    private readonly deps: RoomDependencies,
  ) {
    this.log = deps.log.child({ docName: name });
    this.awareness.setLocalState(null);
    this.awareness.on("update", this.onAwarenessUpdate);
    this.staged.getMap("meta");
    this.ready = this.load();
    deps.activity?.watch(this);
  }

  /** The stored document as one encoded update: sync replies are made from it alone. */
  get storedUpdate(): Uint8Array {
    this.mergeStoredBacklog();
    return this.storedState;
  }

  /** Stored updates not yet merged into the stored document. */
  get unmergedUpdates(): number {
    return this.storedBacklog.length;
  }

  private readonly mergeDue = (): void => this.mergeStoredBacklog();

  /** Sets stored updates aside for the stored document; enough of them are merged soon. */
  private addStored(updates: Uint8Array[]): void {
    this.storedBacklog.push(...updates);
    if (this.storedBacklog.length >= maxStoredBacklog) backlogMerges.schedule(this.mergeDue);
  }

  /**
   * With nothing queued, `staged` holds exactly what is stored, and encoding it is far cheaper
   * than merging the backlog into the previous encoding (which decodes every struct of both): in
   * the soak benchmark the merges were a quarter of everything the server allocated. The
   * encoding also leaves out deleted content, which `staged` has already collected. `staged` is
   * not read while it may hold a change that failed half-way (`restage` merges instead).
   */
  private mergeStoredBacklog(options: { stagedIsClean: boolean } = { stagedIsClean: true }): void {
    if (this.storedBacklog.length === 0) return;
    const stagedIsStored = options.stagedIsClean && this.queue.length === 0 && !this.abandoned;
    this.storedState = stagedIsStored
      ? Y.encodeStateAsUpdate(this.staged)
      : Y.mergeUpdates([this.storedState, ...this.storedBacklog]);
    this.storedBacklog = [];
  }

  /** A copy of the stored document, for reading. */
  storedDocument(): Y.Doc {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, this.storedUpdate);
    return doc;
  }

  get size(): number {
    return this.participants.size;
  }

  /** The presence the room holds: how many states, and their size as JSON. */
  get presence(): { states: number; bytes: number } {
    let bytes = 0;
    for (const state of this.awareness.getStates().values()) {
      bytes += Buffer.byteLength(JSON.stringify(state));
    }
    return { states: this.awareness.getStates().size, bytes };
  }

  /**
   * Who is here, each person once: this instance's connections, and the people behind every
   * presence state the room holds, which includes those other instances relay.
   */
  get occupants(): RoomOccupant[] {
    const byUser = new Map<number, RoomOccupant>();
    const add = (occupant: RoomOccupant | null) => {
      if (occupant && !byUser.has(occupant.id)) byUser.set(occupant.id, occupant);
    };
    for (const participant of this.participants) add(occupantOf(participant.identity));
    for (const state of this.awareness.getStates().values()) add(occupantOf(state.user));
    return [...byUser.values()];
  }

  get destroyed(): boolean {
    return this.destroyedFlag;
  }

  /** Nobody is in the room, no server write holds it, and everything is stored. */
  get idle(): boolean {
    return (
      this.participants.size === 0 &&
      this.holds === 0 &&
      this.queue.length === 0 &&
      this.writing === null &&
      this.compacting === null
    );
  }

  /**
   * How many frames of the participant are waiting to be stored (or, for frames that added
   * nothing, acknowledged): its connection stops handing the room more while many are.
   */
  queuedFrom(participant: RoomParticipant): number {
    let queued = 0;
    for (const change of this.queue) if (change.origin === participant) queued += 1;
    return queued;
  }

  /**
   * The load stage. The room subscribes to other instances' traffic before it reads the
   * database, so an update committed elsewhere meanwhile arrives one way or the other.
   */
  private async load(): Promise<void> {
    await this.deps.fanOut?.subscribe(this.name, this.receiveFromOtherInstance);
    const stored = await loadStoredRoom(this.deps.db, this.name);
    this.staged.transact(() => {
      for (const update of stored.updates) Y.applyUpdate(this.staged, update);
    }, fromStore);
    this.storedState = Y.encodeStateAsUpdate(this.staged);
    this.countStored(stored);
    const backlog = this.remoteBacklog ?? [];
    this.remoteBacklog = null;
    for (const message of backlog) this.receiveFromOtherInstance(message);
    this.compactIfDue();
  }

  /** The server opens the sync handshake too, so that the client sends what the room lacks. */
  join(participant: RoomParticipant): void {
    this.participants.add(participant);
    this.members.add(participant);
    participant.send(encodeSyncStep1(this.storedUpdate));
    const present = [...this.awareness.getStates().keys()];
    if (present.length > 0) {
      participant.send(this.presenceFrame(present, participant.seesPseudonyms));
    }
  }

  leave(participant: RoomParticipant): void {
    if (!this.participants.delete(participant)) return;
    const owned = [...participant.awarenessClients].filter(
      (clientId) => this.awarenessOwners.get(clientId) === participant.id,
    );
    for (const clientId of owned) this.awarenessOwners.delete(clientId);
    awarenessProtocol.removeAwarenessStates(this.awareness, owned, participant);
    // The awareness keeps every client id's clock after its state is gone; a participant's ids
    // go with it, or a client reconnecting under ever new ids would grow the room for good.
    for (const clientId of owned) this.awareness.meta.delete(clientId);
    this.settle();
  }

  /** Keeps the room loaded while a server write uses it. */
  hold(): void {
    this.holds += 1;
  }

  release(): void {
    this.holds -= 1;
    this.settle();
  }

  /**
   * Handles one decoded frame of a participant; `frame` is its number on the connection.
   * Throws MalformedMessageError when an update does not apply; the room is then unchanged.
   */
  receive(participant: RoomParticipant, message: ClientMessage, frame: number): void {
    switch (message.type) {
      case "sync-step-1":
        participant.send(encodeSyncStep2(this.storedUpdate, message.stateVector));
        return;
      case "sync-step-2":
      case "update":
        this.receiveUpdate(participant, message.update, frame);
        return;
      case "awareness":
        this.receiveAwareness(participant, message.changes);
        return;
      case "query-awareness":
        if (!participant.admitPresenceQuery()) return;
        participant.send(
          this.presenceFrame([...this.awareness.getStates().keys()], participant.seesPseudonyms),
        );
        return;
    }
  }

  /**
   * The apply stage: only editors' updates are staged; observers' are dropped unseen. An
   * editor's update is checked against what the editor may write (write-rules.ts) on the staged
   * document, inside the transaction that applies it, before anything of it is queued.
   */
  private receiveUpdate(participant: RoomParticipant, update: Uint8Array, frame: number): void {
    if (participant.access !== "edit") {
      this.log.debug({ bytes: update.length }, "dropped an observer's update");
      return;
    }
    const wasPublished = isPublished(this.staged);
    const hadPending = hasPendingChanges(this.staged);
    let forbidden: ForbiddenWrite | null = null;
    let added: Uint8Array | null;
    try {
      added = applyAdding(this.staged, update, participant, (transaction) => {
        forbidden = forbiddenWrite(this.staged, transaction, participant.writes);
      });
    } catch (error) {
      this.restage();
      throw new MalformedMessageError(
        `The update does not apply: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!hadPending && hasPendingChanges(this.staged)) {
      this.restage();
      throw new MalformedMessageError("The update depends on changes the server does not have");
    }
    if (added === null) {
      this.acknowledgeWhenStored(participant, frame);
      return;
    }
    const refusal = this.refusalOf(added, wasPublished, forbidden);
    if (refusal) {
      this.restage();
      this.log.info({ reason: refusal.reason, bytes: update.length }, "refused an update");
      participant.refuse(refusal.code, refusal.reason);
      return;
    }
    this.enqueue({ update: added, origin: participant, frame });
  }

  private refusalOf(
    added: Uint8Array,
    wasPublished: boolean,
    forbidden: ForbiddenWrite | null,
  ): Refusal | null {
    if (wasPublished) {
      return {
        code: SyncCloseCode.documentPublished,
        reason: "The document is published and read-only",
      };
    }
    if (forbidden !== null) {
      return { code: SyncCloseCode.forbiddenChange, reason: forbidden.reason };
    }
    if (this.storedBytes + this.queuedBytes + added.length > this.deps.limits.maxDocumentBytes) {
      return {
        code: SyncCloseCode.documentTooLarge,
        reason: "The document would exceed its size limit",
      };
    }
    return null;
  }

  /**
   * A server write: `mutate` runs on the staged document, and what it changed is queued like a
   * participant's update. Resolves once the change is stored. A change that would take the
   * document past its size cap is refused as a participant's is, with a 409 and the room as it
   * was: what the server writes (every annotator's label, a published version) comes from
   * people too, and a room pushed past the cap refuses every participant's edit after it.
   */
  async applyServerChange(mutate: (doc: Y.Doc) => void): Promise<void> {
    let added: Uint8Array | null;
    try {
      added = this.queue.some((change) => change.origin !== null && change.update !== null)
        ? this.applyBesideParticipants(mutate)
        : applyCapturing(this.staged, fromServer, () => mutate(this.staged));
    } catch (error) {
      this.restage();
      throw error;
    }
    const { maxDocumentBytes } = this.deps.limits;
    if (added !== null && this.storedBytes + this.queuedBytes + added.length > maxDocumentBytes) {
      this.restage();
      this.log.warn(
        { bytes: added.length, storedBytes: this.storedBytes, maxDocumentBytes },
        "refused a server write past the document's size limit",
      );
      throw conflict(
        `The document ${this.name} would exceed its size limit of ${maxDocumentBytes} bytes`,
      );
    }
    const update = added;
    // A write that changed nothing still resolves only once the writes queued before it are
    // stored: its caller may go on to read what it believes is already there.
    if (update === null && this.queue.length === 0 && this.writing === null) return;
    await new Promise<void>((resolve, reject) =>
      this.enqueue({ update, origin: null, frame: 0, stored: { resolve, reject } }),
    );
  }

  /**
   * A server write while participants' changes wait to be stored is made on the stored document
   * and the server's queued writes alone, then applied to `staged`: the database may yet refuse
   * those changes (the item was published meanwhile, `refuseUnstored`), and a server change built
   * on them would then depend on changes that exist nowhere. Returns what the write added.
   */
  private applyBesideParticipants(mutate: (doc: Y.Doc) => void): Uint8Array | null {
    const serverView = new Y.Doc();
    try {
      serverView.transact(() => {
        Y.applyUpdate(serverView, this.storedUpdate);
        for (const change of this.queue) {
          if (change.origin === null && change.update !== null) {
            Y.applyUpdate(serverView, change.update);
          }
        }
      });
      const added = applyCapturing(serverView, fromServer, () => mutate(serverView));
      if (added !== null) Y.applyUpdate(this.staged, added, fromServer);
      return added;
    } finally {
      serverView.destroy();
    }
  }

  /**
   * Rebuilds the staged document from the stored one and the queue, after an update that was
   * refused or failed half-way left it with changes that will not be stored.
   */
  private restage(): void {
    this.mergeStoredBacklog({ stagedIsClean: false });
    const staged = new Y.Doc();
    staged.getMap("meta");
    staged.transact(() => {
      Y.applyUpdate(staged, this.storedState);
      for (const change of this.queue) {
        if (change.update !== null) Y.applyUpdate(staged, change.update);
      }
    });
    this.staged.destroy();
    this.staged = staged;
  }

  private enqueue(change: PendingChange): void {
    if (change.origin !== null && change.update !== null) {
      this.deps.activity?.note(this.name, change.origin);
    }
    this.queue.push(change);
    if (change.update !== null) this.queuedBytes += change.update.length;
    this.writeQueue();
  }

  /** A frame that added nothing is acknowledged once everything its sender sent before is. */
  private acknowledgeWhenStored(participant: RoomParticipant, frame: number): void {
    if (this.queue.length === 0 && this.writing === null) this.acknowledge(participant, frame);
    else this.enqueue({ update: null, origin: participant, frame });
  }

  private acknowledge(participant: RoomParticipant, frame: number): void {
    if (participant.wantsPersisted && participant.access === "edit") {
      participant.send(encodePersisted(frame));
    }
  }

  private writeQueue(): void {
    if (this.writing !== null || this.abandoned) return;
    this.writing = this.writeUntilEmpty().finally(() => {
      this.writing = null;
      if (this.queue.length > 0 && !this.abandoned) this.writeQueue();
      else this.settle();
    });
  }

  /** The persist stage: a failed write is retried, with backoff, until it succeeds. */
  private async writeUntilEmpty(): Promise<void> {
    let failures = 0;
    while (this.queue.length > 0 && !this.abandoned) {
      const batch = this.queue.slice(0, maxBatch);
      const updates = batch.flatMap((change) => (change.update === null ? [] : [change.update]));
      let participantsRefused = false;
      if (updates.length > 0) {
        try {
          ({ participantsRefused } = await this.deps.writer.append(
            this.name,
            batch.flatMap((change) =>
              change.update === null
                ? []
                : [{ update: change.update, fromParticipant: change.origin !== null }],
            ),
          ));
        } catch (error) {
          failures += 1;
          this.log.error(
            { err: error, queued: this.queue.length, failures },
            "could not store room updates; retrying",
          );
          await delay(Math.min(retryMaxMs, retryBaseMs * 2 ** (failures - 1)));
          continue;
        }
      }
      failures = 0;
      this.queue.splice(0, batch.length);
      if (participantsRefused) this.refuseUnstored(batch);
      else this.commit(batch, updates);
    }
  }

  /**
   * The database refused the participants' changes of a stored batch: the item was published
   * meanwhile, perhaps through another instance (persistence.ts). They are dropped, with every
   * later change of their senders, which may build on them, and the senders are closed with
   * 4423, as if the room had been published when they sent them; none of it was relayed or
   * acknowledged. The server's changes of the batch were stored and are committed as usual.
   */
  private refuseUnstored(batch: PendingChange[]): void {
    const refused = new Set<RoomParticipant>();
    for (const change of batch) {
      if (change.origin !== null && change.update !== null) refused.add(change.origin);
    }
    const isRefused = (change: PendingChange) =>
      change.origin !== null && refused.has(change.origin);
    const kept = this.queue.filter((change) => !isRefused(change));
    for (const change of [...batch, ...this.queue]) {
      if (isRefused(change) && change.update !== null) this.queuedBytes -= change.update.length;
    }
    this.queue.splice(0, this.queue.length, ...kept);
    const stored = batch.filter((change) => !isRefused(change));
    this.commit(
      stored,
      stored.flatMap((change) => (change.update === null ? [] : [change.update])),
    );
    this.restage();
    this.log.info({ refused: refused.size }, "refused updates: the item was published meanwhile");
    for (const participant of refused) {
      participant.refuse(
        SyncCloseCode.documentPublished,
        "The document is published and read-only",
      );
    }
  }

  /** The relay stage, for changes that have just been stored. */
  private commit(batch: PendingChange[], updates: Uint8Array[]): void {
    const bytes = updates.reduce((total, update) => total + update.length, 0);
    this.queuedBytes -= bytes;
    this.storedBytes += bytes;
    this.logRows += updates.length;
    this.logBytes += bytes;
    this.addStored(updates);
    const acknowledged = new Map<RoomParticipant, number>();
    for (const change of batch) {
      if (change.update !== null) this.relay(encodeUpdate(change.update), change.origin);
      if (change.origin !== null) acknowledged.set(change.origin, change.frame);
      change.stored?.resolve();
    }
    if (updates.length > 0) {
      this.deps.fanOut?.publish(this.name, {
        kind: "update",
        rows: updates.length,
        update: updates.length === 1 ? updates[0] : Y.mergeUpdates(updates),
      });
    }
    for (const [participant, frame] of acknowledged) this.acknowledge(participant, frame);
    this.compactIfDue();
  }

  /** The compaction stage: runs beside writes; the database keeps the two consistent. */
  private compactIfDue(): void {
    const { compactAfterUpdates, compactAfterBytes } = this.deps.limits;
    if (this.compacting !== null || this.abandoned || this.destroyedFlag) return;
    if (this.logRows < compactAfterUpdates && this.logBytes < compactAfterBytes) return;
    this.compacting = this.deps.compactor
      .compact(this.name)
      .then(
        (compaction) => {
          this.logRows = Math.max(0, this.logRows - (compaction?.mergedRows ?? this.logRows));
          this.logBytes = Math.max(0, this.logBytes - (compaction?.mergedBytes ?? this.logBytes));
          if (compaction) {
            this.storedBytes = compaction.snapshotBytes + this.logBytes;
            this.log.debug(compaction, "compacted the room's log");
          }
        },
        (error: unknown) => this.log.warn({ err: error }, "could not compact the room's log"),
      )
      .finally(() => {
        this.compacting = null;
        this.settle();
      });
  }

  /**
   * Brings updates stored by another instance into the room; relays what was new. They differ
   * from this instance's queued changes (other clients wrote them), so what they add to
   * `staged` is what they add to the stored document.
   */
  private applyStoredElsewhere(updates: Uint8Array[]): void {
    let added: Uint8Array | null;
    try {
      added = applyCapturing(this.staged, fromOtherInstance, () => {
        for (const update of updates) Y.applyUpdate(this.staged, update);
      });
    } catch (error) {
      this.restage();
      throw error;
    }
    this.addStored(updates);
    if (added !== null) this.relay(encodeUpdate(added), null);
  }

  private readonly receiveFromOtherInstance = (message: FanOutMessage): void => {
    if (this.destroyedFlag) return;
    if (this.remoteBacklog !== null) {
      this.remoteBacklog.push(message);
      return;
    }
    try {
      if (message.kind === "update") {
        this.applyStoredElsewhere([message.update]);
        this.logRows += message.rows;
        this.logBytes += message.update.length;
        this.storedBytes += message.update.length;
        this.compactIfDue();
      } else {
        this.receiveRemoteAwareness(message.owner, message.update);
      }
    } catch (error) {
      this.log.error({ err: error }, "could not apply a message from another instance");
    }
  };

  /**
   * After the connection to the other instances was interrupted, whatever they stored meanwhile
   * is read back from the database, which holds every update that was ever relayed.
   */
  async catchUp(): Promise<void> {
    await this.ready;
    if (this.destroyedFlag) return;
    const stored = await loadStoredRoom(this.deps.db, this.name);
    if (this.destroyedFlag) return;
    this.applyStoredElsewhere(stored.updates);
    this.countStored(stored);
  }

  private countStored(stored: StoredRoom): void {
    this.logRows = stored.logRows;
    this.logBytes = stored.logBytes;
    this.storedBytes = stored.snapshotBytes + stored.logBytes;
  }

  /**
   * Presence, limited per connection (awareness.ts). A state for a client id that another
   * connection announced is dropped: the stock client sends back every presence change it
   * receives, so such echoes are routine; they are left out, unparsed, before the limits count
   * the frame. The rest is checked against the limits, and only then parsed; each state's `user`
   * is replaced by the identity the server stamped.
   */
  private receiveAwareness(participant: RoomParticipant, changes: RawAwarenessChange[]): void {
    const own = changes.filter((change) => {
      const owner = this.awarenessOwners.get(change.clientId);
      return owner === undefined || owner === participant.id;
    });
    if (own.length < changes.length) {
      this.log.debug(
        { connectionId: participant.id, dropped: changes.length - own.length },
        "dropped presence for client ids that other connections own",
      );
    }
    if (own.length === 0) return;
    const parsed = participant.admitPresence(own).map(parseAwarenessChange);
    if (parsed.length === 0) return;
    const accepted = parsed.map((change): AwarenessChange => {
      if (change.state === null) return change;
      this.awarenessOwners.set(change.clientId, participant.id);
      return { ...change, state: stampIdentity(change.state, participant.identity) };
    });
    awarenessProtocol.applyAwarenessUpdate(
      this.awareness,
      encodeAwarenessChanges(accepted),
      participant,
    );
  }

  private receiveRemoteAwareness(owner: string, update: Uint8Array): void {
    const accepted = decodeAwarenessUpdate(update).filter((change) => {
      const current = this.awarenessOwners.get(change.clientId);
      return current === undefined || current === owner;
    });
    for (const change of accepted) {
      if (change.state !== null) this.awarenessOwners.set(change.clientId, owner);
    }
    if (accepted.length === 0) return;
    awarenessProtocol.applyAwarenessUpdate(
      this.awareness,
      encodeAwarenessChanges(accepted),
      fromOtherInstance,
    );
  }

  /**
   * Presence goes back to its sender too: the stock client drops a connection on which it has
   * heard nothing for 30 seconds, and its own presence renewals (every 15) are what a client
   * alone in a room hears. Changes made here are published to the other instances as stored.
   */
  private readonly onAwarenessUpdate = (
    changes: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    for (const clientId of changes.removed) this.awarenessOwners.delete(clientId);
    const changed = [...changes.added, ...changes.updated, ...changes.removed];
    const frames = new Map<boolean, Uint8Array>();
    for (const participant of this.participants) {
      const view = participant.seesPseudonyms;
      let frame = frames.get(view);
      if (frame === undefined) {
        frame = this.presenceFrame(changed, view);
        frames.set(view, frame);
      }
      participant.send(frame);
    }
    if (typeof origin === "object" && origin !== null && this.members.has(origin)) {
      const owner = (origin as RoomParticipant).id;
      const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
      this.deps.fanOut?.publish(this.name, { kind: "awareness", owner, update });
    }
  };

  /** The presence of the given client ids, as a participant with that view may see it. */
  private presenceFrame(clientIds: number[], pseudonymised: boolean): Uint8Array {
    const states = this.awareness.getStates();
    const changes = clientIds.map((clientId) => {
      const state = states.get(clientId);
      return {
        clientId,
        clock: this.awareness.meta.get(clientId)?.clock ?? 0,
        state: state === undefined ? null : presentState(state, pseudonymised),
      };
    });
    return encodeAwarenessMessage(encodeAwarenessChanges(changes));
  }

  /** To every participant but the one the change came from, if any. */
  private relay(frame: Uint8Array, origin: RoomParticipant | null): void {
    for (const participant of this.participants) {
      if (participant !== origin) participant.send(frame);
    }
  }

  private settle(): void {
    if (this.idle) this.onIdle();
  }

  /** Resolves once every change queued so far has been stored and relayed. */
  async settled(): Promise<void> {
    while (this.writing !== null || this.compacting !== null) {
      await Promise.all([this.writing, this.compacting]);
    }
  }

  /**
   * Gives up on writes still failing at shutdown. Nobody has seen those changes (they were
   * never relayed) and their senders were never told they are saved, so a client resends them
   * when it reconnects.
   */
  abandon(): void {
    if (this.queue.length > 0) {
      this.log.error({ queued: this.queue.length }, "shut down with room updates not stored");
    }
    this.abandoned = true;
    for (const change of this.queue.splice(0)) {
      change.stored?.reject(new Error("The server shut down before the change was stored"));
    }
  }

  destroy(): void {
    this.destroyedFlag = true;
    this.awareness.off("update", this.onAwarenessUpdate);
    this.awareness.destroy();
    this.storedBacklog = [];
    this.storedState = emptyDocumentState;
    this.awareness.doc.destroy();
    this.staged.destroy();
    this.deps.fanOut?.unsubscribe(this.name, this.receiveFromOtherInstance).catch((error) => {
      this.log.warn({ err: error }, "could not unsubscribe from the room's channel");
    });
  }
}

/**
 * The person an identity the server stamped names (awareness.ts); null for anything else, such
 * as a state relayed by an instance that stamped none.
 */
function occupantOf(identity: unknown): RoomOccupant | null {
  if (typeof identity !== "object" || identity === null) return null;
  const { id, name, pseudonym } = identity as Record<string, unknown>;
  if (typeof id !== "number" || typeof name !== "string") return null;
  return { id, name, pseudonym: typeof pseudonym === "string" ? pseudonym : null };
}

/** Runs `apply` in one transaction and returns what it added to the document, if anything. */
function applyCapturing(
  doc: Y.Doc,
  origin: unknown,
  apply: (transaction: Y.Transaction) => void,
): Uint8Array | null {
  let added: Uint8Array | null = null;
  const capture = (update: Uint8Array) => {
    added = added === null ? update : Y.mergeUpdates([added, update]);
  };
  doc.on("update", capture);
  try {
    doc.transact(apply, origin);
  } finally {
    doc.off("update", capture);
  }
  return added;
}

/**
 * Applies a participant's update in one transaction (`check` runs inside it, after the update)
 * and returns what it added to the document, if anything: the update less the structs the
 * document already held. This is cut from the update itself (`Y.diffUpdate`), at a cost that
 * grows with the update, rather than encoded from the document as Yjs's `update` event does:
 * that encoding slices the text an insertion was merged into, which copies the whole text for
 * every keystroke typed at its end. The deletions the update carries are kept whole; one of
 * something already deleted changes nothing where it is applied again.
 */
function applyAdding(
  doc: Y.Doc,
  update: Uint8Array,
  origin: unknown,
  check: (transaction: Y.Transaction) => void,
): Uint8Array | null {
  const before = Y.encodeStateVector(doc);
  const applied = doc.transact((transaction) => {
    Y.applyUpdate(doc, update);
    check(transaction);
    return transaction;
  }, origin);
  return changedDocument(applied) ? Y.diffUpdate(update, before) : null;
}

/** Whether a finished transaction added a struct or deleted anything. */
function changedDocument(transaction: Y.Transaction): boolean {
  if (transaction.deleteSet.clients.size > 0) return true;
  for (const [client, clock] of transaction.afterState) {
    if ((transaction.beforeState.get(client) ?? 0) !== clock) return true;
  }
  return false;
}

/** Whether the document holds changes it could not integrate for want of their dependencies. */
function hasPendingChanges(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
}
