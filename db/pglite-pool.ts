import type { PGlite } from "@electric-sql/pglite";
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";

type Command = PostgresQueryResult<unknown>["command"];

const reportedCommands = new Set<string>([
  "UPDATE",
  "DELETE",
  "INSERT",
  "SELECT",
  "MERGE",
  "COMMIT",
  "ROLLBACK",
]);

/** The command tag PostgreSQL would report, read from the statement (after any CTE). */
function commandOf(statement: string): Command {
  const withoutCte = statement.replace(
    /^\s*with\b[\s\S]*?\)\s*(?=(insert|update|delete|select|merge)\b)/i,
    "",
  );
  const keyword = /^\s*(\w+)/.exec(withoutCte)?.[1]?.toUpperCase() ?? "SELECT";
  return (reportedCommands.has(keyword) ? keyword : "SELECT") as Command;
}

/**
 * PGlite is one connection in one process. This adapter gives it the shape of a `pg` pool for
 * Kysely's PostgresDialect, so that both databases share one dialect and one code path. A
 * connection is held exclusively from `connect()` to `release()`: a transaction can never
 * interleave with another caller's statements.
 */
export function createPgliteSerialPool(database: PGlite): PostgresPool {
  let tail: Promise<void> = Promise.resolve();

  return {
    async connect(): Promise<PostgresPoolClient> {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const previous = tail;
      tail = previous.then(() => held);
      await previous;
      let released = false;
      const client = {
        async query(statement: string, parameters: ReadonlyArray<unknown>) {
          const result = await database.query(statement, [...parameters]);
          return {
            command: commandOf(statement),
            rowCount: result.affectedRows ?? result.rows.length,
            rows: result.rows,
          };
        },
        release() {
          if (released) return;
          released = true;
          release();
        },
      };
      return client as PostgresPoolClient;
    },
    async end() {
      await tail;
    },
  };
}
