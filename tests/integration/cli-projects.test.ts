import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuorumServer } from "../../server/index.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { seedDemoWorkspace } from "../../server/services/seed.ts";
import { findUserByEmail } from "../../server/services/users.ts";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import {
  failOnTypeScript,
  quorumCliCommand,
  runQuorumCli,
  startServerForCli,
  type CliRun,
} from "../setup/cli.ts";
import type { TestDatabase } from "../setup/database.ts";

const onPglite = !process.env.DATABASE_URL;

let server: QuorumServer;
let database: TestDatabase;
let stop: () => Promise<void>;
const api: Record<string, ApiClient> = {};

beforeAll(async () => {
  ({ server, database, stop } = await startServerForCli());
  await seedDemoWorkspace(server.context.db);
  for (const name of ["admin", "lead", "expert1", "client"]) {
    const user = await findUserByEmail(server.context.db, `${name}@demo.quorum`);
    const { token } = await createApiToken(server.context.db, user!.id, "test");
    api[name] = apiClient(server.url, token);
  }
});

afterAll(async () => {
  await stop?.();
});

const quorum = (...args: string[]): Promise<CliRun> => runQuorumCli(database, args);

/** A command's `--json` output, which must be one line of JSON and nothing on stderr. */
async function json(...args: string[]): Promise<unknown> {
  const run = await quorum(...args, "--json");
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout.endsWith("\n")).toBe(true);
  expect(run.stdout.trimEnd()).not.toContain("\n");
  return JSON.parse(run.stdout);
}

/** A refused command: exit 1, the message on stderr, nothing on stdout. */
async function refused(args: string[], message: string | RegExp): Promise<void> {
  const run = await quorum(...args);
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(message);
}

async function projectIdNamed(prefix: string): Promise<number> {
  const { body } = await api.admin!.get<{ projects: Array<{ id: number; name: string }> }>(
    "/projects",
  );
  return body.projects.find((project) => project.name.startsWith(prefix))!.id;
}

// Each run starts a Node process and reaches the database: allow for a loaded machine.
describe("quorum projects, members, progress and quality", { timeout: 120_000 }, () => {
  it("explains each command with --help", async () => {
    const expected: Array<[string[], string[]]> = [
      [
        ["projects", "list"],
        ["--as", "--json"],
      ],
      [
        ["projects", "create"],
        ["--name", "--template", "pairwise-clinical", "--domain", "--overlap", "--as", "--json"],
      ],
      [
        ["members", "list"],
        ["--project", "--as", "--json"],
      ],
      [
        ["members", "add"],
        ["--project", "--email", "--role", '"annotator"', "--as"],
      ],
      [
        ["members", "remove"],
        ["--project", "--email", "--as"],
      ],
      [["progress"], ["--project", "--as", "--json"]],
      [["quality"], ["--project", "--as", "--json"]],
    ];
    const runs = await Promise.all(expected.map(([command]) => quorum(...command, "--help")));
    runs.forEach((run, index) => {
      expect(run.code).toBe(0);
      for (const option of expected[index]![1]) expect(run.stdout).toContain(option);
    });
    const main = await quorum("--help");
    for (const command of ["projects", "members", "progress", "quality"]) {
      expect(main.stdout).toContain(command);
    }
  });

  it("prints exactly the API's body with --json, for the operator and for each user", async () => {
    const clinical = await projectIdNamed("Clinical");
    const project = String(clinical);
    const cases: Array<[string[], string | undefined, string]> = [
      // Without --as, the workspace operator sees what an admin who belongs to no project sees.
      [["projects", "list"], undefined, "/projects"],
      [["projects", "list"], "expert1", "/projects"],
      [["members", "list", "--project", project], undefined, `/projects/${project}/members`],
      [["members", "list", "--project", project], "expert1", `/projects/${project}/members`],
      [["progress", "--project", project], "lead", `/projects/${project}/progress`],
      [["progress", "--project", project], "client", `/projects/${project}/progress`],
      [["quality", "--project", project], undefined, `/projects/${project}/quality`],
      [["quality", "--project", project], "client", `/projects/${project}/quality`],
    ];
    const outputs = await Promise.all(
      cases.map(([command, as]) => json(...command, ...(as ? ["--as", `${as}@demo.quorum`] : []))),
    );
    for (const [index, [, as, url]] of cases.entries()) {
      const response = await api[as ?? "admin"]!.get(url);
      expect(response.status).toBe(200);
      expect(outputs[index], `${cases[index]![0].join(" ")} as ${as ?? "operator"}`).toEqual(
        response.body,
      );
    }
  });

  it("shows tables to people", async () => {
    const project = String(await projectIdNamed("Clinical"));
    const [projects, members, progress, quality] = await Promise.all([
      quorum("projects", "list"),
      quorum("members", "list", "--project", project),
      quorum("progress", "--project", project),
      quorum("quality", "--project", project),
    ]);
    for (const run of [projects, members, progress, quality]) {
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
    }
    expect(projects.stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+DOMAIN\s+ROLE\s+ITEMS\s+DONE/);
    expect(projects.stdout).toMatch(/Clinical Q&A: pairwise preference\s+medical/);
    // An annotator gets no counts by status: a dash, not a zero that would be wrong.
    const asAnnotator = await quorum("projects", "list", "--as", "expert1@demo.quorum");
    expect(asAnnotator.stdout).toMatch(
      /Clinical Q&A: pairwise preference\s+medical\s+annotator\s+–\s+–/,
    );
    expect(members.stdout).toMatch(/lead@demo\.quorum\s+lead/);
    expect(progress.stdout).toMatch(/^Project \d+: \d+ items \(and \d+ gold\), \d+ done/);
    expect(progress.stdout).toMatch(/Dr\. Amara Okafor\s+expert\s+\d+/);
    expect(quality.stdout).toMatch(/preference\s+alpha\s+-?\d\.\d\d \[/);
    expect(quality.stdout).toMatch(/Mei Tanaka\s+expert\s+\d+\s+\d+%/);
  });

  it("creates projects from a preset or a template file, as the API does", async () => {
    const created = (await json(
      "projects",
      "create",
      "--name",
      "Cardiology pairs",
      "--template",
      "pairwise-clinical",
      "--overlap",
      "2",
      "--as",
      "lead@demo.quorum",
    )) as { project: { id: number; overlap: number; domain: string; role: string } };
    expect(created.project).toMatchObject({ overlap: 2, domain: "medical", role: "lead" });
    const fetched = await api.lead!.get(`/projects/${created.project.id}`);
    expect(created).toEqual(fetched.body);

    const templateFile = path.join(database.dataDir, "template.json");
    writeFileSync(
      templateFile,
      JSON.stringify({
        fields: [{ id: "ok", type: "choice", label: "Correct?", options: ["yes", "no"] }],
      }),
    );
    const fromFile = await quorum(
      "projects",
      "create",
      "--name",
      "Yes or no",
      "--template",
      templateFile,
      "--domain",
      "code",
      "--as",
      "admin@demo.quorum",
    );
    expect(fromFile.stderr).toBe("");
    expect(fromFile.stdout).toMatch(
      /^Created project \d+ \(Yes or no\), led by admin@demo\.quorum\.\n$/,
    );
    const id = Number(/project (\d+)/.exec(fromFile.stdout)![1]);
    const { body } = await api.admin!.get<{ project: { template: unknown; domain: string } }>(
      `/projects/${id}`,
    );
    expect(body.project.domain).toBe("code");
    expect(body.project.template).toMatchObject({ fields: [{ id: "ok", type: "choice" }] });
  });

  it("adds, changes and removes members", async () => {
    const project = String(await projectIdNamed("Legal"));
    const add = (role: string) =>
      quorum(
        "members",
        "add",
        "--project",
        project,
        "--email",
        "ADMIN@demo.quorum",
        "--role",
        role,
        "--as",
        "lead@demo.quorum",
      );
    expect((await add("annotator")).stdout).toBe(
      `Added admin@demo.quorum as annotator of project ${project}.\n`,
    );
    expect((await add("client")).stdout).toBe(
      `Updated admin@demo.quorum as client of project ${project}.\n`,
    );
    const members = (
      await api.lead!.get<{ members: Array<{ email: string; role: string }> }>(
        `/projects/${project}/members`,
      )
    ).body.members;
    expect(members).toContainEqual(
      expect.objectContaining({ email: "admin@demo.quorum", role: "client" }),
    );
    const removed = await quorum(
      "members",
      "remove",
      "--project",
      project,
      "--email",
      "admin@demo.quorum",
      "--as",
      "lead@demo.quorum",
    );
    expect(removed.stdout).toBe(`Removed admin@demo.quorum from project ${project}.\n`);
    const after = (
      await api.lead!.get<{ members: Array<{ email: string }> }>(`/projects/${project}/members`)
    ).body.members;
    expect(after.map((member) => member.email)).not.toContain("admin@demo.quorum");
  });

  it("refuses what the user may not do, on stderr, with exit 1", async () => {
    const project = String(await projectIdNamed("Clinical"));
    const before = (await api.admin!.get<{ projects: unknown[] }>("/projects")).body.projects
      .length;
    await Promise.all([
      refused(
        [
          "projects",
          "create",
          "--name",
          "Mine",
          "--template",
          "pairwise-clinical",
          "--as",
          "expert1@demo.quorum",
        ],
        /^Error: .*(not allowed|permission)/i,
      ),
      refused(
        [
          "members",
          "add",
          "--project",
          project,
          "--email",
          "junior2@demo.quorum",
          "--role",
          "lead",
          "--as",
          "expert1@demo.quorum",
        ],
        /^Error: /,
      ),
      refused(["quality", "--project", project, "--as", "expert1@demo.quorum"], /^Error: /),
      refused(["progress", "--project", "99999"], /^Error: No such project/),
      refused(
        ["progress", "--project", project, "--as", "nobody@demo.quorum"],
        /No user with email nobody@demo\.quorum/,
      ),
      refused(
        [
          "projects",
          "create",
          "--name",
          "X",
          "--template",
          "no-such-preset",
          "--as",
          "lead@demo.quorum",
        ],
        /neither a preset \(pairwise-clinical, .*\) nor a readable file/,
      ),
      refused(
        [
          "projects",
          "create",
          "--name",
          " ",
          "--template",
          "pairwise-clinical",
          "--as",
          "lead@demo.quorum",
        ],
        /^Error: The project is not valid\n {2}- name: /,
      ),
    ]);
    const creator = await quorum(
      "projects",
      "create",
      "--name",
      "X",
      "--template",
      "pairwise-clinical",
    );
    expect(creator.code).not.toBe(0);
    expect(creator.stderr).toContain("--as");
    expect((await api.admin!.get<{ projects: unknown[] }>("/projects")).body.projects).toHaveLength(
      before,
    );
  });

  it("runs compiled JavaScript: no TypeScript file and no tsx is loaded", async () => {
    const { command, args, env, cwd } = quorumCliCommand(database);
    const run = await new Promise<CliRun>((resolve) => {
      execFile(
        command,
        [
          "--import",
          failOnTypeScript,
          ...args,
          "projects",
          "list",
          "--json",
          "--as",
          "admin@demo.quorum",
        ],
        { env, cwd },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
      );
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual((await api.admin!.get("/projects")).body);
  });

  it.runIf(!onPglite)("does not wait for the migrator when the schema is current", async () => {
    // Kysely's migrator first takes this advisory lock (its PostgreSQL adapter's id), waiting up
    // to an hour for it: a command that ran the migrator would not finish while it is held.
    await server.context.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(3853314791062309107)`.execute(trx);
      const run = await Promise.race([
        quorum("projects", "list", "--json"),
        delay(30_000).then(() => ({ code: -1, stdout: "", stderr: "still running after 30 s" })),
      ]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
    });
  });
});
