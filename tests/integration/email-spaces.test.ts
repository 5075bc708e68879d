import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuorumServer } from "../../server/index.ts";
import { createUser } from "../../server/services/users.ts";
import type { ApiClient } from "../setup/api-client.ts";
import { createAdminClient, runQuorumCli, startServerForCli } from "../setup/cli.ts";
import type { TestDatabase } from "../setup/database.ts";

/**
 * An email pasted with spaces around it, or in other case, names the same user everywhere: in
 * the API's bodies, at sign-in, and in the CLI's `--email` and `--as`, as on the Members page.
 */

let server: QuorumServer;
let database: TestDatabase;
let stop: () => Promise<void>;
let admin: ApiClient;
let projectId: number;

beforeAll(async () => {
  ({ server, database, stop } = await startServerForCli());
  admin = await createAdminClient(server);
  await createUser(server.context.db, {
    email: "member@example.test",
    name: "Member",
    password: "correct horse battery staple",
  });
  const project = await admin.post<{ project: { id: number } }>("/projects", {
    name: "Spaces",
    preset: "pairwise-preference",
  });
  projectId = project.body.project.id;
});
afterAll(() => stop?.());

describe("emails with surrounding spaces", { timeout: 120_000 }, () => {
  it("are trimmed and lower-cased by every API body that names a user", async () => {
    const added = await admin.post<{ member: { email: string } }>(
      `/projects/${projectId}/members`,
      { email: "  Member@Example.test ", role: "annotator" },
    );
    expect(added.status).toBe(201);
    expect(added.body.member.email).toBe("member@example.test");

    const invited = await admin.post<{ member: { email: string } }>(
      `/projects/${projectId}/invites`,
      { email: " Invitee@Example.test\t", name: "Invitee", role: "client" },
    );
    expect(invited.status).toBe(201);
    expect(invited.body.member.email).toBe("invitee@example.test");

    const user = await admin.post<{ user: { email: string } }>("/users", {
      email: "\nNew@Example.test  ",
      name: "New",
    });
    expect(user.status).toBe(201);
    expect(user.body.user.email).toBe("new@example.test");

    const taken = await admin.post("/users", { email: " NEW@example.test ", name: "Again" });
    expect(taken.status).toBe(409);
  });

  it("are trimmed by the CLI's --email and --as", async () => {
    const created = await runQuorumCli(database, [
      "user",
      "create",
      "--email",
      "  Cli@Example.test ",
      "--name",
      "Cli",
      "--password",
      "correct horse battery staple",
    ]);
    expect(created.stderr).toBe("");
    expect(created.stdout).toMatch(/^Created user \d+ cli@example\.test\.\n$/);

    const removed = await runQuorumCli(database, [
      "members",
      "remove",
      "--project",
      String(projectId),
      "--email",
      " member@example.test ",
      "--as",
      " Admin@Example.test ",
    ]);
    expect(removed.stderr).toBe("");
    expect(removed.stdout).toBe(`Removed member@example.test from project ${projectId}.\n`);
  });
});
