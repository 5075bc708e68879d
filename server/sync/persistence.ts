import type { Kysely } from "kysely";
import { CompiledQuery, sql } from "kysely";
import * as Y from "yjs";
import type { Database } from "../../db/schema.ts";
import { mergeOnThisThread, type MergeDocument } from "./document-merger.ts";

/**
 * A room's durable state: a snapshot (`room_snapshots.state`) and the updates logged since
 * (`room_updates`). Updates are appended before anyone else sees them; compaction merges the log
 * into the snapshot and deletes the merged rows in one transaction.
 */
export interface StoredRoom {
  /** The snapshot (when there is one) followed by every logged update, oldest first. */
  updates: Uint8Array[];
  snapshotBytes: number;
  logRows: number;
  logBytes: number;
}

/** Rows deleted per statement, well below PostgreSQL's limit of 65,535 bind parameters. */
const deleteChunk = 10_000;

/**
 * Reads the snapshot and the log in one repeatable-read transaction, so a compaction that
 * commits meanwhile cannot make a merged update vanish from both. Every remaining row is read,
 * not only those above `last_update_id`: identity values are taken at insert and rows commit
 * in any order, so a row with a smaller id can commit after a compaction; compaction therefore
 * deletes exactly the rows it merged, and whatever is still in the log is not in the snapshot.
 */
export async function loadStoredRoom(db: Kysely<Database>, docName: string): Promise<StoredRoom> {
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (transaction) => {
      const snapshot = await transaction
        .selectFrom("room_snapshots")
        .select("state")
        .where("doc_name", "=", docName)
        .executeTakeFirst();
      const log = await transaction
        .selectFrom("room_updates")
        .select("update")
        .where("doc_name", "=", docName)
        .orderBy("id")
        .execute();
      const logged = log.map((row) => row.update);
      return {
        updates: snapshot ? [snapshot.state, ...logged] : logged,
        snapshotBytes: snapshot?.state.length ?? 0,
        logRows: logged.length,
        logBytes: logged.reduce((total, update) => total + update.length, 0),
      };
    });
}

/**
 * The INSERT for a given number of rows; the statement text depends on nothing else. Batches of
 * up to `cachedStatementRows` rows, nearly all of them, reuse a statement built once; the rare
 * larger backlog builds its own.
 */
const appendStatements = new Map<number, string>();
const cachedStatementRows = 64;

function appendStatement(rows: number): string {
  let statement = appendStatements.get(rows);
  if (statement === undefined) {
    const values = Array.from({ length: rows }, (_, row) => `($${2 * row + 1}, $${2 * row + 2})`);
    statement = `insert into room_updates (doc_name, update) values ${values.join(", ")}`;
    if (rows <= cachedStatementRows) appendStatements.set(rows, statement);
  }
  return statement;
}

/**
 * Appends updates to rooms' logs in one statement: one commit for a whole batch. This is the
 * sync server's hot path, run for every batch of edits, so the statement text is built once per
 * row count instead of through the query builder each time.
 */
async function appendToLogs(
  db: Kysely<Database>,
  rows: Array<{ doc_name: string; update: Uint8Array }>,
): Promise<void> {
  const parameters = rows.flatMap((row) => [row.doc_name, row.update]);
  await db.executeQuery(CompiledQuery.raw(appendStatement(rows.length), parameters));
}

interface AppendRequest {
  docName: string;
  updates: Uint8Array[];
  resolve(): void;
  reject(error: unknown): void;
}

/** Rows per INSERT, well below PostgreSQL's limit of 65,535 bind parameters (two per row). */
const maxRowsPerInsert = 5_000;

/**
 * Group commit across rooms. Each room has at most one append outstanding, and queues what
 * arrives meanwhile for its next (group commit per room); this writer also puts the appends of
 * different rooms that wait at the same moment into one INSERT, so that a thousand busy rooms
 * cost tens of commits a second rather than thousands. At most `concurrency` INSERTs run at once.
 * When a combined INSERT fails, each room's append is retried on its own, so that one room's
 * failure is not every room's.
 */
export class RoomLogWriter {
  private readonly waiting: AppendRequest[] = [];
  private running = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly concurrency = 1,
  ) {}

  /** Resolves once the updates are committed, in order, to the room's log. */
  append(docName: string, updates: Uint8Array[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ docName, updates, resolve, reject });
      this.startWriting();
    });
  }

  private startWriting(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const batch: AppendRequest[] = [];
      let rows = 0;
      while (this.waiting.length > 0 && rows < maxRowsPerInsert) {
        const request = this.waiting.shift() as AppendRequest;
        batch.push(request);
        rows += request.updates.length;
      }
      this.running += 1;
      void this.write(batch).finally(() => {
        this.running -= 1;
        this.startWriting();
      });
    }
  }

  private async write(batch: AppendRequest[]): Promise<void> {
    try {
      await appendToLogs(this.db, batch.flatMap(rowsOf));
      for (const request of batch) request.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
    }
    await Promise.all(
      batch.map((request) =>
        appendToLogs(this.db, rowsOf(request)).then(request.resolve, request.reject),
      ),
    );
  }
}

function rowsOf(request: AppendRequest): Array<{ doc_name: string; update: Uint8Array }> {
  return request.updates.map((update) => ({ doc_name: request.docName, update }));
}

export interface Compaction {
  mergedRows: number;
  mergedBytes: number;
  snapshotBytes: number;
}

/**
 * Merges a room's log into its snapshot and deletes the merged rows, in one transaction. The
 * snapshot row is locked first (created when missing), so instances sharing the database never
 * compact one room at the same time; the second waits, then merges whatever the first left.
 * The merge (document-merger.ts) garbage-collects deleted content; the server runs it in a
 * thread of its own. Returns null when there was nothing to merge.
 */
export async function compactRoomLog(
  db: Kysely<Database>,
  docName: string,
  merge: MergeDocument = mergeOnThisThread,
): Promise<Compaction | null> {
  return db.transaction().execute(async (transaction) => {
    await transaction
      .insertInto("room_snapshots")
      .values({ doc_name: docName, state: Y.encodeStateAsUpdate(new Y.Doc()) })
      .onConflict((conflict) => conflict.column("doc_name").doNothing())
      .execute();
    const snapshot = await transaction
      .selectFrom("room_snapshots")
      .select(["state", "last_update_id"])
      .where("doc_name", "=", docName)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const log = await transaction
      .selectFrom("room_updates")
      .select(["id", "update"])
      .where("doc_name", "=", docName)
      .orderBy("id")
      .execute();
    if (log.length === 0) return null;

    const state = await merge([snapshot.state, ...log.map((row) => row.update)]);

    const ids = log.map((row) => row.id);
    await transaction
      .updateTable("room_snapshots")
      .set({
        state,
        last_update_id: sql<number>`greatest(last_update_id, ${ids[ids.length - 1]})`,
        updated_at: new Date(),
      })
      .where("doc_name", "=", docName)
      .execute();
    for (let start = 0; start < ids.length; start += deleteChunk) {
      await transaction
        .deleteFrom("room_updates")
        .where("id", "in", ids.slice(start, start + deleteChunk))
        .execute();
    }
    return {
      mergedRows: log.length,
      mergedBytes: log.reduce((total, row) => total + row.update.length, 0),
      snapshotBytes: state.length,
    };
  });
}

interface CompactionRequest {
  docName: string;
  resolve(compaction: Compaction | null): void;
  reject(error: unknown): void;
}

/**
 * Runs the compactions of all rooms one (or `concurrency`) at a time, in the order they fell
 * due. Compaction is background work that no edit waits for, but rooms that started together
 * pass the threshold together: run at once, hundreds of compactions took every pooled
 * connection, and the appends that edits wait for queued behind them for over a second. A
 * queue keeps compaction to one connection and spreads its CPU over time. With `restRatio`,
 * each slot rests after a compaction for that many times as long as the compaction took before
 * it starts the next: run back to back, 500 rooms' compactions kept PostgreSQL busy for seconds
 * on end, and every relay waited for its commits behind them.
 */
export class RoomCompactor {
  private readonly waiting: CompactionRequest[] = [];
  private running = 0;
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly concurrency = 1,
    private readonly merge: MergeDocument = mergeOnThisThread,
    private readonly restRatio = 0,
  ) {}

  /**
   * Resolves with what the room's compaction merged, once its turn came and it ran; with null
   * when there was nothing to merge or the compactor closed before its turn.
   */
  compact(docName: string): Promise<Compaction | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.waiting.push({ docName, resolve, reject });
      this.startCompacting();
    });
  }

  /** Compactions not yet started are dropped: the logs they would merge stay valid as they are. */
  close(): void {
    this.closed = true;
    for (const request of this.waiting.splice(0)) request.resolve(null);
  }

  private startCompacting(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const request = this.waiting.shift() as CompactionRequest;
      this.running += 1;
      const started = performance.now();
      void compactRoomLog(this.db, request.docName, this.merge)
        .then(request.resolve, request.reject)
        .finally(() => {
          const restMs = (performance.now() - started) * this.restRatio;
          const next = () => {
            this.running -= 1;
            this.startCompacting();
          };
          if (restMs > 0 && this.waiting.length > 0) setTimeout(next, restMs).unref();
          else next();
        });
    }
  }
}
