import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { WebSocketServer } from "ws";
import type { QuorumContext } from "../context.ts";
import { prepareItemRoom, prepareReviewRoom, withdrawVote } from "../services/room.ts";
import { AppError } from "../errors.ts";
import { PerUserLimit } from "../per-user-limit.ts";
import { authenticateUpgrade, refuseUpgrade, upgradeError, type SyncPeer } from "./authenticate.ts";
import { SyncCloseCode } from "./close-codes.ts";
import { recheckAccess } from "./access.ts";
import { SyncConnection, type ConnectionLimits } from "./connection.ts";
import type { Rooms } from "./rooms.ts";
import { TurnTaking } from "./turn-taking.ts";

/** How often peers are pinged; one that has not answered by the next ping is dropped. */
const keepaliveIntervalMs = 30_000;
/** How long shutdown waits for clients to acknowledge the close before cutting them off. */
const closeGraceMs = 2_000;
/**
 * Upgrades authenticated and prepared at once; the rest wait their turn. Each costs several
 * queries, and a burst of them (a room's worth of clients arriving together, everyone
 * reconnecting after a restart) run all at once kept PostgreSQL and the event loop from the
 * live edits of every other room for a tenth of a second.
 */
const concurrentAdmissions = 4;

/**
 * The sync endpoint, `/sync/<docName>`, speaking the y-websocket protocol (protocol.ts). Its
 * stages: authenticate, at the upgrade (authenticate.ts, permissions.ts); then, in room.ts, load
 * the room (persistence.ts), apply editors' updates only, persist them, relay them to the room's
 * other connections and instances (fan-out.ts), compact the room's log, and unload the room
 * once it is idle (rooms.ts). connection.ts ties one socket to its room. Closing the server
 * closes the rooms too.
 */
/**
 * The prepare stage, between authentication and the first sync: an adjudication room opened by
 * an editor is pre-filled (the aggregated suggestion and every annotator's vote) and its item
 * moves to adjudication; a review room gets the junior's label and the lead's comments. Both are
 * idempotent, durable server writes, so every participant starts from the same stored state.
 */
async function prepareDocument(context: QuorumContext, peer: SyncPeer): Promise<void> {
  if (peer.document.kind === "item" && peer.grant.access === "edit") {
    await prepareItemRoom(context, peer.document.itemId);
  } else if (peer.document.kind === "review") {
    await prepareReviewRoom(context, peer.document.annotationId);
  }
}

export function createSyncServer(context: QuorumContext, rooms: Rooms) {
  const log = context.log.child({ component: "sync" });
  const webSockets = new WebSocketServer({
    noServer: true,
    maxPayload: context.config.syncMaxPayloadBytes,
  });
  const connections = new Set<SyncConnection>();
  /** The item whose panel seat an annotator's connection edits its room by (access.ts). */
  const panelSeatOf = new WeakMap<SyncConnection, number>();
  const admitting = new Set<Promise<void>>();
  let closing = false;
  const connectionLimits: ConnectionLimits = {
    presence: {
      updatesPerSecond: context.config.syncAwarenessPerSecond,
      bytesPerSecond: context.config.syncAwarenessBytesPerSecond,
      maxStateBytes: context.config.syncAwarenessMaxStateBytes,
      maxClientIds: context.config.syncAwarenessMaxClients,
    },
    receiveBytesPerSecond: context.config.syncReceiveBytesPerSecond,
    maxFrameBytes: context.config.syncMaxPayloadBytes,
    maxSendBufferBytes: context.config.syncMaxSendBufferBytes,
  };
  /** Open (or opening) connections per user on this instance. */
  const connectionsPerUser = new PerUserLimit(context.config.syncMaxConnectionsPerUser);

  /**
   * Counts a connection of the user from now until its socket closes, however it closes;
   * false when the user already has the most this instance allows.
   */
  function reserveConnection(userId: number, socket: Duplex): boolean {
    const release = connectionsPerUser.tryReserve(userId);
    if (!release) return false;
    if (socket.destroyed) release();
    else socket.once("close", release);
    return true;
  }

  let rechecking = false;
  /** A change was announced while a recheck was reading: that read may predate it. */
  let recheckAgain = false;
  function recheckOpenConnections(): void {
    if (connections.size === 0) return;
    if (rechecking) {
      recheckAgain = true;
      return;
    }
    rechecking = true;
    recheckAccess(
      context.db,
      [...connections],
      (connection) => panelSeatOf.get(connection) ?? null,
      // The instance that decided the review took the vote out of the room; one the member was
      // connected to since may hold a vote they wrote back before this recheck closed them.
      (connection, itemId) => {
        withdrawVote({ db: context.db, rooms }, itemId, connection.userId).catch((error: unknown) =>
          log.error({ err: error, itemId }, "could not take a former panel member's vote out"),
        );
      },
    )
      .then((closed) => {
        if (closed > 0) log.info({ closed }, "closed connections whose access has ended");
      })
      .catch((error: unknown) => log.warn({ err: error }, "could not recheck sync access"))
      .finally(() => {
        rechecking = false;
        if (recheckAgain) {
          recheckAgain = false;
          recheckOpenConnections();
        }
      });
  }
  const accessRecheck = setInterval(() => {
    if (!rechecking) recheckOpenConnections();
  }, context.config.syncAccessRecheckMs);
  accessRecheck.unref();
  // A user disabled or a password reset on this instance closes their connections at once.
  const stopWatchingAccess = context.accessChanges.subscribe(recheckOpenConnections);

  const admissions = new TurnTaking(concurrentAdmissions);

  async function admit(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A peer that gave up while waiting its turn costs nothing more.
    if (socket.destroyed) return;
    let peer: SyncPeer;
    try {
      if (closing) throw new AppError("unavailable", "The server is shutting down");
      peer = await authenticateUpgrade(context, request);
    } catch (error) {
      const refusal = upgradeError(error);
      if (refusal.status >= 500 && refusal.code !== "unavailable") {
        log.error({ err: error }, "sync upgrade failed");
      } else {
        log.info({ status: refusal.status, reason: refusal.message }, "sync upgrade refused");
      }
      refuseUpgrade(socket, refusal);
      return;
    }
    if (!reserveConnection(peer.user.id, socket)) {
      log.info(
        { userId: peer.user.id, limit: connectionsPerUser.max },
        "sync upgrade refused: too many",
      );
      refuseUpgrade(
        socket,
        new AppError(
          "rate_limited",
          `At most ${connectionsPerUser.max} open sync connections per user; close some and try again`,
        ),
      );
      return;
    }
    try {
      await prepareDocument(context, peer);
    } catch (error) {
      log.error({ err: error, docName: peer.document.name }, "could not prepare the room");
      refuseUpgrade(socket, new AppError("unavailable", "The room could not be opened; try again"));
      return;
    }
    if (socket.destroyed) return;
    webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const connection = new SyncConnection(webSocket, peer, rooms, log, connectionLimits);
      connections.add(connection);
      if (
        peer.document.kind === "item" &&
        peer.grant.access === "edit" &&
        peer.grant.role === "annotator"
      ) {
        panelSeatOf.set(connection, peer.document.itemId);
      }
      // Each connection is pinged on a clock of its own, from when it opened: pinging every
      // connection in one loop sent thousands of frames at once and held every relay meanwhile.
      const keepalive = setInterval(() => connection.checkAlive(), keepaliveIntervalMs);
      keepalive.unref();
      void connection.closed.then(() => {
        clearInterval(keepalive);
        connections.delete(connection);
      });
    });
  }

  return {
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      const admission = admissions
        .run(() => admit(request, socket, head))
        .catch((error: unknown) => {
          log.error({ err: error }, "sync upgrade failed");
          socket.destroy();
        });
      admitting.add(admission);
      void admission.finally(() => admitting.delete(admission));
    },

    /** Refuses new connections, closes open ones with 1001 ("going away") and stops. */
    async close(): Promise<void> {
      closing = true;
      clearInterval(accessRecheck);
      stopWatchingAccess();
      await Promise.all(admitting);
      const open = [...connections];
      for (const connection of open) {
        connection.close(SyncCloseCode.goingAway, "The server is shutting down");
      }
      await Promise.race([
        Promise.all(open.map((connection) => connection.closed)),
        delay(closeGraceMs, undefined, { ref: false }),
      ]);
      for (const connection of connections) connection.terminate();
      await new Promise<void>((resolve) => webSockets.close(() => resolve()));
      await rooms.close();
    },
  };
}
