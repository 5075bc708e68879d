import { randomUUID } from "node:crypto";
import WebSocket, { type RawData } from "ws";
import type { Logger } from "../logger.ts";
import type { CredentialRef } from "../services/auth.ts";
import type { AccessHolder } from "./access.ts";
import type { SyncPeer } from "./authenticate.ts";
import { participantIdentity, RateLimiter, type ParticipantIdentity } from "./awareness.ts";
import { SyncCloseCode } from "./close-codes.ts";
import type { DocumentAccess } from "./permissions.ts";
import { decodeClientMessage, MalformedMessageError } from "./protocol.ts";
import type { Room, RoomParticipant } from "./room.ts";
import type { Rooms } from "./rooms.ts";

/** Frames a client may send before its room has loaded; the stock client sends two or three. */
const maxFramesWhileLoading = 64;

/**
 * One accepted WebSocket: it joins its room, feeds the room decoded frames in order, and leaves
 * the room when the socket closes. A malformed frame closes this connection only.
 */
export class SyncConnection implements RoomParticipant, AccessHolder {
  readonly id = randomUUID();
  readonly access: DocumentAccess;
  readonly credential: CredentialRef;
  readonly userId: number;
  readonly membershipOf: number | null;
  readonly identity: ParticipantIdentity;
  readonly seesPseudonyms: boolean;
  readonly wantsPersisted: boolean;
  readonly awarenessClients = new Set<number>();
  /** Resolves when the socket has closed, however that happened. */
  readonly closed: Promise<void>;
  private readonly log: Logger;
  private readonly awarenessLimit: RateLimiter;
  private room: Room | null = null;
  /** Binary frames received so far: the number of the latest, as acknowledgements count them. */
  private framesReceived = 0;
  /** Frames that arrived while the room was loading; null once they have been handled. */
  private backlog: Array<{ frame: Uint8Array; number: number }> | null = [];
  private answeredPing = true;

  constructor(
    private readonly socket: WebSocket,
    peer: SyncPeer,
    private readonly rooms: Rooms,
    log: Logger,
    awarenessPerSecond: number,
  ) {
    this.access = peer.grant.access;
    this.credential = peer.credential;
    this.userId = peer.user.id;
    // An admin's access to rooms does not come from a project membership.
    this.membershipOf = peer.user.is_admin ? null : peer.grant.projectId;
    this.identity = participantIdentity(peer.user, peer.grant.role, peer.grant.pseudonym);
    this.seesPseudonyms = peer.grant.seesPseudonyms;
    this.wantsPersisted = peer.wantsPersisted;
    this.awarenessLimit = new RateLimiter(awarenessPerSecond);
    this.log = log.child({
      connectionId: this.id,
      docName: peer.document.name,
      userId: peer.user.id,
      access: peer.grant.access,
    });
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
    const backlog = this.backlog ?? [];
    this.backlog = null;
    for (const { frame, number } of backlog) this.handle(frame, number);
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (!isBinary) {
      this.refuseMalformed(new MalformedMessageError("Text frames are not part of the protocol"));
      return;
    }
    const frame = toBytes(data);
    this.framesReceived += 1;
    if (this.backlog === null) {
      this.handle(frame, this.framesReceived);
    } else if (this.backlog.length < maxFramesWhileLoading) {
      this.backlog.push({ frame, number: this.framesReceived });
    } else {
      this.close(SyncCloseCode.tryAgainLater, "Too many messages while the document loads");
    }
  }

  private handle(frame: Uint8Array, number: number): void {
    if (!this.room || this.socket.readyState !== WebSocket.OPEN) return;
    try {
      this.room.receive(this, decodeClientMessage(frame), number);
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

  takeAwarenessAllowance(): boolean {
    return this.awarenessLimit.tryTake();
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
  }

  close(code: SyncCloseCode, reason: string): void {
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
    this.backlog = null;
    if (this.room) this.rooms.leave(this.room, this);
    this.room = null;
    this.log.info({ code, reason }, "sync connection closed");
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
