import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client.ts";
import { userFromApiToken } from "../../server/services/auth.ts";
import { runQuorumCli, type CliRun } from "../setup/cli.ts";
import { createTestDatabase, inTestDatabase, type TestDatabase } from "../setup/database.ts";

let testDatabase: TestDatabase;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
});

afterAll(async () => {
  await testDatabase.drop();
});

const quorum = (args: string[], environment: Record<string, string> = {}): Promise<CliRun> =>
  runQuorumCli(testDatabase, args, environment);

const inDatabase = <T>(task: (database: DatabaseHandle) => Promise<T>) =>
  inTestDatabase(testDatabase, task);

const countUsers = () =>
  inDatabase(async ({ db }) => {
    const row = await db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    return row.count;
  });

// Each run starts a Node process and opens the database: allow for a loaded machine.
describe("quorum CLI", { timeout: 90_000 }, () => {
  it("explains itself with --help, and exits 0", async () => {
    const main = await quorum(["--help"]);
    expect(main.code).toBe(0);
    for (const command of ["migrate", "seed-demo", "user", "token"]) {
      expect(main.stdout).toContain(command);
    }
    const userCreate = await quorum(["user", "create", "--help"]);
    expect(userCreate.code).toBe(0);
    for (const option of [
      "--email",
      "--name",
      "--password",
      "--admin",
      "--level",
      "--domains",
      "--rate",
    ]) {
      expect(userCreate.stdout).toContain(option);
    }
    const tokenCreate = await quorum(["token", "create", "--help"]);
    expect(tokenCreate.code).toBe(0);
    expect(tokenCreate.stdout).toContain("--email");
  });

  it("migrates, then reports that the schema is up to date", async () => {
    const first = await quorum(["migrate"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const second = await quorum(["migrate"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/up to date/);
  });

  it("creates a user with an annotator profile", async () => {
    const run = await quorum([
      "user",
      "create",
      "--email",
      "Pharmacist@Example.com",
      "--name",
      "Clinical Pharmacist",
      "--password",
      "correct horse battery",
      "--level",
      "expert",
      "--domains",
      "medical, language:de",
      "--rate",
      "135.5",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("pharmacist@example.com");
    const user = await inDatabase(({ db }) =>
      db
        .selectFrom("users")
        .selectAll()
        .where("email", "=", "pharmacist@example.com")
        .executeTakeFirst(),
    );
    expect(user).toMatchObject({
      name: "Clinical Pharmacist",
      is_admin: false,
      level: "expert",
      domains: ["medical", "language:de"],
      hourly_rate_cents: 13550,
    });
  });

  it("refuses a duplicate email with a clear message, and writes nothing", async () => {
    const before = await countUsers();
    const run = await quorum([
      "user",
      "create",
      "--email",
      "pharmacist@example.com",
      "--name",
      "Someone",
      "--password",
      "another password",
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("A user with email pharmacist@example.com already exists");
    expect(run.stdout).toBe("");
    expect(await countUsers()).toBe(before);
  });

  it("names each invalid field", async () => {
    const run = await quorum([
      "user",
      "create",
      "--email",
      "not-an-email",
      "--name",
      "X",
      "--password",
      "short",
      "--domains",
      "astrology",
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/email:/);
    expect(run.stderr).toContain("password: must be at least 12 characters");
    expect(run.stderr).toMatch(/domains\.0:/);
  });

  it("prints only a token, which then authenticates as the user", async () => {
    const run = await quorum([
      "token",
      "create",
      "--email",
      "PHARMACIST@example.com",
      "--name",
      "batch import",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^qrm_[A-Za-z0-9_-]{20,}\n$/);
    const token = run.stdout.trimEnd();
    const user = await inDatabase(({ db }) => userFromApiToken(db, token));
    expect(user?.email).toBe("pharmacist@example.com");
    const stored = await inDatabase(({ db }) =>
      db.selectFrom("api_tokens").select(["name", "token_hash"]).execute(),
    );
    expect(stored).toEqual([expect.objectContaining({ name: "batch import" })]);
    expect(stored[0]?.token_hash).not.toContain(token);
  });

  it("fails without --email, or for an unknown email, with a message and no token", async () => {
    const missing = await quorum(["token", "create"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("--email");
    expect(missing.stdout).toBe("");

    const unknown = await quorum(["token", "create", "--email", "nobody@example.com"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No user with email nobody@example.com");
    expect(unknown.stdout).toBe("");
  });

  it("rejects an unknown command and bad option values", async () => {
    const unknown = await quorum(["frobnicate"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");

    const level = await quorum([
      "user",
      "create",
      "--email",
      "a@b.co",
      "--name",
      "A",
      "--password",
      "long enough",
      "--level",
      "boss",
    ]);
    expect(level.code).not.toBe(0);
    expect(level.stderr).toContain("junior, expert");

    const rate = await quorum([
      "user",
      "create",
      "--email",
      "a@b.co",
      "--name",
      "A",
      "--password",
      "long enough",
      "--rate",
      "lots",
    ]);
    expect(rate.code).not.toBe(0);
    expect(rate.stderr).toContain("--rate");
  });

  it("reports a wrong setting by name", async () => {
    const run = await quorum(["migrate"], { DATABASE_URL: "mysql://localhost/quorum" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
  });

  it("says that the database cannot be reached, rather than that a migration failed", async () => {
    for (const args of [["projects", "list"], ["migrate"]]) {
      // Nothing listens on port 1.
      const run = await quorum(args, { DATABASE_URL: "postgres://postgres@127.0.0.1:1/quorum" });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(
        /^Error: Cannot reach the database \(DATABASE_URL\): .*ECONNREFUSED/,
      );
      expect(run.stderr).not.toMatch(/migration/i);
    }
  });

  it("seeds the demo workspace once", async () => {
    const first = await quorum(["seed-demo"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Created the demo workspace: 8 users, 4 projects/);
    const second = await quorum(["seed-demo"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Nothing to do/);
    const projects = await inDatabase(({ db }) => db.selectFrom("projects").select("id").execute());
    expect(projects).toHaveLength(4);
  });
});
