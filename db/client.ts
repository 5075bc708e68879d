import path from "node:path";
import { mkdirSync } from "node:fs";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema.ts";
import { DataDirInUseError, tryLock, type DataDirLock, type LockHolder } from "./data-dir-lock.ts";
import { listenOnPostgres, PgliteNotifications, type StopListening } from "./notifications.ts";
import { createPgliteSerialPool } from "./pglite-pool.ts";
import {
  SOCKET_FILE_NAME,
  SOCKET_PORT,
  sharePgliteOnSocket,
  socketPathFor,
  type PgliteSocketOptions,
  type PgliteSocketServer,
} from "./pglite-socket.ts";

export type DatabaseKind = "pglite" | "postgres";

export type ShareOptions = Pick<PgliteSocketOptions, "idleInTransactionMs" | "onConnectionError">;

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /**
   * Lets other local processes (the CLI) use an owned PGlite through a Unix socket; resolves
   * with the socket's path. Present only on a handle opened with `pgliteAccess: "owner"`.
   */
  share?: (options?: ShareOptions) => Promise<string>;
  /**
   * Calls `onNotify` after every committed transaction that notified `channel` (`pg_notify`),
   * whichever process ran it; over PostgreSQL, also after the listening connection was lost and
   * made again. Present on handles that own their database: PostgreSQL, and PGlite opened by its
   * owner or directly, not through a server's socket.
   */
  listen?: (channel: string, onNotify: () => void) => Promise<StopListening>;
  /** The holder of a lock this handle replaced because its process had died without a word. */
  replacedStaleLock?: LockHolder | null;
  close(): Promise<void>;
}

const INT8_OID = 20;

export interface DatabaseOptions {
  /** A postgres:// URL; without it the embedded PGlite is used. */
  databaseUrl?: string;
  /** Where PGlite keeps its files; `memory://` keeps them in memory. */
  pgliteDataDir?: string;
  maxConnections?: number;
  /**
   * How a PGlite directory is opened; PGlite is one process's database, and a lock file beside
   * the directory names that process. `owner` (the server) takes the lock or fails, naming the
   * holder, and can then share the database on a socket. `shared` (the default: the CLI and
   * tools) goes through the socket of a server that holds the lock, and otherwise takes the lock
   * and opens the directory itself.
   */
  pgliteAccess?: "owner" | "shared";
  /**
   * Called once when opening waits for another process: for a server that is still starting
   * (a guest waits for its socket, two minutes at most), or for a command that holds the
   * directory (an owner waits for it to finish, ten seconds at most).
   */
  onWait?: (holder: LockHolder) => void;
  /** How long to wait before giving up, instead of those defaults. */
  waitMs?: number;
}

/** The lock file naming the process that has a PGlite directory open. */
export function lockPathFor(pgliteDataDir: string): string {
  return `${pgliteDataDir}.lock`;
}

/**
 * One Kysely instance over either database. Counts and other int8 values come back as numbers
 * from both drivers (our counts stay far below 2^53).
 */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    return openPostgresPool(
      { connectionString: options.databaseUrl, max: options.maxConnections ?? 10 },
      "postgres",
    );
  }

  const dataDir = options.pgliteDataDir ?? "memory://";
  if (dataDir.startsWith("memory://")) return openPglite(dataDir, null, null);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (options.pgliteAccess === "owner") return openAsOwner(dataDir, options);
  return openThroughOwner(dataDir, options);
}

/**
 * Opens a PGlite directory as its owner, which may share it: refused at once while another
 * server holds it; a command that holds it is given a few seconds to finish, so that a command
 * started just before the server does not stop it from starting.
 */
async function openAsOwner(dataDir: string, options: DatabaseOptions): Promise<DatabaseHandle> {
  const socketPath = socketPathFor(dataDir);
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  let waiting = false;
  for (;;) {
    const attempt = tryLock(lockPathFor(dataDir), { role: "server", socketPath });
    if ("acquired" in attempt) return openPglite(dataDir, attempt.acquired, socketPath);
    if (attempt.heldBy.role !== "cli" || Date.now() >= deadline) {
      throw new DataDirInUseError(dataDir, attempt.heldBy);
    }
    if (!waiting) options.onWait?.(attempt.heldBy);
    waiting = true;
    await sleep(100);
  }
}

function openPostgresPool(config: pg.PoolConfig, kind: DatabaseKind): DatabaseHandle {
  const pool = new pg.Pool({
    ...config,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
    },
  });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it on the next checkout.
  });
  pool.on("connect", (client) => {
    // A checked-out client whose connection ends between two queries (an outage in the middle
    // of a transaction) reports it as an "error" event, which would otherwise crash the process:
    // its next query fails instead, and the pool drops it when it is released.
    client.on("error", () => undefined);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind,
    // Through a PGlite server's socket, a LISTEN would be made in the owner's one session.
    listen:
      kind === "postgres"
        ? (channel, onNotify) => listenOnPostgres(config, channel, onNotify)
        : undefined,
    close: () => db.destroy(),
  };
}

async function openPglite(
  dataDir: string,
  lock: DataDirLock | null,
  socketPath: string | null,
): Promise<DatabaseHandle> {
  let pglite: PGlite;
  try {
    // Loaded only here: a command that reaches the database through a server's socket, or
    // PostgreSQL, does not pay for loading PGlite.
    const { PGlite: EmbeddedPostgres } = await import("@electric-sql/pglite");
    pglite = await EmbeddedPostgres.create(dataDir, {
      parsers: { [INT8_OID]: (value: string) => Number(value) },
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const pool = createPgliteSerialPool(pglite);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const notifications = new PgliteNotifications(async (channel) => {
    await sql`listen ${sql.id(channel)}`.execute(db);
  });
  pglite.onNotification((channel) => notifications.deliver(channel));
  let shared: Promise<PgliteSocketServer> | undefined;
  return {
    db,
    kind: "pglite",
    replacedStaleLock: lock?.replaced ?? null,
    listen: (channel, onNotify) => notifications.listen(channel, onNotify),
    share: socketPath
      ? async (shareOptions) => {
          shared ??= sharePgliteOnSocket({
            pglite,
            pool,
            socketPath,
            onNotification: (channel) => notifications.deliver(channel),
            ...shareOptions,
          });
          return (await shared).socketPath;
        }
      : undefined,
    async close() {
      try {
        await shared?.then(
          (server) => server.close(),
          () => undefined,
        );
        await db.destroy();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** Whether something accepts connections on a Unix socket. */
function acceptsConnections(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path: socketPath });
    socket.setTimeout(2_000, () => socket.destroy());
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("close", () => resolve(false));
  });
}

/**
 * Opens a PGlite directory as a guest: through the socket of the server that holds it, waiting
 * while that server is still starting, or directly under the lock when no process holds it.
 */
async function openThroughOwner(
  dataDir: string,
  options: DatabaseOptions,
): Promise<DatabaseHandle> {
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  let waiting = false;
  for (;;) {
    const attempt = tryLock(lockPathFor(dataDir), { role: "cli", socketPath: null });
    if ("acquired" in attempt) return openPglite(dataDir, attempt.acquired, null);
    const holder = attempt.heldBy;
    if (!holder.socketPath || path.basename(holder.socketPath) !== SOCKET_FILE_NAME) {
      throw new DataDirInUseError(dataDir, holder);
    }
    if (await acceptsConnections(holder.socketPath)) {
      return openPostgresPool(
        {
          host: path.dirname(holder.socketPath),
          port: SOCKET_PORT,
          user: "postgres",
          database: "postgres",
          ssl: false,
          max: options.maxConnections ?? 10,
        },
        "pglite",
      );
    }
    if (Date.now() >= deadline) {
      throw new DataDirInUseError(
        dataDir,
        holder,
        `which accepts no connections on ${holder.socketPath}`,
      );
    }
    if (!waiting) options.onWait?.(holder);
    waiting = true;
    await sleep(100);
  }
}
