import { createHash } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, realpathSync, rmdirSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { PostgresPool, PostgresPoolClient } from "kysely";

/**
 * PostgreSQL's own name for a server socket in a directory, so that `pg`, `psql` and any other
 * client reach it with the directory as host (`psql -h <dir> -U postgres postgres`).
 */
export const SOCKET_FILE_NAME = ".s.PGSQL.5432";
export const SOCKET_PORT = 5432;

/**
 * The longest socket path used as it is. `sun_path` holds 108 bytes on Linux and 104 on macOS,
 * with a terminating zero; a longer path cannot be bound.
 */
export const MAX_SOCKET_PATH_BYTES = 103;

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** PostgreSQL refuses messages past 1 GB; so does this server, instead of buffering them. */
const MAX_MESSAGE_BYTES = 1024 * 1024 * 1024;
const SYNC_MESSAGE = Buffer.from([0x53, 0, 0, 0, 4]);
const ROLLBACK_MESSAGE = queryMessage("ROLLBACK");
/**
 * PGlite is one session, which the owner shares: a client's `SET search_path = ''` (pg_dump's
 * first statement), a temporary table named like one of Quorum's, or a session advisory lock
 * (which the owner's own lock calls would then pass, in the same session) would otherwise reach
 * the owner's next queries. So what a client makes of the session lasts until its lease ends: to
 * the end of its transaction, or of its statement outside one.
 */
const END_SESSION_MESSAGE = queryMessage(
  "CLOSE ALL; DISCARD TEMP; SELECT pg_advisory_unlock_all(); RESET ALL",
);

const COPY_FAIL_MESSAGE = (() => {
  const text = Buffer.from("connection closed\0");
  const header = Buffer.alloc(5);
  header.write("f", 0);
  header.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([header, text]);
})();
const discardOutput = { onRawData: () => undefined };

function queryMessage(statement: string): Buffer {
  const text = Buffer.from(`${statement}\0`);
  const header = Buffer.alloc(5);
  header.write("Q", 0);
  header.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([header, text]);
}

/**
 * Where the owner of the PGlite directory `pgliteDataDir` listens: `run/` beside it, or, when that
 * path is too long for a Unix socket, a directory of this user's under the system's temporary
 * directory, named by a hash of the data directory's real path.
 */
export function socketPathFor(pgliteDataDir: string): string {
  const beside = path.join(path.dirname(pgliteDataDir), "run", SOCKET_FILE_NAME);
  if (Buffer.byteLength(beside) <= MAX_SOCKET_PATH_BYTES) return beside;
  const realDir = realpathSync(path.dirname(pgliteDataDir));
  const hash = createHash("sha256")
    .update(path.join(realDir, path.basename(pgliteDataDir)))
    .digest("hex")
    .slice(0, 16);
  const name = `quorum-${process.getuid?.() ?? "user"}-${hash}`;
  for (const base of [tmpdir(), "/tmp"]) {
    const fallback = path.join(base, name, SOCKET_FILE_NAME);
    if (Buffer.byteLength(fallback) <= MAX_SOCKET_PATH_BYTES) return fallback;
  }
  throw new Error(`No socket path short enough for ${pgliteDataDir}`);
}

/**
 * Makes the socket's directory private: created 0700, or, when it exists, a real directory of
 * this user's whose group and other permissions are then removed. A directory someone else
 * owns (say, planted under /tmp) is refused.
 */
function preparePrivateDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const stat = lstatSync(directory);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
    throw new Error(`${directory} is not a directory of this user's; remove it and start again`);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(directory, 0o700);
}

/** Frames incoming bytes into whole messages without copying a large message twice. */
class MessageReader {
  #chunks: Buffer[] = [];
  #length = 0;

  push(chunk: Buffer) {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  get length() {
    return this.#length;
  }

  /** The first `count` bytes, without consuming them. */
  peek(count: number): Buffer {
    if (this.#chunks[0] && this.#chunks[0].length >= count) return this.#chunks[0];
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = [joined];
    return joined;
  }

  take(count: number): Buffer {
    let covered = 0;
    let used = 0;
    while (covered < count) covered += this.#chunks[used++]!.length;
    const head = used === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks.slice(0, used));
    this.#chunks = this.#chunks.slice(used);
    if (head.length > count) this.#chunks.unshift(head.subarray(count));
    this.#length -= count;
    return head.subarray(0, count);
  }
}

/** Follows the backend's messages to know the last one: ReadyForQuery tells a cycle is over. */
class BackendTracker {
  lastType = 0;
  /** `I` idle, `T` in a transaction, `E` in a failed transaction (from ReadyForQuery). */
  status = "I";
  #header = Buffer.alloc(5);
  #headerFilled = 0;
  #bodyLeft = 0;
  /** The body of a NotificationResponse as it arrives: its process id, channel and payload. */
  #notification: Buffer[] | null = null;

  constructor(private readonly onNotification?: (channel: string) => void) {}

  observe(data: Uint8Array) {
    let offset = 0;
    while (offset < data.length) {
      if (this.#bodyLeft > 0) {
        const take = Math.min(this.#bodyLeft, data.length - offset);
        if (this.lastType === 0x5a && this.#bodyLeft === 1)
          this.status = String.fromCharCode(data[offset]!);
        this.#notification?.push(Buffer.from(data.subarray(offset, offset + take)));
        this.#bodyLeft -= take;
        offset += take;
        if (this.#bodyLeft === 0) this.#endNotification();
        continue;
      }
      const take = Math.min(5 - this.#headerFilled, data.length - offset);
      this.#header.set(data.subarray(offset, offset + take), this.#headerFilled);
      this.#headerFilled += take;
      offset += take;
      if (this.#headerFilled === 5) {
        this.lastType = this.#header[0]!;
        this.#bodyLeft = this.#header.readInt32BE(1) - 4;
        this.#headerFilled = 0;
        if (this.lastType === 0x41 && this.onNotification) this.#notification = [];
        if (this.#bodyLeft === 0) this.#endNotification();
      }
    }
  }

  #endNotification() {
    if (!this.#notification) return;
    const body = Buffer.concat(this.#notification);
    this.#notification = null;
    const channelEnd = body.indexOf(0, 4);
    if (channelEnd > 4) this.onNotification?.(body.toString("utf8", 4, channelEnd));
  }

  /** Whether the backend has finished a cycle and holds no transaction for this client. */
  get idle() {
    return this.lastType === 0x5a && this.#bodyLeft === 0 && this.status === "I";
  }
}

export interface PgliteSocketServer {
  readonly socketPath: string;
  /**
   * Stops accepting connections; lets each connection that is inside a transaction finish it
   * (for at most `drainMs`), closes the others at once, and removes the socket file.
   */
  close(drainMs?: number): Promise<void>;
}

export interface PgliteSocketOptions {
  pglite: PGlite;
  /** The owner's serial pool: a connection is served only while it holds the pool's lease. */
  pool: PostgresPool;
  socketPath: string;
  /** A connection that keeps a transaction open this long without a word is closed. */
  idleInTransactionMs?: number;
  onConnectionError?: (error: unknown) => void;
  /**
   * A client's commit notified `channel`, and the owner listens to it: PGlite is one session, so
   * the notification comes out in that client's output, where the owner's own listeners
   * (`PGlite.onNotification`) do not hear it.
   */
  onNotification?: (channel: string) => void;
}

/**
 * Shares an open PGlite with other processes of the same user, over the PostgreSQL protocol on a
 * Unix socket. PGlite is one backend, so each connection works under the owner's serial pool
 * lease: it takes the lease for a message and keeps it until the backend is ready for a query
 * outside any transaction. A transaction from the socket therefore never interleaves with the
 * owner's or another connection's, and the owner's own transactions run whole as before.
 */
export async function sharePgliteOnSocket(
  options: PgliteSocketOptions,
): Promise<PgliteSocketServer> {
  const { pglite, pool, socketPath } = options;
  const idleInTransactionMs = options.idleInTransactionMs ?? 60_000;
  preparePrivateDirectory(path.dirname(socketPath));
  // Whoever calls this owns the data directory's lock: a socket file here is a dead owner's.
  rmSync(socketPath, { force: true });

  const connections = new Set<Connection>();
  let closing = false;

  class Connection {
    readonly finished: Promise<void>;
    #reader = new MessageReader();
    #backend = new BackendTracker(options.onNotification);
    #started = false;
    #lease: PostgresPoolClient | null = null;
    #working = false;
    #ended = false;
    #idleTimer: NodeJS.Timeout | undefined;
    #finish!: () => void;

    constructor(readonly socket: Socket) {
      this.finished = new Promise((resolve) => (this.#finish = resolve));
      socket.on("data", (chunk: Buffer) => {
        clearTimeout(this.#idleTimer);
        this.#reader.push(chunk);
        void this.#work();
      });
      socket.on("error", (error) => options.onConnectionError?.(error));
      socket.on("close", () => {
        this.#ended = true;
        void this.#work();
      });
    }

    get busy() {
      return this.#working || this.#lease !== null;
    }

    end() {
      this.#ended = true;
      this.socket.destroy();
    }

    async #work(): Promise<void> {
      if (this.#working) return;
      this.#working = true;
      try {
        for (;;) {
          const messages = this.#ended ? [] : this.#takeMessages();
          if (messages === null) {
            this.end();
            continue;
          }
          if (messages.length === 0) break;
          this.#lease ??= await pool.connect();
          for (const message of messages) {
            if (this.#ended) break;
            await this.#execute(message);
          }
          if (this.#backend.idle) await this.#endLease();
        }
        if (this.#ended) {
          await this.#cleanUp();
        } else if (this.#lease) {
          this.#idleTimer = setTimeout(() => this.end(), idleInTransactionMs);
        } else if (closing) {
          this.end();
          await this.#cleanUp();
        }
      } catch (error) {
        options.onConnectionError?.(error);
        this.end();
        await this.#cleanUp();
      } finally {
        this.#working = false;
      }
    }

    /** The complete messages buffered so far; null for a protocol violation. */
    #takeMessages(): Buffer[] | null {
      const messages: Buffer[] = [];
      for (;;) {
        if (!this.#started) {
          if (this.#reader.length < 8) return messages;
          const head = this.#reader.peek(8);
          const length = head.readInt32BE(0);
          const code = head.readInt32BE(4);
          if (length < 8 || length > 10_000) return null;
          if (this.#reader.length < length) return messages;
          const message = this.#reader.take(length);
          if (code === SSL_REQUEST || code === GSS_REQUEST) {
            this.socket.write("N");
            continue;
          }
          if (code === CANCEL_REQUEST) return null;
          this.#started = true;
          messages.push(message);
          continue;
        }
        if (this.#reader.length < 5) return messages;
        const length = this.#reader.peek(5).readInt32BE(1);
        if (length < 4 || length > MAX_MESSAGE_BYTES) return null;
        if (this.#reader.length < length + 1) return messages;
        const message = this.#reader.take(length + 1);
        // Terminate: the client is leaving; the backend is not told, it serves others.
        if (message[0] === 0x58) return messages.length > 0 ? messages : null;
        messages.push(message);
      }
    }

    async #execute(message: Buffer) {
      await pglite.execProtocolRawStream(new Uint8Array(message), {
        onRawData: (data) => {
          this.#backend.observe(data);
          if (!this.socket.destroyed) this.socket.write(Buffer.from(data));
        },
      });
    }

    /**
     * Leaves the backend as the owner expects it: no half-done protocol cycle, no transaction,
     * and nothing of the client's session.
     */
    async #cleanUp() {
      clearTimeout(this.#idleTimer);
      if (this.#started) {
        try {
          this.#lease ??= await pool.connect();
          if (this.#backend.lastType === 0x47) {
            await pglite.execProtocolRawStream(new Uint8Array(COPY_FAIL_MESSAGE), discardOutput);
          }
          if (this.#backend.lastType !== 0x5a) {
            await pglite.execProtocolRawStream(new Uint8Array(SYNC_MESSAGE), discardOutput);
          }
          if (pglite.isInTransaction()) {
            await pglite.execProtocolRawStream(new Uint8Array(ROLLBACK_MESSAGE), discardOutput);
          }
        } catch (error) {
          options.onConnectionError?.(error);
        }
        await this.#endLease();
      }
      connections.delete(this);
      this.#finish();
    }

    /** Undoes what the client made of the session, then gives the backend back to the owner. */
    async #endLease() {
      if (!this.#lease) return;
      try {
        await pglite.execProtocolRawStream(new Uint8Array(END_SESSION_MESSAGE), discardOutput);
      } catch (error) {
        options.onConnectionError?.(error);
      } finally {
        this.#lease?.release();
        this.#lease = null;
      }
    }
  }

  const server = createServer((socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    connections.add(new Connection(socket));
  });
  server.on("error", (error) => options.onConnectionError?.(error));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  chmodSync(socketPath, 0o600);

  return {
    socketPath,
    async close(drainMs = 5_000) {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) {
        if (!connection.busy) connection.end();
      }
      const force = setTimeout(() => {
        for (const connection of connections) connection.end();
      }, drainMs);
      await Promise.all([...connections].map((connection) => connection.finished));
      clearTimeout(force);
      await stopped;
      rmSync(socketPath, { force: true });
      try {
        rmdirSync(path.dirname(socketPath));
      } catch {
        // Not empty (someone put something there) or already gone: either way, not ours to clear.
      }
    },
  };
}
