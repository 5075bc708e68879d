import { PGlite } from "@electric-sql/pglite";
import { amcheck } from "@electric-sql/pglite/contrib/amcheck";
import { lockPathFor } from "../../db/client.ts";
import { DataDirInUseError, tryLock } from "../../db/data-dir-lock.ts";

export interface IntegrityReport {
  /** B-tree indexes checked with `bt_index_parent_check` (every tuple, root descent). */
  indexes: number;
  /** Tables checked with `verify_heapam`, their TOAST included. */
  tables: number;
  problems: string[];
}

/**
 * Runs PostgreSQL's amcheck over every B-tree index and every table of a PGlite directory, which
 * it opens under the directory's lock, as a process would. The extension is dropped again, so the
 * directory is left as it was found.
 */
export async function checkPgliteIntegrity(pgliteDataDir: string): Promise<IntegrityReport> {
  const attempt = tryLock(lockPathFor(pgliteDataDir), { role: "cli", socketPath: null });
  if ("heldBy" in attempt) throw new DataDirInUseError(pgliteDataDir, attempt.heldBy);
  try {
    const pglite = await PGlite.create(pgliteDataDir, { extensions: { amcheck } });
    try {
      await pglite.exec("create extension if not exists amcheck");
      const indexes = await pglite.query<{ oid: number; name: string }>(
        `select c.oid::int as oid, c.oid::regclass::text as name
           from pg_class c join pg_am am on am.oid = c.relam
          where c.relkind = 'i' and am.amname = 'btree' and c.relpersistence = 'p'`,
      );
      const tables = await pglite.query<{ oid: number; name: string }>(
        `select c.oid::int as oid, c.oid::regclass::text as name
           from pg_class c where c.relkind in ('r', 'm') and c.relpersistence = 'p'`,
      );
      const problems: string[] = [];
      for (const index of indexes.rows) {
        try {
          await pglite.query("select bt_index_parent_check($1::oid::regclass, true, true)", [
            index.oid,
          ]);
        } catch (error) {
          problems.push(`${index.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      for (const table of tables.rows) {
        const corrupt = await pglite.query<{ blkno: number; offnum: number; msg: string }>(
          "select blkno, offnum, msg from verify_heapam($1::oid::regclass, check_toast => true)",
          [table.oid],
        );
        for (const row of corrupt.rows) {
          problems.push(`${table.name} block ${row.blkno} item ${row.offnum}: ${row.msg}`);
        }
      }
      await pglite.exec("drop extension amcheck");
      return { indexes: indexes.rows.length, tables: tables.rows.length, problems };
    } finally {
      await pglite.close();
    }
  } finally {
    attempt.acquired.release();
  }
}
