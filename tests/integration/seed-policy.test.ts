import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, demoUsers } from "../../server/services/seed.ts";
import { verifyPassword } from "../../server/services/passwords.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

const postgres = Boolean(process.env.DATABASE_URL);
const demoEmails = Object.values(demoUsers).map((user) => user.email);

let server: TestServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function demoUserRows(running: TestServer) {
  return running.context.db
    .selectFrom("users")
    .select(["email", "password_hash"])
    .where("email", "in", demoEmails)
    .execute();
}

/** QUORUM_SEED empty is QUORUM_SEED unset (the configuration treats empty variables so). */
const seedUnset = { QUORUM_SEED: "" };

// Each test starts a server of its own (and seeds with argon2), which takes a while on PGlite.
describe("seeding the demo workspace on the first start", { timeout: 120_000 }, () => {
  it.skipIf(!postgres)("leaves a DATABASE_URL database alone unless QUORUM_SEED=demo", async () => {
    server = await startTestServer(seedUnset);
    expect(server.context.config.seed).toBe("none");
    expect(await demoUserRows(server)).toEqual([]);
    const { count } = await server.context.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    expect(count).toBe(0);
  });

  it.skipIf(!postgres)("seeds a DATABASE_URL database when QUORUM_SEED=demo says so", async () => {
    server = await startTestServer({ QUORUM_SEED: "demo" });
    expect((await demoUserRows(server)).map((row) => row.email).sort()).toEqual(
      [...demoEmails].sort(),
    );
  });

  it.skipIf(postgres)("seeds the embedded database by default", async () => {
    server = await startTestServer(seedUnset);
    expect(server.context.config.seed).toBe("demo");
    expect(await demoUserRows(server)).toHaveLength(demoEmails.length);
  });

  it("hashes each demo user's password with a salt of its own", async () => {
    server = await startTestServer({ QUORUM_SEED: "demo" });
    const rows = await demoUserRows(server);
    expect(rows).toHaveLength(demoEmails.length);
    const hashes = rows.map((row) => row.password_hash ?? "");
    expect(new Set(hashes).size).toBe(hashes.length);
    const salts = hashes.map((hash) => hash.split("$")[4]);
    expect(new Set(salts).size).toBe(salts.length);
    for (const hash of hashes) expect(await verifyPassword(hash, DEMO_PASSWORD)).toBe(true);
  });
});
