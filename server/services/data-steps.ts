import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { quoteStoredSpans } from "./quote-stored-spans.ts";
import { recheckSettledItems } from "./recheck-settled.ts";

/**
 * Data steps by name: work a migration asks for (by inserting its name into `data_steps`) that
 * needs the application's rules, which a frozen migration must not import. Each runs once, in
 * one transaction, the first time a server or the CLI opens the migrated database.
 */
const steps: Record<string, (trx: Kysely<Database>) => Promise<unknown>> = {
  "20261205040000_recheck_settled_items": recheckSettledItems,
  "20261205050000_quote_stored_spans": quoteStoredSpans,
};

export interface DataStepRun {
  name: string;
  outcome: unknown;
}

/**
 * Runs the pending data steps, in name order, each in a transaction that holds its row: of two
 * processes starting at once, one runs a step and the other waits, then finds it done. A step
 * this version does not know (a database that a newer version migrated) stays pending.
 * Returns the steps it ran, with what each reported.
 */
export async function runDataSteps(db: Kysely<Database>): Promise<DataStepRun[]> {
  const pending = await db
    .selectFrom("data_steps")
    .select("name")
    .where("done_at", "is", null)
    .orderBy("name")
    .execute();
  const runs: DataStepRun[] = [];
  for (const { name } of pending) {
    const step = steps[name];
    if (!step) continue;
    const run = await db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("data_steps")
        .select("done_at")
        .where("name", "=", name)
        .forUpdate()
        .executeTakeFirst();
      if (!row || row.done_at !== null) return undefined;
      const outcome = await step(trx);
      await trx
        .updateTable("data_steps")
        .set({ done_at: new Date(), outcome: JSON.stringify(outcome ?? null) })
        .where("name", "=", name)
        .execute();
      return { name, outcome };
    });
    if (run) runs.push(run);
  }
  return runs;
}
