import { CompiledQuery, type Kysely } from "kysely";
import pg from "pg";
import type { Database } from "../../db/schema.ts";
import type { ApiResponse } from "./api-client.ts";

export interface HeldRace<Change, Write> {
  change: ApiResponse<Change>;
  writes: Array<ApiResponse<Write>>;
  /**
   * Whether the change was still waiting when the writers were let through: it waited for the
   * writes in flight. Null on PGlite, where nothing is held.
   */
  changeWaited: boolean | null;
}

/** A transaction of the test's own, and a way to wait until requests wait on its locks. */
interface Holder {
  holder: pg.Client;
  /** How many of the database's sessions wait for a lock now. */
  waiting(): Promise<number>;
  /** Resolves once `condition` holds, checking every 20 ms for up to 10 s. */
  until(condition: () => Promise<boolean>): Promise<void>;
}

/** Runs `run` with a holder that has begun its transaction; the connections close after. */
async function withHolder<Result>(
  databaseUrl: string,
  run: (holding: Holder) => Promise<Result>,
): Promise<Result> {
  const holder = new pg.Client({ connectionString: databaseUrl });
  const watcher = new pg.Client({ connectionString: databaseUrl });
  await holder.connect();
  await watcher.connect();
  try {
    const waiting = async () => {
      const { rows } = await watcher.query<{ count: string }>(
        `select count(*) from pg_stat_activity
         where datname = current_database() and wait_event_type = 'Lock'`,
      );
      return Number(rows[0]!.count);
    };
    const until = async (condition: () => Promise<boolean>) => {
      const deadline = Date.now() + 10_000;
      while (!(await condition())) {
        if (Date.now() > deadline) {
          const { rows } = await watcher.query(
            `select state, wait_event_type, wait_event, left(query, 80) as query
             from pg_stat_activity where datname = current_database()`,
          );
          throw new Error(`the requests never reached their locks: ${JSON.stringify(rows)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await holder.query("begin");
    return await run({ holder, waiting, until });
  } finally {
    await holder.end();
    await watcher.end();
  }
}

/**
 * Runs writers and a change concurrently in the interleaving that lets a writer checked before
 * the change commit after it. On PostgreSQL (`databaseUrl`) a transaction of the test takes
 * `hold`, locks the writers need inside their transactions, until every writer waits on them
 * (or has answered: a writer refused before it reaches a lock answers instead); then the change
 * is sent and given time to finish or to wait as well, and only then are the writers let
 * through. On PGlite, whose single connection runs one transaction at a time, they are simply
 * sent together.
 */
export async function raceWithHeldWriters<Change, Write>(options: {
  databaseUrl: string | undefined;
  hold: (client: pg.Client) => Promise<unknown>;
  writers: () => Array<Promise<ApiResponse<Write>>>;
  change: () => Promise<ApiResponse<Change>>;
}): Promise<HeldRace<Change, Write>> {
  const { databaseUrl, hold, writers, change } = options;
  if (!databaseUrl) {
    const [changed, ...writes] = await Promise.all([change(), ...writers()]);
    return {
      change: changed as ApiResponse<Change>,
      writes: writes as Array<ApiResponse<Write>>,
      changeWaited: null,
    };
  }
  return withHolder(databaseUrl, async ({ holder, waiting, until }) => {
    await hold(holder);
    let answered = 0;
    const writes = writers().map((write) =>
      write.finally(() => {
        answered += 1;
      }),
    );
    await until(async () => answered + (await waiting()) >= writes.length);
    let changeDone = false;
    const changed = change().finally(() => {
      changeDone = true;
    });
    await until(async () => changeDone || answered + (await waiting()) > writes.length);
    const changeWaited = !changeDone;
    await holder.query("commit");
    return { change: await changed, writes: await Promise.all(writes), changeWaited };
  });
}

/** One statement of a change made by the test's own transaction. */
export interface Statement {
  text: string;
  values: unknown[];
}

/** What a member change does to the database, as `lockProjectLeads` and its callers do it. */
export const memberChange = {
  removal: (projectId: number, userId: number): Statement[] => [
    { text: "select id from projects where id = $1 for no key update", values: [projectId] },
    {
      text: "delete from project_members where project_id = $1 and user_id = $2",
      values: [projectId, userId],
    },
    {
      text: `update assignments set status = 'expired', expires_at = now()
             where user_id = $2 and status = 'reserved'
               and item_id in (select id from items where project_id = $1)`,
      values: [projectId, userId],
    },
  ],
  role: (projectId: number, userId: number, role: string): Statement[] => [
    { text: "select id from projects where id = $1 for no key update", values: [projectId] },
    {
      text: "update project_members set role = $3 where project_id = $1 and user_id = $2",
      values: [projectId, userId, role],
    },
  ],
};

/**
 * Sends a write while a change to its author's membership is under way: on PostgreSQL a
 * transaction of the test makes the change (`memberChange`), holding the project's row as member
 * changes do, waits until the write waits on it (or has answered), and only then commits. The
 * write passed its check before its transaction against the membership as it was, and must read
 * it again inside. On PGlite, whose one connection runs one transaction at a time, the change
 * commits first.
 */
export async function writeDuringMemberChange<Write>(options: {
  databaseUrl: string | undefined;
  db: Kysely<Database>;
  change: Statement[];
  write: () => Promise<ApiResponse<Write>>;
}): Promise<ApiResponse<Write>> {
  const { databaseUrl, db, change, write } = options;
  if (!databaseUrl) {
    await db.transaction().execute(async (trx) => {
      for (const { text, values } of change)
        await trx.executeQuery(CompiledQuery.raw(text, values));
    });
    return write();
  }
  return withHolder(databaseUrl, async ({ holder, waiting, until }) => {
    for (const { text, values } of change) await holder.query(text, values);
    let answered = false;
    const written = write().finally(() => {
      answered = true;
    });
    await until(async () => answered || (await waiting()) > 0);
    await holder.query("commit");
    return await written;
  });
}
