import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { pseudonymsFor } from "../../server/services/items.ts";
import {
  databaseBeforeMigration,
  insertItem,
  insertProject,
  insertUsers,
} from "../setup/migration.ts";

const migration = "20261207010000_labellers_keep_pseudonyms";
const database = databaseBeforeMigration(migration);

async function join(projectId: number, userId: number, role: string): Promise<void> {
  await sql`
    insert into project_members (project_id, user_id, role) values (${projectId}, ${userId}, ${role})
  `.execute(database.db);
}

async function label(itemId: number, userId: number, at: string): Promise<void> {
  await sql`
    insert into annotations (item_id, user_id, label, submitted_at)
    values (${itemId}, ${userId}, '{}', ${at})
  `.execute(database.db);
}

const letters = async (projectId: number) =>
  Object.fromEntries(await pseudonymsFor(database.db, projectId));

describe(`migration ${migration}`, () => {
  it("letters the leads and clients who labelled, after everyone lettered, and whoever labels from then on", async () => {
    const [annotator, lead, client, reviewer, idle] = await insertUsers(database.db, [
      "annotator",
      "lead",
      "client",
      "reviewer",
      "idle",
    ]);
    const projectId = await insertProject(database.db);
    await join(projectId, annotator, "annotator");
    for (const [userId, role] of [
      [lead, "lead"],
      [client, "client"],
      [reviewer, "lead"],
      [idle, "lead"],
    ] as const) {
      await join(projectId, userId, role);
    }
    const first = await insertItem(database.db, projectId, "q-1");
    const second = await insertItem(database.db, projectId, "q-2");
    await label(first, annotator, "2026-01-01T00:00:00Z");
    await label(first, client, "2026-01-02T00:00:00Z");
    await label(second, lead, "2026-01-03T00:00:00Z");
    await label(first, lead, "2026-01-04T00:00:00Z");
    await database.migrateTo(migration);

    // Leads and clients who labelled are lettered in the order of their first label.
    expect(await letters(projectId)).toEqual({
      [annotator]: "Annotator A",
      [client]: "Annotator B",
      [lead]: "Annotator C",
    });

    // From now on a label letters its author, whatever their role, at its commit: a lead who
    // has taken part (every member has) without labelling has none until then.
    await label(second, reviewer, "2026-02-01T00:00:00Z");
    expect(await letters(projectId)).toMatchObject({ [reviewer]: "Annotator D" });
    await database.db.transaction().execute(async (trx) => {
      await sql`
        insert into annotations (item_id, user_id, label) values (${first}, ${idle}, '{}')
      `.execute(trx);
      const inTransaction = await sql<{ position: number | null }>`
        select pseudonym_position as position from project_participants
        where project_id = ${projectId} and user_id = ${idle}
      `.execute(trx);
      expect(inTransaction.rows[0]?.position).toBeNull();
    });
    expect(await letters(projectId)).toMatchObject({ [idle]: "Annotator E" });
    const { rows } = await sql<{ count: string }>`
      select count(*)::text as count from pseudonym_requests
    `.execute(database.db);
    expect(rows[0]?.count).toBe("0");

    await database.migrateTo(database.before);
    await database.migrateTo(migration);
  });
});
