import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawn } from "node:child_process";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProject, setProjectMember } from "../../server/services/project-admin.ts";
import { createUser } from "../../server/services/users.ts";
import { quorumCliCommand, runQuorumCli, type CliRun } from "../setup/cli.ts";
import { createTestDatabase, inTestDatabase, type TestDatabase } from "../setup/database.ts";
import { exportFormats } from "../../app/domain/export.ts";

let testDatabase: TestDatabase;
let workDir: string;
let projectId: number;

const quorum = (args: string[], input?: string | Uint8Array): Promise<CliRun> =>
  runQuorumCli(testDatabase, args, {}, input);

/** More items than one page of the export holds, so that paging is part of what is checked. */
const ITEM_COUNT = 1_203;

/** Item i prefers the first response, the second, or neither, in turn. */
const preferenceOf = (index: number) => [-1, 1, 0][index % 3]!;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  workDir = mkdtempSync(path.join(tmpdir(), "quorum-export-"));
  expect((await quorum(["migrate"])).code).toBe(0);
  projectId = await inTestDatabase(testDatabase, async ({ db }) => {
    const person = (email: string, isAdmin = false) =>
      createUser(db, {
        email,
        name: email.split("@")[0]!,
        password: "long enough, really",
        isAdmin,
      });
    const admin = await person("admin@example.test", true);
    await person("annotator@example.test");
    await person("client@example.test");
    const project = await createProject(db, admin, {
      name: "Pairs",
      overlap: 1,
      template: {
        fields: [{ id: "preference", type: "preference", label: "Preference", scale: 2 }],
      },
    });
    await setProjectMember(db, admin, project.id, {
      email: "annotator@example.test",
      role: "annotator",
    });
    await setProjectMember(db, admin, project.id, { email: "client@example.test", role: "client" });
    return project.id;
  });

  const items: Array<Record<string, unknown>> = Array.from({ length: ITEM_COUNT }, (_, index) => ({
    externalId: `pair-${index}`,
    prompt: `Question ${index}`,
    responses: [
      { id: "a", text: `First answer ${index}` },
      { id: "b", text: `Second answer ${index}` },
    ],
    annotations: [
      { annotator: "annotator@example.test", label: { preference: preferenceOf(index) } },
    ],
  }));
  items.push({
    externalId: "gold",
    prompt: "Known?",
    responses: [
      { id: "a", text: "Gold first" },
      { id: "b", text: "Gold second" },
    ],
    gold: { label: { preference: 2 } },
  });
  const file = path.join(workDir, "items.jsonl");
  writeFileSync(file, items.map((item) => JSON.stringify(item)).join("\n"));
  const imported = await quorum(["import", file, "--project", String(projectId)]);
  expect(imported.stderr).not.toContain("Error");
  expect(imported.code).toBe(0);
}, 120_000);

afterAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  await testDatabase?.drop();
});

describe("quorum export", { timeout: 90_000 }, () => {
  it("writes dpo pairs to stdout, every page of them, in item order", async () => {
    const run = await quorum(["export", "--project", String(projectId), "--format", "dpo"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const expected = Array.from({ length: ITEM_COUNT }, (_, index) => index)
      .filter((index) => preferenceOf(index) !== 0)
      .map((index) => {
        const [chosen, rejected] =
          preferenceOf(index) < 0
            ? [`First answer ${index}`, `Second answer ${index}`]
            : [`Second answer ${index}`, `First answer ${index}`];
        return `${JSON.stringify({
          externalId: `pair-${index}`,
          prompt: `Question ${index}`,
          chosen,
          rejected,
        })}\n`;
      })
      .join("");
    expect(run.stdout).toBe(expected);
  });

  it("writes the prompt into chosen and rejected with --prompt-style implicit", async () => {
    const run = await quorum([
      "export",
      "--project",
      String(projectId),
      "--format",
      "reward",
      "--prompt-style",
      "implicit",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const first = Array.from({ length: ITEM_COUNT }, (_, index) => index).find(
      (index) => preferenceOf(index) !== 0,
    )!;
    const [chosen, rejected] =
      preferenceOf(first) < 0
        ? [`First answer ${first}`, `Second answer ${first}`]
        : [`Second answer ${first}`, `First answer ${first}`];
    expect(JSON.parse(run.stdout.split("\n")[0]!)).toEqual({
      externalId: `pair-${first}`,
      chosen: `Question ${first}\n\n${chosen}`,
      rejected: `Question ${first}\n\n${rejected}`,
      margin: Math.abs(preferenceOf(first)),
    });
    const refused = await quorum([
      "export",
      "--project",
      String(projectId),
      "--prompt-style",
      "inline",
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("explicit, implicit");
  });

  it("writes jsonl to a file with --out, leaving the gold item out", async () => {
    const out = path.join(workDir, "export.jsonl");
    const run = await quorum(["export", "--project", String(projectId), "--out", out]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(out);
    const records = readFileSync(out, "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(ITEM_COUNT);
    expect(records.some((record) => record.externalId === "gold")).toBe(false);
    expect(records[4]).toEqual({
      externalId: "pair-4",
      prompt: "Question 4",
      responses: [
        { id: "a", text: "First answer 4" },
        { id: "b", text: "Second answer 4" },
      ],
      label: { preference: 1 },
      source: "consensus",
      annotations: [
        {
          annotator: "annotator@example.test",
          level: null,
          label: { preference: 1 },
          submittedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        },
      ],
      metadata: {},
    });
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it("exports as a client under pseudonyms with --as, and refuses annotators", async () => {
    const client = await quorum([
      "export",
      "--project",
      String(projectId),
      "--as",
      "client@example.test",
    ]);
    expect(client.code).toBe(0);
    const first = JSON.parse(client.stdout.split("\n")[0]!) as { annotations: unknown };
    expect(first.annotations).toEqual([{ annotator: "Annotator A", label: { preference: -1 } }]);

    const annotator = await quorum([
      "export",
      "--project",
      String(projectId),
      "--as",
      "annotator@example.test",
    ]);
    expect(annotator.code).toBe(1);
    expect(annotator.stdout).toBe("");
    expect(annotator.stderr).toContain("permission");
  });

  it("fails with a message on stderr for a bad format, field or project, writing no file", async () => {
    const format = await quorum(["export", "--project", String(projectId), "--format", "xml"]);
    expect(format.code).not.toBe(0);
    expect(format.stderr).toContain(exportFormats.join(", "));

    const out = path.join(workDir, "never.jsonl");
    const field = await quorum([
      "export",
      "--project",
      String(projectId),
      "--format",
      "kto",
      "--field",
      "nope",
      "--out",
      out,
    ]);
    expect(field.code).toBe(1);
    expect(field.stderr).toContain('field: the template has no field "nope"');
    expect(existsSync(out)).toBe(false);

    const missing = await quorum(["export", "--project", "999999"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No such project");
    expect(missing.stdout).toBe("");
  });

  it("says on stderr how many items a preference format left out for their conversation's roles", async () => {
    const withTool = {
      externalId: "with-tool",
      prompt: [
        { role: "user", content: "What is my INR?" },
        { role: "tool", content: '{"inr": 3.1}' },
      ],
      responses: [
        { id: "a", text: "It is 3.1." },
        { id: "b", text: "I cannot tell." },
      ],
      annotations: [{ annotator: "annotator@example.test", label: { preference: -1 } }],
    };
    const imported = await quorum(
      ["import", "-", "--project", String(projectId)],
      JSON.stringify(withTool),
    );
    expect(imported.code, imported.stderr).toBe(0);

    const out = path.join(workDir, "pairs-kto.jsonl");
    for (const [format, extra] of [
      ["dpo", []],
      ["kto", ["--out", out]],
    ] as const) {
      const run = await quorum([
        "export",
        "--project",
        String(projectId),
        "--format",
        format,
        ...extra,
      ]);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe(
        `Left out 1 item whose conversation has roles other than system, user, assistant, which ${format} does not take (jsonl, csv and label-studio keep them).\n`,
      );
      const text = format === "dpo" ? run.stdout : readFileSync(out, "utf8");
      expect(text).not.toContain("with-tool");
      expect(text).toContain('"externalId":"pair-0"');
    }

    const jsonl = await quorum(["export", "--project", String(projectId)]);
    expect(jsonl.stderr).toBe("");
    expect(jsonl.stdout).toContain('"externalId":"with-tool"');
  });
});

describe("quorum in a shell pipeline", { timeout: 90_000 }, () => {
  const piped = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, index) =>
      JSON.stringify({
        externalId: `${prefix}-${index}`,
        prompt: `Piped question ${index}`,
        responses: [
          { id: "a", text: "One" },
          { id: "b", text: "Two" },
        ],
      }),
    ).join("\n");

  it("imports JSON Lines, a JSON array and gzip from stdin given as -", async () => {
    const lines = await quorum(["import", "-", "--project", String(projectId)], piped("stdin", 3));
    expect(lines.stderr).not.toContain("Error");
    expect(lines.code).toBe(0);
    expect(lines.stdout).toContain("Imported stdin into project");
    expect(lines.stdout).toContain("3 created");

    const array = `[${piped("array", 2).split("\n").join(",")}]`;
    const fromArray = await quorum(["import", "-", "--project", String(projectId)], array);
    expect(fromArray.stdout).toContain("2 created");

    const packed = gzipSync(piped("packed", 4));
    const fromGzip = await quorum(["import", "-", "--project", String(projectId)], packed);
    expect(fromGzip.stdout).toContain("4 created");

    const unknown = await quorum(["import", "-", "--project", String(projectId)], "a,b\n1,2");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("pass --format");
  });

  it("writes one line per stage to a stderr that is not a terminal, never a carriage return", async () => {
    const file = path.join(workDir, "staged.jsonl");
    writeFileSync(file, piped("staged", 50));
    const run = await quorum(["import", file, "--project", String(projectId)]);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("\r");
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^Reading: [\d,]+\/[\d,]+ bytes$/),
      "Validating: 50/50",
      "Inserting: 50/50",
    ]);
  });

  it("stops quietly with exit code 0 when the reader of its output goes away, as head does", async () => {
    const { command, args, env, cwd } = quorumCliCommand(testDatabase);
    const child = spawn(command, [...args, "export", "--project", String(projectId)], {
      env,
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // Read the first line, then close the pipe, as `quorum export … | head -1` does.
    await new Promise<void>((resolve) => {
      let seen = "";
      child.stdout.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes("\n")) {
          child.stdout.destroy();
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
