import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../tests/setup/database.ts";

const postgres = Boolean(process.env.DATABASE_URL);

describe.skipIf(!postgres)("the PostgreSQL pool", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let admin: pg.Client;

  beforeAll(async () => {
    database = await openTestDatabase();
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it("outlives a connection that ends while a transaction holds it between two queries", async () => {
    const outcome = database.db.transaction().execute(async (transaction) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(
        transaction,
      );
      await admin.query("select pg_terminate_backend($1)", [rows[0]?.pid]);
      // The client hears of the end while nobody is querying it: an "error" event that, without
      // a listener, is an uncaught exception that ends the process (and fails this run).
      await delay(300);
      await sql`select 1`.execute(transaction);
    });
    await expect(outcome).rejects.toThrow();
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
