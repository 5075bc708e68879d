import { Migrator, sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../db/client.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { migrations } from "../../db/migrations/index.ts";
import type { Database } from "../../db/schema.ts";
import { createTestDatabase, type TestDatabase } from "../setup/database.ts";

const migration = "20261206020000_participants_who_worked";
const before = Object.keys(migrations)
  .sort()
  .filter((name) => name < migration)
  .at(-1)!;

let testDatabase: TestDatabase;
let handle: DatabaseHandle;
let db: Kysely<Database>;

beforeAll(async () => {
  testDatabase = await createTestDatabase({ empty: true });
  handle = await openDatabase({
    databaseUrl: testDatabase.databaseUrl,
    pgliteDataDir: testDatabase.databaseUrl ? undefined : "memory://",
  });
  db = handle.db;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateTo(before);
  if (error) throw error;
});

afterAll(async () => {
  await handle?.close();
  await testDatabase?.drop();
});

async function insertUser(name: string): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    insert into users (email, name, password_hash) values (${`${name}@example.test`}, ${name}, 'x')
    returning id
  `.execute(db);
  return rows[0].id;
}

describe(`migration ${migration}`, () => {
  it("makes everyone whose label, panel time or review time a project stores take part in it", async () => {
    const [member, annotator, panelist, reviewer, stranger] = [
      await insertUser("member"),
      await insertUser("annotator"),
      await insertUser("panelist"),
      await insertUser("reviewer"),
      await insertUser("stranger"),
    ];
    const { rows: projects } = await sql<{ id: number }>`
      insert into projects (name, template)
      values ('Legacy', '{"fields": [{"id": "verdict", "type": "text", "label": "Verdict"}]}')
      returning id
    `.execute(db);
    const projectId = projects[0].id;
    await sql`
      insert into project_members (project_id, user_id, role)
      values (${projectId}, ${member}, 'annotator')
    `.execute(db);
    const { rows: items } = await sql<{ id: number }>`
      insert into items (project_id, external_id, prompt, responses, content_hash)
      values (${projectId}, 'q-1', '"Dose?"', '[{"id": "a", "text": "5 mg"}]', 'h') returning id
    `.execute(db);
    const itemId = items[0].id;
    // Written by people who never joined the project (admins, before this release).
    const { rows: annotations } = await sql<{ id: number }>`
      insert into annotations (item_id, user_id, label) values (${itemId}, ${annotator}, '{}')
      returning id
    `.execute(db);
    await sql`insert into adjudications (item_id, version, label) values (${itemId}, 1, '{}')`.execute(
      db,
    );
    await sql`
      insert into adjudication_time (item_id, version, user_id, active_ms)
      values (${itemId}, 1, ${panelist}, 1000)
    `.execute(db);
    const { rows: reviews } = await sql<{ id: number }>`
      insert into reviews (annotation_id, project_id) values (${annotations[0].id}, ${projectId})
      returning id
    `.execute(db);
    await sql`
      insert into review_time (review_id, user_id, active_ms) values (${reviews[0].id}, ${reviewer}, 1000)
    `.execute(db);
    const participants = async () =>
      (
        await db
          .selectFrom("project_participants")
          .select("user_id")
          .where("project_id", "=", projectId)
          .orderBy("user_id")
          .execute()
      ).map((row) => row.user_id);
    expect(await participants()).toEqual([member]);

    await migrateToLatest(db);

    expect(await participants()).toEqual([member, annotator, panelist, reviewer]);
    expect(await participants()).not.toContain(stranger);
  });
});
