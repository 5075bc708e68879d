import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import {
  databaseBeforeMigration,
  insertItem,
  insertProject,
  insertUsers,
} from "../setup/migration.ts";

const migration = "20261207030000_rates_at_work";
const database = databaseBeforeMigration(migration);

const recorded = async (table: string) =>
  (
    await sql<{ user_id: number; rate: number | null }>`
      select user_id, rate_cents_per_hour as rate from ${sql.table(table)} order by user_id
    `.execute(database.db)
  ).rows;

describe(`migration ${migration}`, () => {
  it("records the rate people have now on the work stored so far, and leaves none on work of people without one", async () => {
    const [annotator, lead, unrated] = await insertUsers(database.db, [
      "annotator",
      "lead",
      "none",
    ]);
    await sql`update users set hourly_rate_cents = 6000 where id = ${annotator}`.execute(
      database.db,
    );
    await sql`update users set hourly_rate_cents = 12000 where id = ${lead}`.execute(database.db);
    const projectId = await insertProject(database.db);
    const itemId = await insertItem(database.db, projectId, "q-1");
    const annotations = await sql<{ id: number }>`
      insert into annotations (item_id, user_id, label, active_ms)
      values (${itemId}, ${annotator}, '{}', 60000), (${itemId}, ${unrated}, '{}', 60000)
      returning id
    `.execute(database.db);
    await sql`
      insert into adjudications (item_id, version, label, time_spent_ms, time_spent_kind)
      values (${itemId}, 1, '{}', 60000, 'person_time')
    `.execute(database.db);
    await sql`
      insert into adjudication_time (item_id, version, user_id, active_ms)
      values (${itemId}, 1, ${lead}, 60000), (${itemId}, 1, ${unrated}, 60000)
    `.execute(database.db);
    const review = await sql<{ id: number }>`
      insert into reviews (annotation_id, project_id) values (${annotations.rows[0]!.id}, ${projectId})
      returning id
    `.execute(database.db);
    await sql`
      insert into review_time (review_id, user_id, active_ms)
      values (${review.rows[0]!.id}, ${lead}, 60000)
    `.execute(database.db);

    await database.migrateTo(migration);

    expect(await recorded("annotations")).toEqual([
      { user_id: annotator, rate: 6000 },
      { user_id: unrated, rate: null },
    ]);
    expect(await recorded("adjudication_time")).toEqual([
      { user_id: lead, rate: 12000 },
      { user_id: unrated, rate: null },
    ]);
    expect(await recorded("review_time")).toEqual([{ user_id: lead, rate: 12000 }]);

    await database.migrateTo(database.before);
    const columns = await sql<{ count: string }>`
      select count(*)::text as count from information_schema.columns
      where column_name = 'rate_cents_per_hour'
    `.execute(database.db);
    expect(columns.rows[0]?.count).toBe("0");
    await database.migrateTo(migration);
  });
});
