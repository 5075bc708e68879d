import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Runs `acquire` in a transaction of its own and keeps the transaction open, with whatever it
 * locked, until `release` is called; resolves once `acquire` is done. Lets a test make a write
 * wait on a lock while it does something else in between.
 */
export async function holdInTransaction(
  db: Kysely<Database>,
  acquire: (trx: Transaction<Database>) => Promise<unknown>,
): Promise<HeldLock> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let acquired!: () => void;
  const isAcquired = new Promise<void>((resolve) => {
    acquired = resolve;
  });
  const holding = db.transaction().execute(async (trx) => {
    await acquire(trx);
    acquired();
    await released;
  });
  await Promise.race([isAcquired, holding]);
  return {
    async release() {
      release();
      await holding;
    },
  };
}

/** Locks an item's row `for update`, as a publish does, until `release` is called. */
export function holdItemRow(db: Kysely<Database>, itemId: number): Promise<HeldLock> {
  return holdInTransaction(db, (trx) =>
    trx.selectFrom("items").select("id").where("id", "=", itemId).forUpdate().execute(),
  );
}

/**
 * Locks a whole table `in access exclusive mode` (PostgreSQL) until `release` is called: every
 * statement that reads the table waits meanwhile, so a request that reads it stays under way for
 * as long as the test needs.
 */
export function holdTable(db: Kysely<Database>, table: keyof Database & string): Promise<HeldLock> {
  return holdInTransaction(db, (trx) =>
    sql`lock table ${sql.table(table)} in access exclusive mode`.execute(trx),
  );
}
