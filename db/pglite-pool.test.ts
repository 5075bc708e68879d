import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "./client.ts";
import { migrateToLatest } from "./migrate.ts";

let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openDatabase({ pgliteDataDir: "memory://" });
  await migrateToLatest(handle.db);
});

afterAll(async () => {
  await handle?.close();
});

describe("PGlite through the serial pool", () => {
  it("keeps concurrent transactions apart", async () => {
    const { db } = handle;
    const insertUser = (email: string) =>
      db
        .insertInto("users")
        .values({ email, name: email })
        .returning("id")
        .executeTakeFirstOrThrow();

    const rolledBack = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto("users").values({ email: "rolled@back", name: "x" }).execute();
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error("abort");
      })
      .catch(() => "aborted");
    const outside = insertUser("outside@commit");

    expect(await rolledBack).toBe("aborted");
    await outside;
    const emails = (await db.selectFrom("users").select("email").execute()).map((row) => row.email);
    expect(emails).toContain("outside@commit");
    expect(emails).not.toContain("rolled@back");
  });

  it("reports affected rows like pg does", async () => {
    const { db } = handle;
    await db
      .insertInto("users")
      .values([
        { email: "a@count", name: "a" },
        { email: "b@count", name: "b" },
      ])
      .execute();
    const updated = await db
      .updateTable("users")
      .set({ name: "renamed" })
      .where("email", "like", "%@count")
      .executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(2n);
    const deleted = await db
      .deleteFrom("users")
      .where("email", "=", "a@count")
      .executeTakeFirstOrThrow();
    expect(deleted.numDeletedRows).toBe(1n);
  });

  it("returns int8 as numbers and bytea as bytes", async () => {
    const { db } = handle;
    const row = await sql<{
      big: number;
      bytes: Uint8Array;
    }>`select 9007199254740::int8 as big, '\\x0102ff'::bytea as bytes`.execute(db);
    expect(row.rows[0].big).toBe(9007199254740);
    expect([...row.rows[0].bytes]).toEqual([1, 2, 255]);
  });

  it("refuses to change a published adjudication version", async () => {
    const { db } = handle;
    const project = await db
      .insertInto("projects")
      .values({ name: "p", template: JSON.stringify({ fields: [] }) })
      .returning("id")
      .executeTakeFirstOrThrow();
    const item = await db
      .insertInto("items")
      .values({
        project_id: project.id,
        external_id: "x",
        prompt: JSON.stringify("q"),
        responses: JSON.stringify([{ id: "a", text: "t" }]),
        content_hash: "h",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("adjudications")
      .values({ item_id: item.id, version: 1, label: JSON.stringify({ a: 1 }) })
      .execute();
    await expect(
      db
        .updateTable("adjudications")
        .set({ label: JSON.stringify({ a: 2 }) })
        .execute(),
    ).rejects.toThrow(/immutable/);
    await expect(db.deleteFrom("adjudications").execute()).rejects.toThrow(/immutable/);
  });
});
