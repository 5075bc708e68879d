import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { databaseBeforeMigration, insertItem, insertProject } from "../setup/migration.ts";

const migration = "20261205060000_working_time";
const database = databaseBeforeMigration(migration);

const second = 1_000;
const day = 24 * 3_600 * second;

describe(`migration ${migration}`, () => {
  it("cuts stored claims to their reservation's wall time and marks older versions' time", async () => {
    const { rows: users } = await sql<{ id: number }>`
      insert into users (email, name, password_hash)
      values ('ada@example.test', 'Ada', 'x'), ('bo@example.test', 'Bo', 'x')
      returning id
    `.execute(database.db);
    const projectId = await insertProject(database.db);
    const inflated = await insertItem(database.db, projectId, "inflated");
    const honest = await insertItem(database.db, projectId, "honest");
    const imported = await insertItem(database.db, projectId, "imported");
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
      `.execute(database.db);
      await sql`
        insert into annotations (item_id, user_id, label, duration_ms, source, submitted_at)
        values (${itemId}, ${userId}, '{"verdict": "ok"}', ${durationMs}, ${source}, ${submittedAt})
      `.execute(database.db);
    }
    await sql`
      insert into adjudications (item_id, version, label, time_spent_ms)
      values (${honest}, 1, '{"verdict": "ok"}', 86400000)
    `.execute(database.db);

    await database.migrateTo(migration);

    const stored = await database.db
      .selectFrom("annotations")
      .select(["item_id", "duration_ms", "active_ms"])
      .orderBy("item_id")
      .execute();
    expect(stored).toEqual([
      { item_id: inflated, duration_ms: 5 * second, active_ms: null },
      { item_id: honest, duration_ms: 46 * second, active_ms: null },
      { item_id: imported, duration_ms: 3 * day, active_ms: null },
    ]);
    const assignments = await database.db
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
    `.execute(database.db);
    const versions = await database.db
      .selectFrom("adjudications")
      .select(["version", "time_spent_ms", "time_spent_kind"])
      .orderBy("version")
      .execute();
    expect(versions).toEqual([
      { version: 1, time_spent_ms: 86_400_000, time_spent_kind: "wall_clock" },
      { version: 2, time_spent_ms: 0, time_spent_kind: "person_time" },
    ]);

    await database.migrateTo(database.before);
    await database.migrateTo(migration);
  });
});
