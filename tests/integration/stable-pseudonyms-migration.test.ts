import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { pseudonymsFor } from "../../server/services/items.ts";
import {
  databaseBeforeMigration,
  insertItem,
  insertProject,
  insertUsers,
} from "../setup/migration.ts";

const migration = "20261206030000_stable_pseudonyms";
const database = databaseBeforeMigration(migration);

async function join(projectId: number, userId: number, role: string, at: string): Promise<void> {
  await sql`
    insert into project_members (project_id, user_id, role, created_at)
    values (${projectId}, ${userId}, ${role}, ${at})
  `.execute(database.db);
}

describe(`migration ${migration}`, () => {
  it("keeps every letter as it was, and from then on each person's for good", async () => {
    const [first, lead, client, gone, second, labeller, later] = await insertUsers(database.db, [
      "first",
      "lead",
      "client",
      "gone",
      "second",
      "labeller",
      "later",
    ]);
    const projectId = await insertProject(database.db);
    await join(projectId, gone, "annotator", "2026-01-01T00:00:00Z");
    await join(projectId, first, "annotator", "2026-01-02T00:00:00Z");
    await join(projectId, lead, "lead", "2026-01-03T00:00:00Z");
    await join(projectId, client, "client", "2026-01-04T00:00:00Z");
    await join(projectId, second, "annotator", "2026-01-05T00:00:00Z");
    await sql`delete from project_members where user_id = ${gone}`.execute(database.db);
    const itemId = await insertItem(database.db, projectId);
    // An admin who labelled without joining, after the former member first joined.
    await sql`
      insert into annotations (item_id, user_id, label) values (${itemId}, ${labeller}, '{}')
    `.execute(database.db);
    for (const [userId, at] of [
      [gone, "2026-01-01T00:00:00Z"],
      [labeller, "2026-01-06T00:00:00Z"],
    ] as const) {
      await sql`update project_participants set created_at = ${at} where user_id = ${userId}`.execute(
        database.db,
      );
    }

    await database.migrateTo(migration);

    // As before: the annotators in the order they joined, then the others who took part.
    const letters = async () =>
      Object.fromEntries(
        [...(await pseudonymsFor(database.db, projectId))].map(([userId, name]) => [userId, name]),
      );
    expect(await letters()).toEqual({
      [first]: "Annotator A",
      [second]: "Annotator B",
      [gone]: "Annotator C",
      [labeller]: "Annotator D",
    });

    // Until now the first annotator's leaving moved the second to "Annotator A".
    await sql`delete from project_members where user_id = ${first}`.execute(database.db);
    await join(projectId, later, "annotator", "2026-02-01T00:00:00Z");
    await sql`update project_members set role = 'annotator' where user_id = ${lead}`.execute(
      database.db,
    );
    await sql`delete from project_members where user_id = ${client}`.execute(database.db);
    expect(await letters()).toEqual({
      [first]: "Annotator A",
      [second]: "Annotator B",
      [gone]: "Annotator C",
      [labeller]: "Annotator D",
      [later]: "Annotator E",
      [lead]: "Annotator F",
      [client]: "Annotator G",
    });

    await database.migrateTo(database.before);
    await database.migrateTo(migration);
  });
});
