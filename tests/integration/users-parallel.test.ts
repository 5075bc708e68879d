import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuorumServer } from "../../server/index.ts";
import { AppError } from "../../server/errors.ts";
import { createUser } from "../../server/services/users.ts";
import type { ApiClient } from "../setup/api-client.ts";
import { createAdminClient, runQuorumCli, startServerForCli } from "../setup/cli.ts";
import type { TestDatabase } from "../setup/database.ts";

/**
 * Users created at the same moment with one email, however it is written (case, surrounding
 * spaces), through the API, the service behind the CLI, or the CLI itself: one is created, and
 * every other request is told the email is taken.
 */

let server: QuorumServer;
let database: TestDatabase;
let stop: () => Promise<void>;
let admin: ApiClient;

beforeAll(async () => {
  ({ server, database, stop } = await startServerForCli());
  admin = await createAdminClient(server);
});
afterAll(() => stop?.());

const spellings = (local: string) => [
  `${local}@example.test`,
  `${local.toUpperCase()}@Example.Test`,
  `  ${local}@example.test `,
  `\t${local}@EXAMPLE.test\n`,
];

async function usersWithEmail(email: string): Promise<number> {
  const rows = await server.context.db
    .selectFrom("users")
    .select("id")
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email))
    .execute();
  return rows.length;
}

describe("creating one email in parallel", { timeout: 120_000 }, () => {
  it("creates one user and answers every other create of the email 409", async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, index) =>
        admin.post("/users", { email: spellings("api")[index % 4], name: `Api ${index}` }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(23);
    expect(await usersWithEmail("api@example.test")).toBe(1);
  });

  it("creates one user with a password, and the others fail as a conflict", async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) =>
        createUser(server.context.db, {
          email: spellings("service")[index % 4]!,
          name: `Service ${index}`,
          password: "correct horse battery staple",
        }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") {
        expect(outcome.value.email).toBe("service@example.test");
        continue;
      }
      expect(outcome.reason).toBeInstanceOf(AppError);
      expect((outcome.reason as AppError).status).toBe(409);
      expect((outcome.reason as AppError).message).toBe(
        "A user with email service@example.test already exists",
      );
    }
    expect(await usersWithEmail("service@example.test")).toBe(1);
  });

  it("lets one `quorum user create` succeed and the others exit 1 saying the email is taken", async () => {
    const runs = await Promise.all(
      spellings("cli").map((email, index) =>
        runQuorumCli(database, [
          "user",
          "create",
          "--email",
          email,
          "--name",
          `Cli ${index}`,
          "--password",
          "correct horse battery staple",
        ]),
      ),
    );
    const created = runs.filter((run) => run.code === 0);
    expect(created, JSON.stringify(runs)).toHaveLength(1);
    expect(created[0]!.stdout).toMatch(/^Created user \d+ cli@example\.test\.\n$/);
    for (const run of runs.filter((other) => other.code !== 0)) {
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        "Error: A user with email cli@example.test already exists\n  - email: already has an account\n",
      );
    }
    expect(await usersWithEmail("cli@example.test")).toBe(1);
  });
});
