import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import {
  databaseBeforeMigration,
  insertItem,
  insertProject,
  insertUsers,
} from "../setup/migration.ts";

const migration = "20261207035000_revealed_labels";
const database = databaseBeforeMigration(migration);

async function label(itemId: number, userId: number, at: string): Promise<void> {
  await sql`
    insert into annotations (item_id, user_id, label, submitted_at)
    values (${itemId}, ${userId}, '{}', ${at})
  `.execute(database.db);
}

describe(`migration ${migration}`, () => {
  it("fixes the labels of items disputed since they were submitted, and of items revealed now", async () => {
    const [first, second, later] = await insertUsers(database.db, ["first", "second", "later"]);
    const projectId = await insertProject(database.db);
    // Disputed, then sent back to the queue by a rejection: the two labels before the dispute
    // were revealed, the one after it was not.
    const returned = await insertItem(database.db, projectId, "q-returned");
    await label(returned, first, "2026-01-01T00:00:00Z");
    await label(returned, second, "2026-01-01T00:01:00Z");
    await sql`
      insert into project_events (project_id, type, item_id, payload, created_at)
      values (${projectId}, 'item.disputed', ${returned}, '{}', '2026-01-01T00:01:00.5Z')
    `.execute(database.db);
    await label(returned, later, "2026-01-02T00:00:00Z");
    // In adjudication now, with no event (older than the event log).
    const adjudicating = await insertItem(database.db, projectId, "q-adjudicating");
    await label(adjudicating, first, "2026-01-03T00:00:00Z");
    await sql`update items set status = 'adjudicating' where id = ${adjudicating}`.execute(
      database.db,
    );
    // Still waiting for labels, never disputed.
    const waiting = await insertItem(database.db, projectId, "q-waiting");
    await label(waiting, first, "2026-01-04T00:00:00Z");

    await database.migrateTo(migration);

    const { rows } = await sql<{ item_id: number; user_id: number; revealed: boolean }>`
      select item_id, user_id, revealed_at is not null as revealed from annotations
      order by item_id, user_id
    `.execute(database.db);
    expect(rows).toEqual([
      { item_id: returned, user_id: first, revealed: true },
      { item_id: returned, user_id: second, revealed: true },
      { item_id: returned, user_id: later, revealed: false },
      { item_id: adjudicating, user_id: first, revealed: true },
      { item_id: waiting, user_id: first, revealed: false },
    ]);

    await database.migrateTo(database.before);
    await database.migrateTo(migration);
  });
});
