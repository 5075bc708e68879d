import type { Kysely } from "kysely";
import { CompiledQuery, sql } from "kysely";
import * as Y from "yjs";
import type { Database } from "../../db/schema.ts";
import { mergeOnThisThread, type MergeDocument } from "./document-merger.ts";
import { itemIdOf } from "./document-name.ts";

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
 * Reads the snapshot and the log in one statement, so a compaction that commits meanwhile cannot
 * make a merged update vanish from both; being one statement, it reads one consistent state in
 * any transaction, also inside one that holds the item's row lock (publish.ts). Every remaining
 * row is read, not only those above `last_update_id`: identity values are taken at insert and
 * rows commit in any order, so a row with a smaller id can commit after a compaction; compaction
 * therefore deletes exactly the rows it merged, and whatever is still in the log is not in the
 * snapshot.
 */
export async function loadStoredRoom(db: Kysely<Database>, docName: string): Promise<StoredRoom> {
  const { rows } = await sql<{ snapshot: boolean; update: Uint8Array }>`
    select true as snapshot, state as "update", 0::bigint as id
      from room_snapshots where doc_name = ${docName}
    union all
    select false, "update", id from room_updates where doc_name = ${docName}
    order by snapshot desc, id`.execute(db);
  const snapshot = rows[0]?.snapshot ? rows[0].update : undefined;
  const logged = rows.filter((row) => !row.snapshot).map((row) => row.update);
  return {
    updates: rows.map((row) => row.update),
    snapshotBytes: snapshot?.length ?? 0,
    logRows: logged.length,
    logBytes: logged.reduce((total, update) => total + update.length, 0),
  };
}

/** An update for a room's log. */
export interface LogRow {
  update: Uint8Array;
  /**
   * A participant's update, which an item's room takes only while the item is not published;
   * the server's own writes (which publish and reopen the room) are stored whatever the status.
   */
  fromParticipant: boolean;
}

/** How an append ended. */
export interface Appended {
  /**
   * The participants' updates were not stored, the server's were: the room's item is published
   * (or gone). Each room's participant rows share that one condition, so none of them was.
   */
  participantsRefused: boolean;
}

/**
 * The statement for a given number of rows; its text depends on nothing else. Batches of up to
 * `cachedStatementRows` rows, nearly all of them, reuse a statement built once; the rare larger
 * backlog builds its own.
 *
 * A participant's row names its item (`item_id`), and is stored only if that item is not
 * published, decided under a key-share lock of the item's row: a publish holds the row `for
 * update` from before it reads the draft until it commits (publish.ts), so an append either
 * commits before the draft is read, and is in the version, or waits and then finds the item
 * published. The weakest lock that a publish's waits for: the item's other updates (its status,
 * counts and clocks) take locks that do not conflict with it, so edits never wait for them. Rows
 * without an item (the server's, review rooms') are stored unconditionally. The statement
 * returns the rooms whose participant rows it refused.
 */
const appendStatements = new Map<number, string>();
const cachedStatementRows = 64;

function appendStatement(rows: number): string {
  let statement = appendStatements.get(rows);
  if (statement === undefined) {
    const values = Array.from(
      { length: rows },
      (_, row) => `($${3 * row + 1}::text, $${3 * row + 2}::bytea, $${3 * row + 3}::integer)`,
    );
    statement = [
      `with incoming (doc_name, update, item_id) as (values ${values.join(", ")}),`,
      "open_items as (select id from items",
      " where id in (select item_id from incoming) and status <> 'published'",
      " order by id for key share),",
      "stored as (insert into room_updates (doc_name, update)",
      " select doc_name, update from incoming",
      " where item_id is null or item_id in (select id from open_items))",
      "select distinct doc_name from incoming",
      " where item_id is not null and item_id not in (select id from open_items)",
    ].join("\n");
    if (rows <= cachedStatementRows) appendStatements.set(rows, statement);
  }
  return statement;
}

/**
 * Appends updates to rooms' logs in one statement: one commit for a whole batch. This is the
 * sync server's hot path, run for every batch of edits, so the statement text is built once per
 * row count instead of through the query builder each time. Returns the rooms whose
 * participants' rows were refused.
 */
export async function appendToLogs(
  db: Kysely<Database>,
  requests: ReadonlyArray<Pick<AppendRequest, "docName" | "rows">>,
): Promise<Set<string>> {
  const parameters = requests.flatMap((request) => {
    const item = itemIdOf(request.docName);
    return request.rows.flatMap((row) => [
      request.docName,
      row.update,
      row.fromParticipant ? item : null,
    ]);
  });
  const rows = requests.reduce((total, request) => total + request.rows.length, 0);
  const refused = await db.executeQuery<{ doc_name: string }>(
    CompiledQuery.raw(appendStatement(rows), parameters),
  );
  return new Set(refused.rows.map((row) => row.doc_name));
}

interface AppendRequest {
  docName: string;
  rows: ReadonlyArray<LogRow>;
  resolve(appended: Appended): void;
  reject(error: unknown): void;
}

/** Rows per INSERT, well below PostgreSQL's limit of 65,535 bind parameters (three per row). */
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

  /**
   * Resolves once the rows are committed, in order, to the room's log, or the participants'
   * among them refused (`Appended`).
   */
  append(docName: string, rows: ReadonlyArray<LogRow>): Promise<Appended> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ docName, rows, resolve, reject });
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
        rows += request.rows.length;
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
      const refused = await appendToLogs(this.db, batch);
      for (const request of batch) request.resolve(outcome(request, refused));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
    }
    await Promise.all(
      batch.map((request) =>
        appendToLogs(this.db, [request]).then(
          (refused) => request.resolve(outcome(request, refused)),
          request.reject,
        ),
      ),
    );
  }
}

function outcome(request: AppendRequest, refused: ReadonlySet<string>): Appended {
  return { participantsRefused: refused.has(request.docName) };
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
