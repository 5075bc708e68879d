import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { migrateToLatest } from "../../db/migrate.ts";
import {
  databaseBeforeMigration,
  insertItem,
  insertProject,
  insertUsers,
} from "../setup/migration.ts";

const migration = "20261206020000_participants_who_worked";
const database = databaseBeforeMigration(migration);

describe(`migration ${migration}`, () => {
  it("makes everyone whose label, panel time or review time a project stores take part in it", async () => {
    const [member, annotator, panelist, reviewer, stranger] = await insertUsers(database.db, [
      "member",
      "annotator",
      "panelist",
      "reviewer",
      "stranger",
    ]);
    const projectId = await insertProject(database.db);
    await sql`
      insert into project_members (project_id, user_id, role)
      values (${projectId}, ${member}, 'annotator')
    `.execute(database.db);
    const itemId = await insertItem(database.db, projectId);
    // Written by people who never joined the project (admins, before this release).
    const { rows: annotations } = await sql<{ id: number }>`
      insert into annotations (item_id, user_id, label) values (${itemId}, ${annotator}, '{}')
      returning id
    `.execute(database.db);
    await sql`insert into adjudications (item_id, version, label) values (${itemId}, 1, '{}')`.execute(
      database.db,
    );
    await sql`
      insert into adjudication_time (item_id, version, user_id, active_ms)
      values (${itemId}, 1, ${panelist}, 1000)
    `.execute(database.db);
    const { rows: reviews } = await sql<{ id: number }>`
      insert into reviews (annotation_id, project_id) values (${annotations[0].id}, ${projectId})
      returning id
    `.execute(database.db);
    await sql`
      insert into review_time (review_id, user_id, active_ms) values (${reviews[0].id}, ${reviewer}, 1000)
    `.execute(database.db);
    const participants = async () =>
      (
        await database.db
          .selectFrom("project_participants")
          .select("user_id")
          .where("project_id", "=", projectId)
          .orderBy("user_id")
          .execute()
      ).map((row) => row.user_id);
    expect(await participants()).toEqual([member]);

    await migrateToLatest(database.db);

    expect(await participants()).toEqual([member, annotator, panelist, reviewer]);
    expect(await participants()).not.toContain(stranger);
  });
});
