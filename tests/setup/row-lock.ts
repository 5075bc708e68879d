import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

/**
 * Locks an item's row `for update` in a transaction of its own, as a publish does, until
 * `release` is called; resolves once the lock is held. Lets a test make a write wait on the row
 * while it does something else in between.
 */
export async function holdItemRow(
  db: Kysely<Database>,
  itemId: number,
): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const holding = db.transaction().execute(async (trx) => {
    await trx.selectFrom("items").select("id").where("id", "=", itemId).forUpdate().execute();
    locked();
    await released;
  });
  await Promise.race([isLocked, holding]);
  return {
    async release() {
      release();
      await holding;
    },
  };
}
