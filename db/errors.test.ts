import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { classifyDatabaseError } from "./errors.ts";

async function failureOf(attempt: () => Promise<unknown>): Promise<unknown> {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  throw new Error("expected the attempt to fail");
}

describe("classifyDatabaseError", () => {
  // Creating an embedded database runs initdb, which takes a while on a busy machine.
  it(
    "tells PGlite's refused text, constraint violations and a closed database apart",
    { timeout: 120_000 },
    async () => {
      const database = await PGlite.create("memory://");
      await database.exec("create table t (id int primary key, note text, data jsonb)");
      await database.query("insert into t (id) values (1)");
      const nul = await failureOf(() =>
        database.query("insert into t values (2, $1)", ["a\u0000"]),
      );
      const jsonNul = await failureOf(() =>
        database.query("insert into t (id, data) values (3, $1)", [JSON.stringify(["\u0000"])]),
      );
      const surrogate = await failureOf(() =>
        database.query("insert into t (id, data) values (4, $1)", [JSON.stringify(["\ud800"])]),
      );
      const duplicate = await failureOf(() => database.query("insert into t (id) values (1)"));
      const syntax = await failureOf(() => database.query("selec 1"));
      await database.close();
      const closed = await failureOf(() => database.query("select 1"));

      expect([nul, jsonNul, surrogate].map(classifyDatabaseError)).toEqual([
        "untranslatable_text",
        "untranslatable_text",
        "untranslatable_text",
      ]);
      expect(classifyDatabaseError(duplicate)).toBeNull();
      expect(classifyDatabaseError(syntax)).toBeNull();
      expect(classifyDatabaseError(closed)).toBe("unavailable");
    },
  );

  it("takes a refused connection for an outage, and other errors for what they are", async () => {
    const client = new pg.Client({ host: "127.0.0.1", port: 1, connectionTimeoutMillis: 2_000 });
    const refused = await failureOf(() => client.connect());
    expect(classifyDatabaseError(refused)).toBe("unavailable");
    expect(classifyDatabaseError(new Error("something else"))).toBeNull();
    expect(classifyDatabaseError("not an error")).toBeNull();
    expect(classifyDatabaseError({ code: "57014", message: "canceling statement" })).toBeNull();
    expect(
      classifyDatabaseError({ code: "55000", severity: "FATAL", message: "not accepting" }),
    ).toBe("unavailable");
  });
});
