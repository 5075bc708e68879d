import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { databaseBeforeMigration } from "../setup/migration.ts";

const migration = "20261207040000_deployment_secret";
const database = databaseBeforeMigration(migration);

const deployment = async () =>
  (await sql<{ id: string; secret?: string }>`select * from deployment`.execute(database.db)).rows;

describe(`migration ${migration}`, () => {
  it("gives the deployment a random secret of 256 bits, a new one each time it is made", async () => {
    const [before] = await deployment();
    expect(before).not.toHaveProperty("secret");

    await database.migrateTo(migration);
    const [made] = await deployment();
    expect(made!.id).toBe(before!.id);
    expect(made!.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await database.migrateTo(database.before);
    expect(await deployment()).toEqual([before]);
    await database.migrateTo(migration);
    const [again] = await deployment();
    expect(again!.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(again!.secret).not.toBe(made!.secret);
  });
});
