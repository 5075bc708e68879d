import { Migrator, sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../db/client.ts";
import { migrations } from "../../db/migrations/index.ts";
import type { Database } from "../../db/schema.ts";
import { createTestDatabase, type TestDatabase } from "../setup/database.ts";

const migration = "20261205060000_working_time";
const before = Object.keys(migrations)
  .sort()
  .filter((name) => name < migration)
  .at(-1)!;

let testDatabase: TestDatabase;
let handle: DatabaseHandle;
let db: Kysely<Database>;
let migrator: Migrator;

beforeAll(async () => {
  testDatabase = await createTestDatabase({ empty: true });
  handle = await openDatabase({
    databaseUrl: testDatabase.databaseUrl,
    pgliteDataDir: testDatabase.databaseUrl ? undefined : "memory://",
  });
  db = handle.db;
  migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateTo(before);
  if (error) throw error;
});

afterAll(async () => {
  await handle?.close();
  await testDatabase?.drop();
});

const second = 1_000;
const day = 24 * 3_600 * second;

describe(`migration ${migration}`, () => {
  it("cuts stored claims to their reservation's wall time and marks older versions' time", async () => {
    const { rows: users } = await sql<{ id: number }>`
      insert into users (email, name, password_hash)
      values ('ada@example.test', 'Ada', 'x'), ('bo@example.test', 'Bo', 'x')
      returning id
    `.execute(db);
    const { rows: projects } = await sql<{ id: number }>`
      insert into projects (name, template)
      values ('Legacy', '{"fields": [{"id": "verdict", "type": "text", "label": "Verdict"}]}')
      returning id
    `.execute(db);
    const projectId = projects[0].id;
    const itemIds: number[] = [];
    for (const externalId of ["inflated", "honest", "imported"]) {
      const { rows } = await sql<{ id: number }>`
        insert into items (project_id, external_id, prompt, responses, content_hash)
        values (${projectId}, ${externalId}, '"Dose?"', '[{"id": "a", "text": "5 mg"}]', ${externalId})
        returning id
      `.execute(db);
      itemIds.push(rows[0].id);
    }
    const [inflated, honest, imported] = itemIds;
    const [ada, bo] = users.map((user) => user.id);
    const submittedAt = new Date("2026-11-30T12:00:00Z");
    // Seven days claimed on an item reserved five seconds before; 46 s claimed on one reserved
    // a minute before; an imported label's claim, whose reservation is made up from it.
    const labels: Array<[number, number, number, string, number]> = [
      [inflated, ada, 7 * day, "quorum", 5 * second],
      [honest, ada, 46 * second, "quorum", 60 * second],
      [imported, bo, 3 * day, "import", 0],
    ];
    for (const [itemId, userId, durationMs, source, reservedBefore] of labels) {
      await sql`
        insert into assignments (item_id, user_id, status, reserved_at, expires_at, completed_at)
        values (${itemId}, ${userId}, 'submitted', ${new Date(submittedAt.getTime() - reservedBefore)},
          ${new Date(submittedAt.getTime() + day)}, ${submittedAt})
      `.execute(db);
      await sql`
        insert into annotations (item_id, user_id, label, duration_ms, source, submitted_at)
        values (${itemId}, ${userId}, '{"verdict": "ok"}', ${durationMs}, ${source}, ${submittedAt})
      `.execute(db);
    }
    await sql`
      insert into adjudications (item_id, version, label, time_spent_ms)
      values (${honest}, 1, '{"verdict": "ok"}', 86400000)
    `.execute(db);

    const { error } = await migrator.migrateTo(migration);
    if (error) throw error;

    const stored = await db
      .selectFrom("annotations")
      .select(["item_id", "duration_ms", "active_ms"])
      .orderBy("item_id")
      .execute();
    expect(stored).toEqual([
      { item_id: inflated, duration_ms: 5 * second, active_ms: null },
      { item_id: honest, duration_ms: 46 * second, active_ms: null },
      { item_id: imported, duration_ms: 3 * day, active_ms: null },
    ]);
    const assignments = await db
      .selectFrom("assignments")
      .select(["active_ms", "last_active_at"])
      .execute();
    expect(new Set(assignments.map((row) => JSON.stringify(row)))).toEqual(
      new Set([JSON.stringify({ active_ms: 0, last_active_at: null })]),
    );

    // A version stored before keeps its wall-clock figure (versions are immutable) and says so;
    // one stored from now on holds person-time.
    await sql`
      insert into adjudications (item_id, version, label, time_spent_ms)
      values (${honest}, 2, '{"verdict": "ok"}', 0)
    `.execute(db);
    const versions = await db
      .selectFrom("adjudications")
      .select(["version", "time_spent_ms", "time_spent_kind"])
      .orderBy("version")
      .execute();
    expect(versions).toEqual([
      { version: 1, time_spent_ms: 86_400_000, time_spent_kind: "wall_clock" },
      { version: 2, time_spent_ms: 0, time_spent_kind: "person_time" },
    ]);

    const { error: downError } = await migrator.migrateTo(before);
    if (downError) throw downError;
    const { error: upError } = await migrator.migrateTo(migration);
    if (upError) throw upError;
  });
});
