import { randomUUID } from "node:crypto";
import WebSocket, { type RawData } from "ws";
import type { ProjectRole } from "../../db/schema.ts";
import type { Logger } from "../logger.ts";
import type { CredentialRef } from "../services/auth.ts";
import type { AccessHolder } from "./access.ts";
import type { SyncPeer } from "./authenticate.ts";
import {
  participantIdentity,
  PresenceAllowance,
  RateLimiter,
  type ParticipantIdentity,
  type PresenceLimits,
} from "./awareness.ts";
import { SyncCloseCode } from "./close-codes.ts";
import type { DocumentAccess } from "./permissions.ts";
import { decodeClientMessage, MalformedMessageError, type RawAwarenessChange } from "./protocol.ts";
import type { Room, RoomParticipant } from "./room.ts";
import type { Rooms } from "./rooms.ts";
import type { RoomWrites } from "./write-rules.ts";

/** Frames a client may send before its room has loaded; the stock client sends two or three. */
const maxFramesWhileLoading = 64;
/** How long frames are handled at a stretch before other work gets the event loop. */
const sliceMs = 4;
/** Waiting frames (or bytes) at which the socket stops reading, until they have been handled. */
const pauseAtFrames = 256;
const pauseAtBytes = 4 * 1024 * 1024;
/** Frames of this connection the room may hold unstored before it is handed more. */
const maxQueuedInRoom = 128;
/** How soon to look again whether the room has stored enough to take more. */
const roomBusyRetryMs = 5;
/**
 * Requests for the whole document (sync step 1) a connection may make at once, and then one
 * every ten seconds: the stock client makes one per connection (and one per `resyncInterval`,
 * if set). Each is answered with the document, up to its size cap, so an unlimited stream of
 * them from any participant, a read-only one included, would be a stream of copies of it.
 */
const documentRequestBurst = 3;
const documentRequestsPerSecond = 0.1;

/** What one connection may cost the server, whoever it is. */
export interface ConnectionLimits {
  presence: PresenceLimits;
  /** Bytes a second the server reads from the socket, past a burst of two of the largest frames. */
  receiveBytesPerSecond: number;
  /** The largest frame accepted (`SYNC_MAX_PAYLOAD_BYTES`). */
  maxFrameBytes: number;
  /**
   * Bytes the server may hold unsent for the connection (`SYNC_MAX_SEND_BUFFER_BYTES`); a peer
   * that reads slower than that is disconnected.
   */
  maxSendBufferBytes: number;
}

/**
 * One accepted WebSocket: it joins its room, feeds the room decoded frames in order, and leaves
 * the room when the socket closes. A malformed frame closes this connection only.
 *
 * Backpressure: frames are queued as they arrive and handled in slices of a few milliseconds,
 * and only while the room holds fewer than `maxQueuedInRoom` of this connection's changes still
 * to be stored; so a client sending thousands of small updates back to back can neither hold the
 * event loop nor pile up changes in the room faster than the database stores them. While many
 * frames wait, the socket stops reading and TCP holds the sender back. It stops reading too while
 * the connection has sent more than `receiveBytesPerSecond` allows: receiving a frame (copying
 * and unmasking it) costs the server before anyone looks at what it holds.
 *
 * The other way, what the server sends waits in memory while the peer does not read it: a peer
 * with more than `maxSendBufferBytes` unsent is cut off (it may reconnect, and then receives the
 * document once), and requests for the whole document beyond a few are dropped.
 */
export class SyncConnection implements RoomParticipant, AccessHolder {
  readonly id = randomUUID();
  readonly access: DocumentAccess;
  readonly writes: RoomWrites;
  readonly credential: CredentialRef;
  readonly userId: number;
  readonly projectId: number;
  readonly roleAtOpen: ProjectRole | null;
  readonly adminAtOpen: boolean;
  readonly identity: ParticipantIdentity;
  readonly seesPseudonyms: boolean;
  readonly wantsPersisted: boolean;
  /** Resolves when the socket has closed, however that happened. */
  readonly closed: Promise<void>;
  private readonly log: Logger;
  private readonly presence: PresenceAllowance;
  private readonly documentRequests = new RateLimiter(
    documentRequestsPerSecond,
    undefined,
    documentRequestBurst,
  );
  private documentRequestsDropped = 0;
  private readonly maxSendBufferBytes: number;
  private room: Room | null = null;
  /** Binary frames received so far: the number of the latest, as acknowledgements count them. */
  private framesReceived = 0;
  /** Frames received and not yet handled, oldest first. */
  private readonly waiting: Array<{ frame: Uint8Array; number: number }> = [];
  private waitingBytes = 0;
  private sliceScheduled: NodeJS.Immediate | NodeJS.Timeout | null = null;
  private readingPaused = false;
  /** Too many frames wait to be handled: reading stops until most of them are. */
  private tooManyWaiting = false;
  /** Bytes the connection may still send at once; negative while it has sent too much. */
  private receiveAllowance: number;
  private receiveRefilledAt = performance.now();
  /** Set while reading stops because the connection sent more bytes than its rate. */
  private receiveResume: NodeJS.Timeout | null = null;
  private readonly receiveBytesPerSecond: number;
  private readonly receiveBurstBytes: number;
  /** Set once the server closes the connection: nothing more it sent is handled. */
  private stopped = false;
  private answeredPing = true;

  constructor(
    private readonly socket: WebSocket,
    peer: SyncPeer,
    private readonly rooms: Rooms,
    log: Logger,
    limits: ConnectionLimits,
  ) {
    this.access = peer.grant.access;
    this.writes = peer.grant.writes;
    this.credential = peer.credential;
    this.userId = peer.user.id;
    this.projectId = peer.grant.projectId;
    this.roleAtOpen = peer.grant.projectRole;
    this.adminAtOpen = peer.user.is_admin;
    this.identity = participantIdentity(peer.user, peer.grant.role, peer.grant.pseudonym);
    this.seesPseudonyms = peer.grant.seesPseudonyms;
    this.wantsPersisted = peer.wantsPersisted;
    this.log = log.child({
      connectionId: this.id,
      docName: peer.document.name,
      userId: peer.user.id,
      access: peer.grant.access,
    });
    this.receiveBytesPerSecond = limits.receiveBytesPerSecond;
    this.receiveBurstBytes = Math.max(limits.receiveBytesPerSecond, 2 * limits.maxFrameBytes);
    this.receiveAllowance = this.receiveBurstBytes;
    this.maxSendBufferBytes = limits.maxSendBufferBytes;
    this.presence = new PresenceAllowance(limits.presence, (reason) =>
      this.log.warn({ reason }, "dropping presence beyond the connection's limits"),
    );
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("message", (data, isBinary) => this.onFrame(data, isBinary));
    socket.on("pong", () => {
      this.answeredPing = true;
    });
    socket.on("error", (error: Error & { code?: string }) => {
      // `ws` reports a peer's protocol violations (an oversized frame, a bad opcode) as errors
      // and closes the socket itself; those are the peer's fault, not ours.
      const level = error.code?.startsWith("WS_ERR_") ? "info" : "warn";
      this.log[level]({ err: error }, "sync socket error");
    });
    socket.on("close", (code, reason) => this.onClose(code, reason.toString()));
    this.log.info("sync connection opened");
    void this.joinRoom(peer.document.name);
  }

  private async joinRoom(docName: string): Promise<void> {
    let room: Room;
    try {
      room = await this.rooms.join(docName, this);
    } catch (error) {
      this.log.error({ err: error }, "could not load the room");
      this.close(SyncCloseCode.internalError, "The document could not be loaded");
      return;
    }
    if (this.socket.readyState !== WebSocket.OPEN) {
      this.rooms.leave(room, this);
      return;
    }
    this.room = room;
    this.handleWaiting();
  }

  get awarenessClients(): ReadonlySet<number> {
    return this.presence.clientIds;
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (!isBinary) {
      this.refuseMalformed(new MalformedMessageError("Text frames are not part of the protocol"));
      return;
    }
    const frame = toBytes(data);
    this.framesReceived += 1;
    if (this.room === null && this.waiting.length >= maxFramesWhileLoading) {
      this.close(SyncCloseCode.tryAgainLater, "Too many messages while the document loads");
      return;
    }
    this.waiting.push({ frame, number: this.framesReceived });
    this.waitingBytes += frame.length;
    if (this.waiting.length >= pauseAtFrames || this.waitingBytes >= pauseAtBytes) {
      this.tooManyWaiting = true;
    }
    this.chargeReceived(frame.length);
    this.updateReading();
    if (this.room !== null) this.scheduleSlice();
  }

  /**
   * Counts received bytes against the rate; past it, reading stops until the debt is repaid.
   * Frames `ws` had already read when reading stopped still arrive, and add to the debt.
   */
  private chargeReceived(bytes: number): void {
    const now = performance.now();
    this.receiveAllowance = Math.min(
      this.receiveBurstBytes,
      this.receiveAllowance + ((now - this.receiveRefilledAt) / 1000) * this.receiveBytesPerSecond,
    );
    this.receiveRefilledAt = now;
    this.receiveAllowance -= bytes;
    if (this.receiveAllowance >= 0 || this.receiveResume !== null || this.stopped) return;
    const repaidInMs = Math.ceil((-this.receiveAllowance / this.receiveBytesPerSecond) * 1000);
    this.receiveResume = setTimeout(() => {
      this.receiveResume = null;
      this.chargeReceived(0);
      this.updateReading();
    }, repaidInMs);
  }

  /** Reads from the socket unless too many frames wait or the connection is over its rate. */
  private updateReading(): void {
    const shouldRead = !this.tooManyWaiting && this.receiveResume === null;
    if (shouldRead === !this.readingPaused) return;
    this.readingPaused = !shouldRead;
    if (shouldRead) this.socket.resume();
    else this.socket.pause();
  }

  private scheduleSlice(afterMs = 0): void {
    if (this.sliceScheduled !== null) return;
    const handleNext = () => {
      this.sliceScheduled = null;
      this.handleWaiting();
    };
    this.sliceScheduled = afterMs > 0 ? setTimeout(handleNext, afterMs) : setImmediate(handleNext);
  }

  /**
   * Handles waiting frames in order, for one slice (or, with `all`, every one of them), and
   * schedules the next slice while any remain: at once, or shortly when the room holds as many
   * of this connection's changes as it may.
   */
  private handleWaiting(options: { all?: boolean } = {}): void {
    const room = this.room;
    if (room === null) return;
    const started = performance.now();
    // A frame adds at most one change to the room's queue.
    let allowance = options.all
      ? Number.POSITIVE_INFINITY
      : maxQueuedInRoom - room.queuedFrom(this);
    while (this.waiting.length > 0 && !this.stopped && allowance > 0) {
      const next = this.waiting.shift();
      if (next === undefined) break;
      allowance -= 1;
      this.waitingBytes -= next.frame.length;
      this.handle(next.frame, next.number);
      if (!options.all && performance.now() - started >= sliceMs) break;
    }
    if (this.stopped) {
      this.waiting.length = 0;
      this.waitingBytes = 0;
      return;
    }
    if (
      this.tooManyWaiting &&
      this.waiting.length < pauseAtFrames / 4 &&
      this.waitingBytes < pauseAtBytes / 4
    ) {
      this.tooManyWaiting = false;
      this.updateReading();
    }
    if (this.waiting.length > 0) this.scheduleSlice(allowance > 0 ? 0 : roomBusyRetryMs);
  }

  /**
   * A frame that arrived before the peer closed is still handled once the socket is closing:
   * the changes a client sent just before it left are stored like any others.
   */
  private handle(frame: Uint8Array, number: number): void {
    if (!this.room || this.stopped) return;
    try {
      const message = decodeClientMessage(frame);
      if (message.type === "sync-step-1" && !this.documentRequests.tryTake()) {
        if (this.documentRequestsDropped === 0) {
          this.log.warn("dropping requests for the document beyond the connection's allowance");
        }
        this.documentRequestsDropped += 1;
        return;
      }
      this.room.receive(this, message, number);
    } catch (error) {
      if (error instanceof MalformedMessageError) {
        this.refuseMalformed(error);
      } else {
        this.log.error({ err: error }, "could not handle a sync message");
        this.close(SyncCloseCode.internalError, "The server failed to handle a message");
      }
    }
  }

  private refuseMalformed(error: MalformedMessageError): void {
    this.log.info({ reason: error.message }, "closing a connection that sent a malformed message");
    this.close(SyncCloseCode.malformedMessage, "Malformed message");
  }

  admitPresence(changes: readonly RawAwarenessChange[]): RawAwarenessChange[] {
    return this.presence.admit(changes);
  }

  admitPresenceQuery(): boolean {
    return this.presence.admitQuery();
  }

  refuse(code: SyncCloseCode, reason: string): void {
    this.log.info({ code, reason }, "closing a connection whose update was refused");
    this.close(code, reason);
  }

  revokeAccess(reason: string): void {
    this.log.info({ reason }, "closing a connection whose access has ended");
    this.close(SyncCloseCode.accessRevoked, reason);
  }

  send(frame: Uint8Array): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(frame, { binary: true }, (error) => {
      if (error) this.log.debug({ err: error }, "could not send a sync message");
    });
    if (this.socket.bufferedAmount > this.maxSendBufferBytes) {
      // A close frame would queue behind what the peer is not reading, and the buffer would
      // stay until the close times out: the socket is dropped at once instead.
      this.log.warn(
        { bufferedBytes: this.socket.bufferedAmount, maxSendBufferBytes: this.maxSendBufferBytes },
        "dropping a sync connection that does not read what it is sent",
      );
      this.stopped = true;
      this.socket.terminate();
    }
  }

  close(code: SyncCloseCode, reason: string): void {
    this.stopped = true;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }

  /** Called on every keepalive tick: a peer that did not answer the previous ping is dropped. */
  checkAlive(): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (!this.answeredPing) {
      this.log.info("terminating a sync connection that stopped answering pings");
      this.socket.terminate();
      return;
    }
    this.answeredPing = false;
    this.socket.ping();
  }

  private onClose(code: number, reason: string): void {
    // What is still waiting (at most what arrived while reading was paused) is handled now, in
    // order, before the connection leaves the room.
    this.handleWaiting({ all: true });
    this.stopped = true;
    if (this.receiveResume !== null) clearTimeout(this.receiveResume);
    this.waiting.length = 0;
    this.waitingBytes = 0;
    if (this.room) this.rooms.leave(this.room, this);
    this.room = null;
    const presenceDropped = this.presence.droppedTotal > 0 ? this.presence.dropped : undefined;
    const documentRequestsDropped = this.documentRequestsDropped || undefined;
    this.log.info(
      { code, reason, presenceDropped, documentRequestsDropped },
      "sync connection closed",
    );
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
