import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { templateSchema, type TemplateInput } from "../../app/domain/template.ts";
import type { Database } from "../../db/schema.ts";
import { createProject as createProjectAsAdmin } from "../../server/services/project-admin.ts";
import { createUser } from "../../server/services/users.ts";
import { runQuorumCli } from "../setup/cli.ts";
import { createTestDatabase, inTestDatabase, type TestDatabase } from "../setup/database.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/label-studio");
const fixture = (name: string) => readFileSync(path.join(fixtures, name), "utf8");

const template: TemplateInput = {
  fields: [
    { id: "pw", type: "preference", label: "Which is better?", required: true, scale: 2 },
    { id: "verdict", type: "choice", label: "Safe?", options: ["safe", "unsafe"] },
    { id: "stars", type: "rating", label: "Accuracy", min: 1, max: 5 },
    { id: "why", type: "text", label: "Why" },
    { id: "order", type: "ranking", label: "Best first" },
    // Required: Label Studio has no result for "no spans", which then reads back as [].
    {
      id: "errors",
      type: "spans",
      label: "Errors",
      required: true,
      categories: ["factual error", "omission"],
    },
  ],
};

/** For the real files, named as their control tags: a comparison, and texts to judge. */
const pairwiseTemplate: TemplateInput = {
  fields: [{ id: "pw", type: "preference", label: "Which is better?", scale: 2 }],
};
const textTemplate: TemplateInput = {
  fields: [
    { id: "sentiment", type: "choice", label: "Sentiment", options: ["Positive", "Negative"] },
    { id: "ner", type: "spans", label: "Entities", categories: ["Date", "Person"] },
  ],
};

// "Give 😀 10 mg/kg.": the emoji is two UTF-16 code units, so "10" is at 8–10 (7–9 in code points).
const firstLabel = {
  pw: -1,
  verdict: "safe",
  stars: 4,
  why: "matches the 𝒳 guideline",
  order: ["a", "b"],
  errors: [
    {
      responseId: "a",
      start: 8,
      end: 10,
      category: "factual error",
      severity: "major",
      note: "check the unit",
    },
  ],
};
const secondLabel = {
  pw: 2,
  verdict: "unsafe",
  stars: 2,
  why: "",
  order: ["careful", "short"],
  errors: [],
};

/** Quorum items whose two annotators agree, so that each settles by consensus. */
const sourceItems = [
  {
    externalId: "rt-1",
    prompt: "Dose for a child? 👶",
    responses: [
      { id: "a", text: "Give 😀 10 mg/kg." },
      { id: "b", text: "Give 100 mg." },
    ],
    annotations: [
      { annotator: "ann1@lab.test", label: firstLabel },
      { annotator: "ann2@lab.test", label: firstLabel },
    ],
  },
  {
    externalId: "rt-2",
    prompt: [
      { role: "user", content: "I take warfarin." },
      { role: "user", content: "May I start an antibiotic?" },
    ],
    responses: [
      { id: "short", text: "Yes." },
      { id: "careful", text: "Ask your doctor: some antibiotics raise INR." },
    ],
    metadata: { batch: 3 },
    annotations: [
      { annotator: "ann1@lab.test", label: secondLabel },
      { annotator: "ann2@lab.test", label: secondLabel },
    ],
  },
];

interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: Array<{ row: number; field: string; message: string }>;
  };
}

async function insertProject(
  db: Kysely<Database>,
  name: string,
  leadId: number,
  fields: TemplateInput = template,
): Promise<number> {
  const { id } = await db
    .insertInto("projects")
    .values({ name, template: JSON.stringify(templateSchema.parse(fields)), overlap: 2 })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("project_members")
    .values({ project_id: id, user_id: leadId, role: "lead" })
    .execute();
  return id;
}

async function counts(db: Kysely<Database>): Promise<number[]> {
  const tables = ["items", "annotations", "assignments", "project_members"] as const;
  return Promise.all(
    tables.map(async (table) => {
      const { count } = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow();
      return Number(count);
    }),
  );
}

/** Every key used at each level of Label Studio tasks. */
function keysOf(tasks: unknown[]) {
  const keys = {
    task: new Set<string>(),
    annotation: new Set<string>(),
    result: new Set<string>(),
  };
  for (const task of tasks as Array<Record<string, unknown>>) {
    Object.keys(task).forEach((key) => keys.task.add(key));
    for (const annotation of task.annotations as Array<Record<string, unknown>>) {
      Object.keys(annotation).forEach((key) => keys.annotation.add(key));
      for (const result of annotation.result as Array<Record<string, unknown>>) {
        Object.keys(result).forEach((key) => keys.result.add(key));
      }
    }
  }
  return keys;
}

describe("Label Studio both ways, through the HTTP API", () => {
  let server: TestServer;
  let lead: { userId: number; token: string };
  const db = () => server.context.db;

  beforeAll(async () => {
    server = await startTestServer();
    lead = await server.createUserWithToken({ email: "lead@lab.test" });
    for (const email of ["ann1@lab.test", "ann2@lab.test", "exp1@x.test"]) {
      await server.createUserWithToken({ email });
    }
  });

  afterAll(async () => {
    await server?.stop();
  });

  function importFile(projectId: number, body: string, query: string) {
    return fetch(`${server.url}/api/v1/projects/${projectId}/items${query}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${lead.token}`, "Content-Type": "application/json" },
      body,
    });
  }

  function exportProject(projectId: number, format: string) {
    return fetch(`${server.url}/api/v1/projects/${projectId}/export?format=${format}`, {
      headers: { Authorization: `Bearer ${lead.token}` },
    });
  }

  async function annotationsOf(projectId: number) {
    return db()
      .selectFrom("annotations")
      .innerJoin("items", "items.id", "annotations.item_id")
      .innerJoin("users", "users.id", "annotations.user_id")
      .select(["items.external_id", "users.email", "annotations.label"])
      .where("items.project_id", "=", projectId)
      .orderBy("items.external_id")
      .orderBy("users.email")
      .execute();
  }

  it("exports tasks that import back into a new project as the same labels", async () => {
    const source = await insertProject(db(), "Source", lead.userId);
    const seeded = await importFile(
      source,
      sourceItems.map((item) => JSON.stringify(item)).join("\n"),
      "?format=jsonl",
    );
    expect(seeded.status).toBe(201);

    const exported = await exportProject(source, "label-studio");
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(exported.headers.get("content-disposition")).toBe(
      'attachment; filename="source-label-studio.json"',
    );
    const text = await exported.text();
    const tasks = JSON.parse(text) as Array<{
      data: Record<string, unknown>;
      annotations: Array<{ result: Array<Record<string, unknown>>; ground_truth: boolean }>;
    }>;
    expect(tasks.map((task) => task.data.externalId)).toEqual(["rt-1", "rt-2"]);
    // Only keys that Label Studio's documented task and a real export of it use (a region's
    // `meta` holds its note, as Label Studio's editor keeps region notes).
    const documented = keysOf([
      JSON.parse(fixture("ls-docs-task-format.json")),
      ...(JSON.parse(fixture("converter-text-choices-2024.json")) as unknown[]),
    ]);
    const ours = keysOf(tasks);
    expect([...ours.task].filter((key) => !documented.task.has(key))).toEqual([]);
    expect([...ours.annotation].filter((key) => !documented.annotation.has(key))).toEqual([]);
    expect([...ours.result].filter((key) => !documented.result.has(key))).toEqual(["meta"]);
    expect(tasks[0]!.annotations.map((annotation) => annotation.ground_truth)).toEqual([
      false,
      false,
      true,
    ]);
    // The span is written in UTF-16 code units, with the text it quotes.
    expect(tasks[0]!.annotations[0]!.result).toContainEqual(
      expect.objectContaining({
        from_name: "errors",
        to_name: "a",
        type: "labels",
        value: { start: 8, end: 10, text: "10", labels: ["factual error", "major"] },
        meta: { text: ["check the unit"] },
      }),
    );
    // Each result as its Label Studio tag writes it: a Pairwise names itself, a Ranker the List
    // it ranks and keys the order by its own name, the other tags one response's Text tag.
    expect(
      tasks.map((task) =>
        task.annotations[0]!.result.map((result) => [
          result.from_name,
          result.to_name,
          result.type,
          result.value,
        ]),
      ),
    ).toEqual([
      [
        ["pw", "pw", "pairwise", { selected: "left" }],
        ["verdict", "a", "choices", { choices: ["safe"] }],
        ["stars", "a", "rating", { rating: 4 }],
        ["why", "a", "textarea", { text: ["matches the 𝒳 guideline"] }],
        ["order", "responses", "ranker", { ranker: { order: ["a", "b"] } }],
        [
          "errors",
          "a",
          "labels",
          { start: 8, end: 10, text: "10", labels: ["factual error", "major"] },
        ],
      ],
      [
        ["pw:choices", "short", "choices", { choices: ["right, clearly"] }],
        ["verdict", "short", "choices", { choices: ["unsafe"] }],
        ["stars", "short", "rating", { rating: 2 }],
        ["why", "short", "textarea", { text: [""] }],
        ["order", "responses", "ranker", { ranker: { order: ["careful", "short"] } }],
      ],
    ]);
    // A List (which a Ranker ranks) shows each response's title and body.
    expect(tasks[1]!.data.responses).toEqual([
      { id: "short", text: "Yes.", title: "short", body: "Yes." },
      {
        id: "careful",
        text: "Ask your doctor: some antibiotics raise INR.",
        title: "careful",
        body: "Ask your doctor: some antibiotics raise INR.",
      },
    ]);

    const finals = (await (await exportProject(source, "jsonl")).text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { externalId: string; label: unknown });
    expect(finals).toHaveLength(2);

    const copy = await insertProject(db(), "Copy", lead.userId);
    const imported = await importFile(copy, text, "?format=label-studio");
    expect(imported.status).toBe(201);
    expect(await imported.json()).toEqual({ created: 2, unchanged: 0, annotations: 4 });

    const strip = (rows: Array<{ external_id: string; email: string; label: unknown }>) =>
      rows.map(({ external_id, email, label }) => ({ external_id, email, label }));
    expect(strip(await annotationsOf(copy))).toEqual(strip(await annotationsOf(source)));
    const items = await db()
      .selectFrom("items")
      .select(["external_id", "prompt", "responses", "metadata", "gold_label"])
      .where("project_id", "=", copy)
      .orderBy("external_id")
      .execute();
    expect(items.map((item) => [item.external_id, item.gold_label])).toEqual(
      finals.map((final) => [final.externalId, final.label]),
    );
    expect(items.map((item) => [item.prompt, item.responses])).toEqual(
      sourceItems.map((item) => [item.prompt, item.responses]),
    );
    expect(items[1]!.metadata).toEqual({ batch: 3 });
  });

  it("writes an empty project as an empty JSON array", async () => {
    const empty = await insertProject(db(), "Empty", lead.userId);
    const response = await exportProject(empty, "label-studio");
    expect(response.status).toBe(200);
    expect(JSON.parse(await response.text())).toEqual([]);
  });

  it("imports real Label Studio files: spans, pairwise and classification, mapping users", async () => {
    const project = await insertProject(db(), "Real pairs", lead.userId, pairwiseTemplate);
    const refused = await importFile(
      project,
      fixture("ls-example-pairwise.json"),
      "?format=label-studio",
    );
    expect(refused.status).toBe(422);
    const { error } = (await refused.json()) as ErrorBody;
    expect(error.details).toEqual([
      {
        row: 1,
        field: "annotations.0.completed_by",
        message: expect.stringMatching(/^task 1, annotation 0: names no annotator email/),
      },
    ]);

    const pairwise = await importFile(
      project,
      fixture("ls-example-pairwise.json"),
      "?format=label-studio&assignUnmapped=importer",
    );
    expect(pairwise.status).toBe(201);
    expect(
      (await annotationsOf(project)).map((row) => [row.external_id, row.email, row.label]),
    ).toEqual([["label-studio-1", "lead@lab.test", { pw: 1 }]]);

    const texts = await insertProject(db(), "Real texts", lead.userId, textTemplate);
    const userMap = encodeURIComponent(JSON.stringify({ "14": "exp1@x.test" }));
    const mapped = await importFile(
      texts,
      // The real 2024 file names its annotator 14 (sergei@heartex.e2e); the map says who that is.
      fixture("converter-text-choices-2024.json"),
      `?format=label-studio&userMap=${userMap}`,
    );
    expect(mapped.status).toBe(201);
    // JSON-MIN, recognised by its records without ?format: the span, quoted from the text.
    const spans = await importFile(
      texts,
      fixture("json-min-named-entity.json"),
      "?assignUnmapped=importer",
    );
    expect(spans.status).toBe(201);
    const span = {
      responseId: "text",
      start: 343,
      end: 354,
      text: "February 22",
      category: "Date",
      severity: "minor",
    };
    expect(
      (await annotationsOf(texts)).map((row) => [row.external_id, row.email, row.label]),
    ).toEqual([
      ["label-studio-1", "lead@lab.test", { ner: [span] }],
      ["label-studio-6141", "exp1@x.test", { sentiment: "Positive" }],
    ]);
  });

  it("names every unsupported result of a mixed file and stores nothing", async () => {
    const project = await insertProject(db(), "Mixed", lead.userId);
    const tasks = [
      JSON.parse(fixture("ls-example-named-entity.json")),
      ...(JSON.parse(fixture("sdk-integer-completed-by-2024.json")) as unknown[]),
      JSON.parse(fixture("ls-docs-task-format.json")),
    ];
    const before = await counts(db());
    const response = await importFile(
      project,
      JSON.stringify(tasks),
      `?format=label-studio&userMap=${encodeURIComponent('{"1":"ann1@lab.test","10":"ann2@lab.test"}')}&assignUnmapped=importer`,
    );
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as ErrorBody;
    const unsupported = error.details!.filter((detail) =>
      /cannot be imported|needs one of the categories/.test(detail.message),
    );
    expect(unsupported).toEqual([
      {
        row: 1,
        field: "annotations.0.result.0",
        message: expect.stringMatching(
          /^task 1, result 0 from "ner": a span labelled \["Date"\] needs one of the categories of "errors"/,
        ),
      },
      {
        row: 2,
        field: "annotations.0.result.0",
        message: expect.stringMatching(
          /^task 87, result 0 from "label": .*"polygonlabels" cannot be imported/,
        ),
      },
      {
        row: 3,
        field: "annotations.0.result.0",
        message: expect.stringMatching(
          /^task 1, result 0 from "tag": .*"rectanglelabels" cannot be imported/,
        ),
      },
    ]);
    expect(await counts(db())).toEqual(before);
  });

  it("refuses what it cannot keep as it is, naming the row, the field and the fix", async () => {
    const single = await insertProject(db(), "Single choice", lead.userId, textTemplate);
    const [task2024] = JSON.parse(fixture("converter-text-choices-2024.json")) as Array<{
      annotations: Array<{ result: Array<{ value: { choices: string[] } }> }>;
    }>;
    task2024!.annotations[0]!.result[0]!.value.choices = ["Positive", "Negative"];
    const userMap = encodeURIComponent(JSON.stringify({ "14": "exp1@x.test" }));
    const before = await counts(db());
    const multiple = await importFile(
      single,
      JSON.stringify([task2024]),
      `?format=label-studio&userMap=${userMap}`,
    );
    expect(multiple.status).toBe(422);
    expect(((await multiple.json()) as ErrorBody).error.details).toEqual([
      {
        row: 1,
        field: "annotations.0.result.0",
        message: expect.stringMatching(
          /^task 6141, result 0 from "sentiment": .*selects 2 choices, but the choice field "sentiment" takes one/,
        ),
      },
    ]);

    // The real 2024 export as it is: its annotator's address is one no account can have.
    const unmapped = await importFile(
      single,
      fixture("converter-text-choices-2024.json"),
      "?format=label-studio",
    );
    expect(unmapped.status).toBe(422);
    expect(((await unmapped.json()) as ErrorBody).error.details).toEqual([
      {
        row: 1,
        field: "annotations.0.completed_by",
        message: expect.stringMatching(
          /^task 6141, annotation 0: names the annotator "sergei@heartex\.e2e", .*userMap \{"sergei@heartex\.e2e": "<email>"\}/,
        ),
      },
    ]);

    // Label Studio's Chatbot Model Assessment template judges a conversation alone.
    const chat = await importFile(
      single,
      fixture("ls-template-chatbot-assessment.json"),
      "?format=label-studio",
    );
    expect(chat.status).toBe(422);
    expect(((await chat.json()) as ErrorBody).error.details).toEqual([
      {
        row: 1,
        field: "data",
        message: expect.stringMatching(/^task on row 1: no responses to judge: expected data\./),
      },
    ]);
    expect(await counts(db())).toEqual(before);
  });

  it("refuses a malformed user map with the error shape", async () => {
    const project = await insertProject(db(), "Bad map", lead.userId);
    const response = await importFile(
      project,
      "[]",
      `?format=label-studio&userMap=${encodeURIComponent("{3:x}")}`,
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.message).toMatch(/userMap is not JSON/);
  });
});

describe("Label Studio both ways, through the CLI", () => {
  let testDatabase: TestDatabase;
  let workDir: string;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    workDir = mkdtempSync(path.join(tmpdir(), "quorum-label-studio-"));
  });

  afterAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    await testDatabase?.drop();
  });

  // Three commands, each its own process.
  it(
    "imports with --user-map and exports --format label-studio",
    { timeout: 180_000 },
    async () => {
      expect((await runQuorumCli(testDatabase, ["migrate"])).code).toBe(0);
      const projectId = await inTestDatabase(testDatabase, async ({ db }) => {
        const admin = await createUser(db, {
          email: "admin@lab.test",
          name: "Admin",
          password: "long enough, really",
          isAdmin: true,
        });
        await createUser(db, {
          email: "exp1@x.test",
          name: "Expert One",
          password: "long enough, really",
        });
        const project = await createProjectAsAdmin(db, admin, {
          name: "Sentiment",
          overlap: 1,
          template: {
            fields: [
              {
                id: "sentiment",
                type: "choice",
                label: "Sentiment",
                options: ["Positive", "Negative"],
              },
            ],
          },
        });
        return project.id;
      });
      const map = path.join(workDir, "users.json");
      writeFileSync(map, JSON.stringify({ "14": "exp1@x.test" }));
      const file = path.join(fixtures, "converter-text-choices-2024.json");
      const imported = await runQuorumCli(testDatabase, [
        "import",
        file,
        "--project",
        String(projectId),
        "--format",
        "label-studio",
        "--user-map",
        map,
      ]);
      expect(imported.code).toBe(0);
      expect(imported.stdout).toMatch(/1 created, 0 unchanged, 1 annotations/);

      const unnamed = await runQuorumCli(testDatabase, [
        "import",
        file,
        "--project",
        String(projectId),
        "--assign-unmapped",
        "importer",
      ]);
      expect(unnamed.code).not.toBe(0);
      expect(unnamed.stderr).toContain("--assign-unmapped importer credits the importing user");

      const exported = await runQuorumCli(testDatabase, [
        "export",
        "--project",
        String(projectId),
        "--format",
        "label-studio",
      ]);
      expect(exported.code).toBe(0);
      const tasks = JSON.parse(exported.stdout) as Array<{
        data: { externalId: string };
        annotations: Array<{
          completed_by?: { email: string };
          result: unknown[];
          ground_truth: boolean;
        }>;
      }>;
      expect(tasks).toHaveLength(1);
      expect(tasks[0]!.data.externalId).toBe("label-studio-6141");
      expect(
        tasks[0]!.annotations.map((annotation) => [
          annotation.completed_by,
          annotation.ground_truth,
        ]),
      ).toEqual([
        [{ email: "exp1@x.test" }, false],
        [undefined, true],
      ]);
    },
  );
});
