import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { sql, type Kysely } from "kysely";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "./client.ts";
import { migrateToLatest } from "./migrate.ts";
import { MAX_SOCKET_PATH_BYTES, SOCKET_FILE_NAME, socketPathFor } from "./pglite-socket.ts";
import type { Database } from "./schema.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(path.join(tmpdir(), "quorum-socket-"));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** A PGlite directory opened by its owner and shared on its socket, as the server does. */
async function openOwner(idleInTransactionMs?: number, parent = temporaryDirectory()) {
  const pgliteDataDir = path.join(parent, "pgdata");
  const owner = await openDatabase({ pgliteDataDir, pgliteAccess: "owner" });
  const socketPath = await owner.share!(idleInTransactionMs ? { idleInTransactionMs } : {});
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await owner.close();
  };
  cleanups.push(close);
  return { owner, pgliteDataDir, socketPath, close };
}

/** Another process's view: the CLI opens the directory the same way. */
async function openGuest(pgliteDataDir: string): Promise<DatabaseHandle> {
  const guest = await openDatabase({ pgliteDataDir, maxConnections: 2 });
  cleanups.push(() => guest.close());
  return guest;
}

async function rawClient(socketPath: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: path.dirname(socketPath),
    user: "postgres",
    database: "postgres",
  });
  client.on("error", () => undefined);
  await client.connect();
  cleanups.push(() => client.end().catch(() => undefined));
  return client;
}

class Rollback extends Error {}

/**
 * Reads the counter, waits, and writes it back plus one, in one transaction: if another
 * transaction's statements ran in between, an increment would be lost.
 */
async function increment(db: Kysely<Database>, pauseMs: number, commit: boolean) {
  try {
    await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ value: number }>`select value from counter where id = 1`.execute(
        trx,
      );
      await sleep(pauseMs);
      await sql`update counter set value = ${rows[0]!.value + 1} where id = 1`.execute(trx);
      await sql`insert into counter_log (writer) values (${pauseMs})`.execute(trx);
      if (!commit) throw new Rollback();
    });
    return true;
  } catch (error) {
    if (error instanceof Rollback) return false;
    throw error;
  }
}

const IDLE_IN_TRANSACTION_MS = 400;
let shared: Awaited<ReturnType<typeof openOwner>>;

beforeAll(async () => {
  shared = await openOwner(IDLE_IN_TRANSACTION_MS);
  // The owner and its directory outlive each test's clean-ups.
  const ownerCleanups = cleanups.splice(0);
  afterAll(async () => {
    for (const cleanup of ownerCleanups.reverse()) await cleanup();
  });
});

describe("a PGlite shared on a Unix socket", { timeout: 120_000 }, () => {
  it("never interleaves a transaction from the socket with the owner's or another's", async () => {
    const { owner, pgliteDataDir } = shared;
    await sql`create table counter (id int primary key, value int not null)`.execute(owner.db);
    await sql`create table counter_log (id serial primary key, writer int not null)`.execute(
      owner.db,
    );
    await sql`insert into counter values (1, 0)`.execute(owner.db);
    const guests = [await openGuest(pgliteDataDir), await openGuest(pgliteDataDir)];
    const writers = [owner.db, ...guests.map((guest) => guest.db)];

    let expected = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            writer: fc.integer({ min: 0, max: writers.length - 1 }),
            pauseMs: fc.integer({ min: 0, max: 4 }),
            commit: fc.boolean(),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (transactions) => {
          const committed = await Promise.all(
            transactions.map(({ writer, pauseMs, commit }) =>
              increment(writers[writer]!, pauseMs, commit),
            ),
          );
          expected += committed.filter(Boolean).length;
          const { rows } = await sql<{
            value: number;
            logged: number;
          }>`select value, (select count(*)::int from counter_log) as logged from counter`.execute(
            owner.db,
          );
          expect(rows[0]).toEqual({ value: expected, logged: expected });
        },
      ),
      { numRuns: 25 },
    );
  });

  it("rolls back and lets the owner go on when a client leaves inside a transaction", async () => {
    const { owner, socketPath } = shared;
    await sql`create table left_notes (text text not null)`.execute(owner.db);
    const client = await rawClient(socketPath);
    await client.query("begin");
    await client.query("insert into left_notes values ('from the socket')");
    const ownerWrite = sql`insert into left_notes values ('from the owner')`.execute(owner.db);
    await sleep(100);
    expect(await Promise.race([ownerWrite.then(() => "done"), sleep(50, "waiting")])).toBe(
      "waiting",
    );
    await client.end();
    await ownerWrite;
    const { rows } = await sql<{ text: string }>`select text from left_notes`.execute(owner.db);
    expect(rows.map((row) => row.text)).toEqual(["from the owner"]);
  });

  it("keeps a client's session settings, temporary tables and locks from reaching the owner", async () => {
    const { owner, socketPath } = shared;
    await sql`create table settings_notes (text text not null)`.execute(owner.db);
    const client = await rawClient(socketPath);
    // pg_dump's first statement: with it in force, the owner's unqualified names would fail.
    await client.query("select pg_catalog.set_config('search_path', '', false)");
    await client.query("set statement_timeout = 1");
    await client.query("create temporary table settings_notes (shadow boolean)");
    await client.query("select pg_advisory_lock(4242)");
    await sql`insert into settings_notes values ('from the owner')`.execute(owner.db);
    await sql`select pg_sleep(0.01)`.execute(owner.db);
    // Within its transaction a client's settings hold, as PostgreSQL's do.
    await client.query("begin");
    await client.query("set search_path = ''");
    await expect(client.query("select count(*) from settings_notes")).rejects.toThrow(
      /does not exist/,
    );
    await client.query("rollback");
    await client.end();
    await sleep(50);
    const { rows } = await sql<{
      text: string;
    }>`select text from settings_notes`.execute(owner.db);
    expect(rows.map((row) => row.text)).toEqual(["from the owner"]);
    const lock = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(4242) as locked`.execute(owner.db);
    expect(lock.rows[0]?.locked).toBe(true);
  });

  it("closes a client that keeps a transaction open without a word", async () => {
    const { owner, socketPath } = shared;
    await sql`create table idle_notes (text text not null)`.execute(owner.db);
    const client = await rawClient(socketPath);
    await client.query("begin");
    await client.query("insert into idle_notes values ('abandoned')");
    const started = Date.now();
    await sql`insert into idle_notes values ('from the owner')`.execute(owner.db);
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_IN_TRANSACTION_MS - 50);
    await expect(client.query("commit")).rejects.toThrow();
    const { rows } = await sql<{ text: string }>`select text from idle_notes`.execute(owner.db);
    expect(rows.map((row) => row.text)).toEqual(["from the owner"]);
  });

  it("recovers from a client that leaves in the middle of an extended-protocol exchange", async () => {
    const { owner, socketPath } = shared;
    const client = await rawClient(socketPath);
    // Parse and Bind without Sync: the backend is inside a cycle when the client goes.
    const parse = protocolMessage("P", Buffer.from("\0select 1\0\0\0"));
    const bind = protocolMessage("B", Buffer.from("\0\0\0\0\0\0\0\0"));
    const connection = (client as unknown as { connection: { stream: NodeJS.WritableStream } })
      .connection;
    connection.stream.write(Buffer.concat([parse, bind]));
    await sleep(50);
    const waiting = sql<{ answer: number }>`select 42 as answer`.execute(owner.db);
    expect(await Promise.race([waiting.then(() => "done"), sleep(50, "waiting")])).toBe("waiting");
    await client.end();
    expect((await waiting).rows).toEqual([{ answer: 42 }]);
  });

  it("carries large statements, errors and types as PostgreSQL does", async () => {
    const { owner, pgliteDataDir } = shared;
    const guest = await openGuest(pgliteDataDir);
    const large = "x".repeat(8 * 1024 * 1024);
    const { rows } = await sql<{
      length: number;
      big: number;
      at: Date;
      doc: { a: number[] };
    }>`select length(${large}::text) as length, 9007199254740991::int8 as big, now() as at, '{"a":[1,2]}'::jsonb as doc`.execute(
      guest.db,
    );
    expect(rows[0]).toMatchObject({
      length: large.length,
      big: 9007199254740991,
      doc: { a: [1, 2] },
    });
    expect(rows[0]!.at).toBeInstanceOf(Date);
    await expect(sql`select * from no_such_table`.execute(guest.db)).rejects.toThrow(
      /no_such_table/,
    );
    await expect(
      guest.db.transaction().execute(async (trx) => {
        await sql`select 1 / 0`.execute(trx);
      }),
    ).rejects.toThrow(/division by zero/);
    const after = await sql<{ one: number }>`select 1 as one`.execute(owner.db);
    expect(after.rows).toEqual([{ one: 1 }]);
  });

  it("migrates once when the owner and a client migrate at the same time", async () => {
    const { owner, pgliteDataDir } = shared;
    const guest = await openGuest(pgliteDataDir);
    const [byOwner, byGuest] = await Promise.all([
      migrateToLatest(owner.db),
      migrateToLatest(guest.db),
    ]);
    const { rows } = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(owner.db);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length);
    expect([...byOwner, ...byGuest].sort()).toEqual(rows.map((row) => row.name));
  });

  it("keeps the socket to its user and lets a client finish its transaction on close", async () => {
    // What a killed owner leaves: its socket file, here in a directory others may read.
    const parent = temporaryDirectory();
    mkdirSync(path.join(parent, "run"), { mode: 0o755 });
    writeFileSync(path.join(parent, "run", SOCKET_FILE_NAME), "left by a killed server");
    const { owner, pgliteDataDir, socketPath, close } = await openOwner(undefined, parent);
    expect(statSync(socketPath).isSocket()).toBe(true);
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(socketPath)).mode & 0o777).toBe(0o700);
    await sql`create table notes (text text not null)`.execute(owner.db);
    const client = await rawClient(socketPath);
    await client.query("begin");
    const closing = close();
    await sleep(100);
    await client.query("insert into notes values ('finished while closing')");
    await client.query("commit");
    await closing;
    expect(existsSync(socketPath)).toBe(false);
    const reopened = await openDatabase({ pgliteDataDir });
    cleanups.push(() => reopened.close());
    const { rows } = await sql<{ text: string }>`select text from notes`.execute(reopened.db);
    expect(rows).toEqual([{ text: "finished while closing" }]);
  });

  it("falls back to a private directory when the data directory's path is too long", async () => {
    let deep = temporaryDirectory();
    while (deep.length < 120) deep = path.join(deep, "a-rather-long-directory-name");
    const pgliteDataDir = path.join(deep, "pgdata");
    expect(Buffer.byteLength(path.join(deep, "run", SOCKET_FILE_NAME))).toBeGreaterThan(
      MAX_SOCKET_PATH_BYTES,
    );
    mkdirSync(deep, { recursive: true });
    const socketPath = socketPathFor(pgliteDataDir);
    expect(Buffer.byteLength(socketPath)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    expect(socketPath.startsWith(deep)).toBe(false);
    const owner = await openDatabase({ pgliteDataDir, pgliteAccess: "owner" });
    cleanups.push(() => owner.close());
    expect(await owner.share!()).toBe(socketPath);
    const guest = await openGuest(pgliteDataDir);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(guest.db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});

function protocolMessage(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
