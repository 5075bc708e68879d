import { constants as bufferConstants } from "node:buffer";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { constants as zlibConstants, createGzip, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { templateSchema, type TemplateInput } from "../../app/domain/template.ts";
import type { DatabaseHandle } from "../../db/client.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import type { Database } from "../../db/schema.ts";
import { itemContentHash } from "../../server/services/seed.ts";
import { createUser } from "../../server/services/users.ts";
import { runQuorumCli } from "../setup/cli.ts";
import { createTestDatabase, inTestDatabase, type TestDatabase } from "../setup/database.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import type { Kysely } from "kysely";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const fixtures = path.join(repoRoot, "tests/fixtures/import");
const hhRlhfFile = path.resolve(repoRoot, "../shared/data/hh-rlhf-harmless-base-test.jsonl.gz");
/**
 * The real HH-RLHF file sits beside a checkout in CI and on the team's machines, not in the
 * repository; elsewhere its tests are skipped with a message, but in CI its absence is a failure.
 */
const hhRlhfAvailable = existsSync(hhRlhfFile);
if (!hhRlhfAvailable) {
  if (process.env.CI) throw new Error(`CI needs the HH-RLHF test file at ${hhRlhfFile}`);
  process.stderr.write(`Skipping the HH-RLHF import tests: ${hhRlhfFile} is not there.\n`);
}

const pairTemplate: TemplateInput = {
  fields: [
    {
      id: "preference",
      type: "preference",
      label: "Which answer is better?",
      required: true,
      scale: 2,
    },
    { id: "verdict", type: "choice", label: "Is it safe?", options: ["safe", "unsafe"] },
    {
      id: "errors",
      type: "spans",
      label: "Errors",
      categories: ["factual error", "omission"],
    },
  ],
};

interface Member {
  userId: number;
  token: string;
}

async function createProject(
  db: Kysely<Database>,
  name: string,
  members: Array<[Member, "lead" | "annotator" | "client"]>,
  overlap = 3,
): Promise<number> {
  const { id } = await db
    .insertInto("projects")
    .values({ name, template: JSON.stringify(templateSchema.parse(pairTemplate)), overlap })
    .returning("id")
    .executeTakeFirstOrThrow();
  if (members.length > 0) {
    await db
      .insertInto("project_members")
      .values(members.map(([member, role]) => ({ project_id: id, user_id: member.userId, role })))
      .execute();
  }
  return id;
}

const countedTables = [
  "items",
  "annotations",
  "assignments",
  "project_members",
  "item_outcomes",
  "audit_log",
] as const;

async function tableCounts(db: Kysely<Database>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of countedTables) {
    const { count } = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    counts[table] = count;
  }
  return counts;
}

interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: Array<{ row: number; field: string; message: string }>;
  };
}

function fixture(name: string): string {
  return readFileSync(path.join(fixtures, name), "utf8");
}

function hhRlhfText(): string {
  return gunzipSync(readFileSync(hhRlhfFile)).toString("utf8");
}

function generatedItems(count: number): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) {
    lines.push(
      JSON.stringify({
        externalId: `gen-${index}`,
        prompt: `Question ${index}: which dose is appropriate?`,
        responses: [
          { id: "a", text: `Answer A to question ${index}.` },
          { id: "b", text: `Answer B to question ${index}, with more detail.` },
        ],
      }),
    );
  }
  return lines.join("\n");
}

describe("POST /api/v1/projects/:id/items", () => {
  let server: TestServer;
  let lead: Member;
  let annotator: Member;
  let client: Member;
  let outsider: Member;
  let admin: Member;
  let projectId: number;
  let otherProjectId: number;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.createUserWithToken({ email: "admin@example.test", isAdmin: true });
    lead = await server.createUserWithToken({ email: "lead@example.test" });
    annotator = await server.createUserWithToken({ email: "annotator@example.test" });
    client = await server.createUserWithToken({ email: "client@example.test" });
    outsider = await server.createUserWithToken({ email: "outsider@example.test" });
    for (const email of ["expert1@example.test", "expert2@example.test", "expert3@example.test"]) {
      await server.createUserWithToken({ email, level: "expert", domains: ["medical"] });
    }
    projectId = await createProject(server.context.db, "Clinical pairs", [
      [lead, "lead"],
      [annotator, "annotator"],
      [client, "client"],
    ]);
    otherProjectId = await createProject(server.context.db, "Another project", [[lead, "lead"]]);
  });

  afterAll(async () => {
    await server?.stop();
  });

  function post(
    body: string | ReadableStream<Uint8Array>,
    options: { contentType?: string; token?: string; query?: string; project?: number } = {},
  ) {
    const headers = new Headers();
    if (options.contentType !== undefined) headers.set("Content-Type", options.contentType);
    const token = options.token ?? lead.token;
    if (token) headers.set("Authorization", `Bearer ${token}`);
    const url = `${server.url}/api/v1/projects/${options.project ?? projectId}/items${options.query ?? ""}`;
    return fetch(url, {
      method: "POST",
      headers,
      body,
      ...(typeof body === "string" ? {} : { duplex: "half" }),
    } as RequestInit);
  }

  async function expectRejected(response: Response, status: number, code: string) {
    expect(response.status).toBe(status);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    return body.error;
  }

  const db = () => server.context.db;

  describe("good files", () => {
    it("imports a JSON array: items, gold labels and annotations made elsewhere", async () => {
      const before = await tableCounts(db());
      const response = await post(fixture("items.json"), { contentType: "application/json" });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ created: 3, unchanged: 0, annotations: 2 });

      const items = await db()
        .selectFrom("items")
        .selectAll()
        .where("project_id", "=", projectId)
        .where("external_id", "like", "med-%")
        .orderBy("external_id")
        .execute();
      expect(items.map((item) => item.external_id)).toEqual(["med-001", "med-002", "med-003"]);
      const [first, second, third] = items;
      expect(first).toMatchObject({
        domain: "medical",
        metadata: { source: "pharmacy-qa", difficulty: 3 },
        gold_label: { preference: 2, verdict: "safe" },
        status: "queued",
      });
      expect(first!.content_hash).toBe(itemContentHash(first!.prompt, first!.responses));
      expect(second!.prompt).toEqual([
        { role: "user", content: "My child has a fever of 39.5 °C." },
        { role: "assistant", content: "How old is your child, and how long has the fever lasted?" },
        { role: "user", content: "She is 4 months old; since this morning." },
      ]);
      // Two of three labels are in: the item is being annotated.
      expect(second!.status).toBe("annotating");
      expect(third).toMatchObject({ status: "queued", gold_label: null, metadata: {} });

      const annotations = await db()
        .selectFrom("annotations")
        .innerJoin("users", "users.id", "annotations.user_id")
        .select(["users.email", "annotations.label", "annotations.source"])
        .select(["annotations.submitted_at", "annotations.duration_ms"])
        .where("annotations.item_id", "=", second!.id)
        .orderBy("users.email")
        .execute();
      expect(annotations).toEqual([
        expect.objectContaining({
          email: "expert1@example.test",
          source: "import",
          duration_ms: 95000,
          submitted_at: new Date("2026-11-20T10:15:00Z"),
        }),
        expect.objectContaining({
          email: "expert2@example.test",
          label: { preference: 1, verdict: "safe" },
          submitted_at: new Date("2026-11-20T10:00:00Z"),
        }),
      ]);
      const assignments = await db()
        .selectFrom("assignments")
        .select(["status", "completed_at"])
        .where("item_id", "=", second!.id)
        .execute();
      expect(assignments).toHaveLength(2);
      expect(assignments.every((assignment) => assignment.status === "submitted")).toBe(true);

      // The annotators became annotators of the project.
      const roles = await db()
        .selectFrom("project_members")
        .innerJoin("users", "users.id", "project_members.user_id")
        .select(["users.email", "project_members.role"])
        .where("project_id", "=", projectId)
        .where("users.email", "like", "expert%")
        .orderBy("users.email")
        .execute();
      expect(roles).toEqual([
        { email: "expert1@example.test", role: "annotator" },
        { email: "expert2@example.test", role: "annotator" },
      ]);

      const audit = await db()
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "items.import")
        .orderBy("id", "desc")
        .executeTakeFirstOrThrow();
      expect(audit).toMatchObject({
        actor_id: lead.userId,
        project_id: projectId,
        details: expect.objectContaining({ format: "json", created: 3, annotations: 2 }),
      });
      const after = await tableCounts(db());
      expect(after.items - before.items).toBe(3);
      expect(after.annotations - before.annotations).toBe(2);
    });

    it("is idempotent on externalId: the same file again changes nothing", async () => {
      const before = await tableCounts(db());
      const response = await post(fixture("items.json"), { contentType: "application/json" });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ created: 0, unchanged: 3, annotations: 0 });
      const after = await tableCounts(db());
      expect({ ...after, audit_log: before.audit_log }).toEqual(before);
    });

    it("imports NDJSON, skipping blank lines", async () => {
      const response = await post(fixture("items.jsonl"), {
        contentType: "application/x-ndjson",
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ created: 3, unchanged: 0, annotations: 0 });
      const gold = await db()
        .selectFrom("items")
        .select("gold_label")
        .where("project_id", "=", projectId)
        .where("external_id", "=", "law-003")
        .executeTakeFirstOrThrow();
      expect(gold.gold_label).toEqual({ preference: -2 });
    });

    it("imports CSV through the documented column mapping", async () => {
      const response = await post(fixture("items.csv"), { contentType: "text/csv" });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ created: 3, unchanged: 0, annotations: 0 });
      const items = await db()
        .selectFrom("items")
        .selectAll()
        .where("project_id", "=", projectId)
        .where("external_id", "like", "code-%")
        .orderBy("external_id")
        .execute();
      expect(items[0]).toMatchObject({
        prompt: "Why does `for i in range(len(xs)): xs.remove(xs[i])` fail?",
        responses: [
          {
            id: "a",
            model: "model-x",
            text: "Removing while iterating by index shifts the later elements, so the loop skips some and finally runs past the end.",
          },
          { id: "b", model: "model-y", text: "It works fine." },
        ],
        domain: "code",
        metadata: { source: "stackoverflow" },
        gold_label: { preference: -2 },
      });
      expect(items[1]!.prompt).toEqual([
        { role: "user", content: "Write a SQL query for the ten largest orders." },
        { role: "assistant", content: "Which database?" },
        { role: "user", content: "PostgreSQL." },
      ]);
      // Text that merely starts with "[" stays text; empty model cells are left out.
      expect(items[2]).toMatchObject({
        prompt: "[Draft] Explain what a race condition is, in one sentence.",
        domain: null,
        metadata: { source: "forum" },
      });
      expect(items[2]!.responses).toEqual([
        {
          id: "a",
          text: "Two threads access shared data at the same time and the outcome depends on their timing.",
        },
        { id: "b", text: "A race condition is when a program runs fast." },
      ]);
    });

    it("lets ?format= override the content type", async () => {
      const response = await post(fixture("items.jsonl"), {
        contentType: "text/plain",
        query: "?format=jsonl",
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ created: 0, unchanged: 3, annotations: 0 });
    });
  });

  describe("bad rows", () => {
    it("names every bad row and field, and stores nothing", async () => {
      const valid = {
        externalId: "bad-file-valid",
        prompt: "A valid row in a file with bad ones.",
        responses: [
          { id: "a", text: "First." },
          { id: "b", text: "Second." },
        ],
      };
      const rows: unknown[] = [
        valid,
        { ...valid, externalId: "missing-response", responses: [{ id: "a", text: "Only one." }] },
        {
          ...valid,
          externalId: "response-without-text",
          responses: [{ id: "a", text: "First." }, { id: "b" }],
        },
        { ...valid, externalId: "gold-off-template", gold: { label: { preference: 5 } } },
        {
          ...valid,
          externalId: "unknown-field",
          annotations: [
            { annotator: "expert1@example.test", label: { preference: 1, mood: "happy" } },
          ],
        },
        {
          ...valid,
          externalId: "span-outside",
          annotations: [
            {
              annotator: "expert1@example.test",
              label: {
                preference: 1,
                errors: [
                  {
                    responseId: "a",
                    start: 2,
                    end: 60,
                    category: "factual error",
                    severity: "major",
                  },
                ],
              },
            },
          ],
        },
        {
          ...valid,
          externalId: "unknown-annotator",
          annotations: [{ annotator: "nobody@example.test", label: { preference: -1 } }],
        },
        { ...valid, prompt: "The same externalId as row 1, with a different prompt." },
        { ...valid, externalId: "med-003" },
        { ...valid, externalId: "from-elsewhere", projectId: otherProjectId },
        { ...valid, externalId: "prompt-number", prompt: 42 },
        "not an item",
      ];
      const before = await tableCounts(db());
      const response = await post(rows.map((row) => JSON.stringify(row)).join("\n"), {
        contentType: "application/x-ndjson",
      });
      const error = await expectRejected(response, 422, "validation_failed");
      expect(error.message).toMatch(/nothing was imported/);
      const found = (row: number, field: string, message: RegExp) =>
        expect(error.details).toContainEqual({
          row,
          field,
          message: expect.stringMatching(message),
        });
      found(2, "responses", /at least 2/);
      found(3, "responses.1.text", /string/);
      found(4, "gold.label.preference", /2/);
      found(5, "annotations.0.label", /mood/);
      found(6, "annotations.0.label.errors.0.end", /response length \(6\)/);
      found(7, "annotations.0.annotator", /no user with email nobody@example\.test/);
      found(8, "externalId", /also on row 1 with different content/);
      found(9, "externalId", /already in the project with a different prompt/);
      found(10, "projectId", new RegExp(`belongs to project ${otherProjectId}`));
      found(11, "prompt", /./);
      found(12, "(root)", /object/);
      expect(new Set(error.details!.map((detail) => detail.row))).toEqual(
        new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
      );
      expect(await tableCounts(db())).toEqual(before);
    });

    it("refuses a label that contradicts one already imported, and stores nothing", async () => {
      const items = JSON.parse(fixture("items.json")) as Array<Record<string, unknown>>;
      const changed = items.map((item) =>
        item.externalId === "med-002"
          ? {
              ...item,
              annotations: [
                { annotator: "expert1@example.test", label: { preference: -2 } },
                { annotator: "expert3@example.test", label: { preference: 1 } },
              ],
            }
          : item,
      );
      const before = await tableCounts(db());
      const error = await expectRejected(
        await post(JSON.stringify(changed), { contentType: "application/json" }),
        422,
        "validation_failed",
      );
      expect(error.details).toEqual([
        {
          row: 2,
          field: "annotations.0.label",
          message: "expert1@example.test already has a different label on this item",
        },
      ]);
      expect(await tableCounts(db())).toEqual(before);
    });

    it("caps the list of problems and says how many there were", async () => {
      const rows = Array.from({ length: 1500 }, (_, index) =>
        JSON.stringify({ externalId: `capped-${index}`, prompt: "p", responses: [] }),
      );
      const error = await expectRejected(
        await post(rows.join("\n"), { contentType: "application/x-ndjson" }),
        422,
        "validation_failed",
      );
      expect(error.details).toHaveLength(1000);
      expect(error.message).toMatch(/1500 problem\(s\) in 1500 row\(s\).*first 1000 are listed/);
    });

    it("answers a malformed file with 400 naming the line or row", async () => {
      const before = await tableCounts(db());
      const ndjson = await expectRejected(
        await post('{"externalId":"x","prompt":"p","responses":[]}\n\n{"externalId": "y",', {
          contentType: "application/x-ndjson",
        }),
        400,
        "bad_request",
      );
      expect(ndjson.message).toMatch(/Line 3 \(row 2\) is not valid JSON/);
      const array = await expectRejected(
        await post('[\n  {"externalId": "x"},\n  {"externalId": }\n]', {
          contentType: "application/json",
        }),
        400,
        "bad_request",
      );
      expect(array.message).toMatch(/row 2 \(line 3\)/);
      const notArray = await expectRejected(
        await post('{"externalId": "x"}', { contentType: "application/json" }),
        400,
        "bad_request",
      );
      expect(notArray.message).toMatch(/JSON array/);
      const csv = await expectRejected(
        await post('external_id,prompt,response_a\nx,"unclosed,quote\n', {
          contentType: "text/csv",
        }),
        400,
        "bad_request",
      );
      expect(csv.message).toMatch(/CSV is malformed.*line/i);
      const header = await expectRejected(
        await post("external_id,question,response_a\nx,y,z\n", { contentType: "text/csv" }),
        400,
        "bad_request",
      );
      expect(header.message).toMatch(/unknown column "question".*"prompt" is missing/);
      const empty = await expectRejected(
        await post("", { contentType: "application/json" }),
        400,
        "bad_request",
      );
      expect(empty.message).toMatch(/empty/);
      expect(await tableCounts(db())).toEqual(before);
    });

    it("refuses a content type it cannot read (415) and an unknown ?format (400)", async () => {
      const wrongType = await expectRejected(
        await post("externalId: x", { contentType: "text/plain" }),
        415,
        "unsupported_media_type",
      );
      expect(wrongType.message).toMatch(/application\/json.*text\/csv/);
      await expectRejected(
        await post(fixture("items.jsonl"), { contentType: "application/json; charset=latin1" }),
        415,
        "unsupported_media_type",
      );
      const format = await expectRejected(
        await post(fixture("items.jsonl"), { query: "?format=xml" }),
        400,
        "bad_request",
      );
      expect(format.message).toMatch(/json, jsonl, csv, label-studio, hh-rlhf/);
    });
  });

  describe("permissions", () => {
    it("lets only leads and admins import: 403 for annotators and clients, 404 for others", async () => {
      const before = await tableCounts(db());
      const body = fixture("items.jsonl").replaceAll("law-", "perm-");
      const options = { contentType: "application/x-ndjson" };
      await expectRejected(
        await post(body, { ...options, token: annotator.token }),
        403,
        "forbidden",
      );
      await expectRejected(await post(body, { ...options, token: client.token }), 403, "forbidden");
      await expectRejected(
        await post(body, { ...options, token: outsider.token }),
        404,
        "not_found",
      );
      await expectRejected(await post(body, { ...options, token: "" }), 401, "unauthorized");
      await expectRejected(await post(body, { ...options, project: 999_999 }), 404, "not_found");
      expect(await tableCounts(db())).toEqual(before);
      const asAdmin = await post(body, { ...options, token: admin.token });
      expect(asAdmin.status).toBe(201);
    });
  });

  describe("Label Studio export", () => {
    it("imports tasks with several annotators' pairwise results as items and annotations", async () => {
      const lsProject = await createProject(server.context.db, "From Label Studio", [
        [lead, "lead"],
      ]);
      const response = await post(fixture("label-studio-export.json"), {
        contentType: "application/json",
        query: "?format=label-studio",
        project: lsProject,
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ created: 4, unchanged: 0, annotations: 10 });

      const items = await db()
        .selectFrom("items")
        .selectAll()
        .where("project_id", "=", lsProject)
        .orderBy("external_id")
        .execute();
      expect(items.map((item) => [item.external_id, item.status])).toEqual([
        // A gold item scores annotators: it stays in the queue whatever labels it has.
        ["label-studio-103", "queued"],
        ["ls-1", "consensus"],
        ["ls-2", "disputed"],
        ["ls-4", "annotating"],
      ]);
      const [third, first] = items;
      expect(first!.responses).toEqual([
        { id: "answer1", text: "Start a beta blocker." },
        {
          id: "answer2",
          text: "An ACE inhibitor or a calcium channel blocker, depending on age and ethnicity, with lifestyle advice.",
        },
      ]);
      expect(first!.metadata).toEqual({ labelStudioTaskId: 101 });
      // The ground-truth annotation became the gold label, not an annotation.
      expect(third!.gold_label).toEqual({ preference: -1, verdict: "safe" });

      const labels = await db()
        .selectFrom("annotations")
        .innerJoin("users", "users.id", "annotations.user_id")
        .innerJoin("items", "items.id", "annotations.item_id")
        .select(["items.external_id", "users.email", "annotations.label"])
        .select(["annotations.source", "annotations.duration_ms"])
        .where("items.project_id", "=", lsProject)
        .orderBy("items.external_id")
        .orderBy("users.email")
        .execute();
      expect(labels.map((row) => [row.external_id, row.email, row.label])).toEqual([
        ["label-studio-103", "expert1@example.test", { preference: -1 }],
        ["label-studio-103", "expert3@example.test", { preference: -1 }],
        ["ls-1", "expert1@example.test", { preference: 1, verdict: "safe" }],
        ["ls-1", "expert2@example.test", { preference: 1 }],
        ["ls-1", "expert3@example.test", { preference: 1 }],
        ["ls-2", "expert1@example.test", { preference: -1 }],
        ["ls-2", "expert2@example.test", { preference: 1 }],
        ["ls-2", "expert3@example.test", { preference: 1 }],
        // "answer2,answer1" with "left" selected prefers answer2, the second response.
        ["ls-4", "expert2@example.test", { preference: 1 }],
        ["ls-4", "expert3@example.test", { preference: 1 }],
      ]);
      expect(labels.every((row) => row.source === "import")).toBe(true);
      expect(labels.find((row) => row.external_id === "ls-1")?.duration_ms).toBe(42500);

      const outcomes = await db()
        .selectFrom("item_outcomes")
        .innerJoin("items", "items.id", "item_outcomes.item_id")
        .select(["items.external_id", "item_outcomes.disputed"])
        .where("items.project_id", "=", lsProject)
        .orderBy("items.external_id")
        .execute();
      expect(outcomes).toEqual([
        { external_id: "ls-1", disputed: false },
        { external_id: "ls-2", disputed: true },
      ]);

      const again = await post(fixture("label-studio-export.json"), {
        contentType: "application/json",
        query: "?format=label-studio",
        project: lsProject,
      });
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ created: 0, unchanged: 4, annotations: 0 });
    });

    it("is recognised without ?format, and names results it cannot map", async () => {
      const lsProject = await createProject(server.context.db, "Label Studio errors", [
        [lead, "lead"],
      ]);
      const tasks = JSON.parse(fixture("label-studio-export.json")) as Array<{
        annotations: Array<Record<string, unknown>>;
      }>;
      tasks[0]!.annotations[0]!.result = [
        {
          from_name: "box",
          to_name: "image",
          type: "rectanglelabels",
          value: { x: 1, y: 2, width: 3, height: 4, rectanglelabels: ["tumour"] },
        },
      ];
      tasks[1]!.annotations[0]!.completed_by = 3;
      tasks[2]!.annotations[0]!.completed_by = { id: 99, email: "stranger@example.test" };
      const before = await tableCounts(db());
      const error = await expectRejected(
        await post(JSON.stringify(tasks), { contentType: "application/json", project: lsProject }),
        422,
        "validation_failed",
      );
      expect(error.details).toContainEqual({
        row: 1,
        field: "annotations.0.result.0",
        message: expect.stringMatching(/"rectanglelabels" cannot be imported/),
      });
      // Without that result the label lacks its required preference, which is said too.
      expect(error.details).toContainEqual({
        row: 1,
        field: "annotations.0.label.preference",
        message: expect.stringMatching(/expected number/),
      });
      expect(error.details).toContainEqual({
        row: 2,
        field: "annotations.0.completed_by",
        message: expect.stringMatching(/no annotator email/),
      });
      expect(error.details).toContainEqual({
        row: 3,
        field: "annotations.0.annotator",
        message: expect.stringMatching(/no user with email stranger@example\.test/),
      });
      expect(error.details).toHaveLength(4);
      expect(await tableCounts(db())).toEqual(before);
    });
  });

  describe.skipIf(!hhRlhfAvailable)("HH-RLHF", () => {
    it("imports the real harmless-base test file: 2,312 conversations with two replies each", async () => {
      const hhProject = await createProject(server.context.db, "HH-RLHF", [[lead, "lead"]]);
      const text = hhRlhfText();
      const response = await post(text, {
        contentType: "application/x-ndjson",
        project: hhProject,
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ created: 2312, unchanged: 0, annotations: 0 });

      const items = await db()
        .selectFrom("items")
        .select(["external_id", "prompt", "responses", "metadata"])
        .where("project_id", "=", hhProject)
        .execute();
      expect(items).toHaveLength(2312);

      const speaker = { user: "Human", assistant: "Assistant" } as Record<string, string>;
      const original = new Set(
        text
          .split("\n")
          .filter((line) => line.trim().length > 0)
          .map((line) => {
            const pair = JSON.parse(line) as { chosen: string; rejected: string };
            return JSON.stringify([pair.chosen, pair.rejected]);
          }),
      );
      const chosenIds = new Set<string>();
      for (const item of items) {
        const prompt = item.prompt as Array<{ role: string; content: string }>;
        const responses = item.responses as Array<{ id: string; text: string }>;
        const metadata = item.metadata as { source: string; chosen: string; rejected: string };
        expect(responses.map((r) => r.id)).toEqual(["a", "b"]);
        expect(metadata.source).toBe("hh-rlhf");
        chosenIds.add(metadata.chosen);
        const transcript = prompt
          .map((turn) => `\n\n${speaker[turn.role]}: ${turn.content}`)
          .join("");
        const reply = (id: string) =>
          `${transcript}\n\nAssistant: ${responses.find((r) => r.id === id)!.text}`;
        // Every pair comes back exactly as published: nothing is lost for a DPO export.
        expect(
          original.has(JSON.stringify([reply(metadata.chosen), reply(metadata.rejected)])),
        ).toBe(true);
      }
      // Which reply was chosen does not follow from its position.
      expect(chosenIds).toEqual(new Set(["a", "b"]));

      const pen = items.find((item) =>
        JSON.stringify(item.prompt).includes("what are some pranks with a pen i can do?"),
      );
      const conversation = pen!.prompt as Array<{ role: string; content: string }>;
      expect(conversation.map((turn) => turn.role)).toEqual([
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
      ]);
      expect(conversation[1]!.content).toBe("Are you looking for practical joke ideas?");
      expect(conversation[4]!.content).toBe(
        "okay some of these do not have anything to do with pens",
      );
      const penMetadata = pen!.metadata as { chosen: string };
      const penResponses = pen!.responses as Array<{ id: string; text: string }>;
      expect(penResponses.find((r) => r.id === penMetadata.chosen)!.text).toBe(
        "No, sorry!  All of these involve a pen, the point is that you can get funny results by doing pranks with pens.",
      );

      const again = await post(text, { query: "?format=hh-rlhf", project: hhProject });
      expect(await again.json()).toEqual({ created: 0, unchanged: 2312, annotations: 0 });
    });
  });

  describe("HH-RLHF pairs with chosen and rejected swapped", () => {
    const pair = {
      chosen:
        "\n\nHuman: Is it safe to mix bleach and ammonia?\n\nAssistant: No: it releases toxic chloramine gas.",
      rejected:
        "\n\nHuman: Is it safe to mix bleach and ammonia?\n\nAssistant: Yes, it makes a stronger cleaner.",
    };
    const swapped = { chosen: pair.rejected, rejected: pair.chosen };
    const line = (record: object) => `${JSON.stringify(record)}\n`;

    it("are one item: importing the swapped pair later is refused as a conflicting preference", async () => {
      const pairProject = await createProject(server.context.db, "Swapped pairs", [[lead, "lead"]]);
      const first = await post(line(pair), { query: "?format=hh-rlhf", project: pairProject });
      expect(await first.json()).toEqual({ created: 1, unchanged: 0, annotations: 0 });
      const before = await tableCounts(db());

      const second = await post(line(swapped), { query: "?format=hh-rlhf", project: pairProject });
      expect(second.status).toBe(422);
      const { error } = (await second.json()) as { error: { details: unknown[] } };
      expect(error.details).toEqual([
        {
          row: 1,
          field: "chosen",
          message: expect.stringMatching(/other way round: a conflicting preference/),
        },
      ]);
      expect(await tableCounts(db())).toEqual(before);

      const again = await post(line(pair), { query: "?format=hh-rlhf", project: pairProject });
      expect(await again.json()).toEqual({ created: 0, unchanged: 1, annotations: 0 });
    });

    it("in one file, name the conflicting rows", async () => {
      const pairProject = await createProject(server.context.db, "Swapped in a file", [
        [lead, "lead"],
      ]);
      const response = await post(line(pair) + line(swapped), {
        query: "?format=hh-rlhf",
        project: pairProject,
      });
      expect(response.status).toBe(422);
      const { error } = (await response.json()) as { error: { details: unknown[] } };
      expect(error.details).toEqual([
        {
          row: 2,
          field: "externalId",
          message:
            "the same pair as row 1 with chosen and rejected the other way round: a conflicting preference",
        },
      ]);
    });
  });

  describe("a large file", () => {
    it("imports 100,000 items in one request", { timeout: 180_000 }, async () => {
      const bigProject = await createProject(server.context.db, "Large import", [[lead, "lead"]]);
      const started = performance.now();
      const response = await post(generatedItems(100_000), {
        contentType: "application/x-ndjson",
        project: bigProject,
      });
      expect(await response.json()).toEqual({ created: 100_000, unchanged: 0, annotations: 0 });
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(
        `100,000 items imported over HTTP on ${server.context.dbKind} in ${seconds.toFixed(1)} s\n`,
      );
      const { count } = await db()
        .selectFrom("items")
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .where("project_id", "=", bigProject)
        .executeTakeFirstOrThrow();
      expect(count).toBe(100_000);
    });
  });
});

describe("upload limit", () => {
  let server: TestServer;
  let lead: Member;
  let projectId: number;

  beforeAll(async () => {
    server = await startTestServer({ IMPORT_MAX_BYTES: "2048" });
    lead = await server.createUserWithToken({ email: "lead@example.test" });
    projectId = await createProject(server.context.db, "Small uploads", [[lead, "lead"]]);
  });

  afterAll(async () => {
    await server?.stop();
  });

  const url = () => `${server.url}/api/v1/projects/${projectId}/items`;

  it("answers 413 naming the limit when Content-Length is over it, and stores nothing", async () => {
    const before = await tableCounts(server.context.db);
    const response = await fetch(url(), {
      method: "POST",
      headers: {
        Authorization: `Bearer ${lead.token}`,
        "Content-Type": "application/x-ndjson",
      },
      body: generatedItems(100),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: "payload_too_large" });
    expect(body.error.message).toMatch(/2048 bytes \(IMPORT_MAX_BYTES\)/);
    expect(await tableCounts(server.context.db)).toEqual(before);
  });

  it("counts the bytes of an upload without Content-Length", async () => {
    const before = await tableCounts(server.context.db);
    const chunk = new TextEncoder().encode(`${generatedItems(10)}\n`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 10) controller.close();
        else controller.enqueue(chunk);
        sent += 1;
      },
    });
    const response = await fetch(url(), {
      method: "POST",
      headers: {
        Authorization: `Bearer ${lead.token}`,
        "Content-Type": "application/x-ndjson",
      },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error.code).toBe("payload_too_large");
    expect(await tableCounts(server.context.db)).toEqual(before);
  });

  const gzipUpload = (body: Uint8Array, encoding = "gzip") =>
    fetch(url(), {
      method: "POST",
      headers: {
        Authorization: `Bearer ${lead.token}`,
        "Content-Type": "application/x-ndjson",
        "Content-Encoding": encoding,
      },
      body: Buffer.from(body),
    });

  it("unpacks a gzip upload, and holds the limit to what it unpacks to", async () => {
    const small = gzipSync(generatedItems(3).replaceAll("gen-", "gz-"));
    const accepted = await gzipUpload(small);
    expect(accepted.status, await accepted.clone().text()).toBe(201);
    expect(((await accepted.json()) as { created: number }).created).toBe(3);

    const before = await tableCounts(server.context.db);
    // 190 KB of one repeated line packs into under 1 KB: under the limit packed, far over it
    // unpacked.
    const bomb = gzipSync(`${generatedItems(1)}\n`.repeat(1_000));
    expect(bomb.length).toBeLessThan(2048);
    const refused = await gzipUpload(bomb);
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("payload_too_large");

    const damaged = await gzipUpload(small.subarray(0, small.length - 12));
    expect(damaged.status).toBe(400);
    expect(((await damaged.json()) as ErrorBody).error.message).toMatch(/gzip/);
    const notGzip = await gzipUpload(new TextEncoder().encode(generatedItems(1)));
    expect(notGzip.status).toBe(400);
    const brotli = await gzipUpload(small, "br");
    expect(brotli.status).toBe(415);
    expect(await tableCounts(server.context.db)).toEqual(before);
  });

  it("still accepts a file under the limit", async () => {
    const response = await fetch(url(), {
      method: "POST",
      headers: {
        Authorization: `Bearer ${lead.token}`,
        "Content-Type": "application/x-ndjson",
      },
      body: generatedItems(3),
    });
    expect(response.status).toBe(201);
  });
});

describe("quorum import", { timeout: 120_000 }, () => {
  let testDatabase: TestDatabase;
  let projectId: number;

  const inDatabase = <T>(task: (database: DatabaseHandle) => Promise<T>) =>
    inTestDatabase(testDatabase, task);
  const quorum = (args: string[]) => runQuorumCli(testDatabase, args);

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    projectId = await inDatabase(async ({ db }) => {
      await migrateToLatest(db);
      const lead = await createUser(db, {
        email: "lead@example.test",
        name: "Lead",
        password: "correct horse battery staple",
      });
      return createProject(db, "CLI imports", [[{ userId: lead.id, token: "" }, "lead"]]);
    });
  });

  afterAll(async () => {
    await testDatabase?.drop();
  });

  it.skipIf(!hhRlhfAvailable)(
    "imports a gzipped HH-RLHF file, with progress on stderr and a summary on stdout",
    async () => {
      const run = await quorum(["import", hhRlhfFile, "--project", String(projectId)]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/2312 created, 0 unchanged, 0 annotations/);
      // One line per stage: stderr here is a pipe, not a terminal.
      expect(run.stderr.trimEnd().split("\n")).toEqual([
        expect.stringMatching(/^Reading: ([\d,]+)\/\1 bytes$/),
        "Validating: 2,312/2,312",
        "Inserting: 2,312/2,312",
      ]);
      const audit = await inDatabase(({ db }) =>
        db
          .selectFrom("audit_log")
          .select(["actor_id", "details"])
          .where("action", "=", "items.import")
          .executeTakeFirstOrThrow(),
      );
      expect(audit).toMatchObject({ actor_id: null, details: { format: "jsonl", created: 2312 } });
    },
  );

  it("lists every bad row on stderr, exits 1 and stores nothing", async () => {
    const bad = path.join(fixtures, "bad-rows.csv");
    const before = await inDatabase(({ db }) => tableCounts(db));
    const run = await quorum(["import", bad, "--project", String(projectId)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/2 problem\(s\) in 2 row\(s\); nothing was imported/);
    expect(run.stderr).toMatch(/row 1, responses: .*at least 2/);
    expect(run.stderr).toMatch(/row 2, gold: must be a JSON label/);
    expect(await inDatabase(({ db }) => tableCounts(db))).toEqual(before);
  });

  it("says a file is too large to import at once, rather than that it is not UTF-8", async () => {
    // One byte past the longest string Node makes, gzipped: half a gigabyte in a few hundred KB.
    const directory = mkdtempSync(path.join(tmpdir(), "quorum-import-"));
    const file = path.join(directory, "huge.jsonl.gz");
    try {
      const chunk = Buffer.alloc(1 << 20, " ");
      const total = bufferConstants.MAX_STRING_LENGTH + 1;
      await pipeline(
        Readable.from(
          (function* () {
            for (let written = 0; written < total; written += chunk.length) {
              yield chunk.subarray(0, Math.min(chunk.length, total - written));
            }
          })(),
        ),
        createGzip({ level: zlibConstants.Z_BEST_SPEED }),
        createWriteStream(file),
      );
      const run = await quorum(["import", file, "--project", String(projectId)]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(
        /(^|\n)Error: .*huge\.jsonl\.gz is too large to import at once \(536,870,889 bytes unpacked; .*\): split it into several files\n$/,
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("says stdin is empty, and names a missing file before its unknown extension", async () => {
    for (const input of ["", " \n\t\n"]) {
      const empty = await runQuorumCli(
        testDatabase,
        ["import", "-", "--project", String(projectId)],
        {},
        input,
      );
      expect(empty.code).toBe(1);
      expect(empty.stderr).toBe("Error: stdin is empty: there is nothing to import\n");
    }
    const missing = path.join(fixtures, "no-such-file.txt");
    const run = await quorum(["import", missing, "--project", String(projectId)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`Error: No such file: ${missing}\n`);
  });

  it("checks --as against the project's permissions, and explains a file it cannot read", async () => {
    const unknownUser = await quorum([
      "import",
      path.join(fixtures, "items.jsonl"),
      "--project",
      String(projectId),
      "--as",
      "nobody@example.test",
    ]);
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toMatch(/No user with email nobody@example.test/);
    const unknownFormat = await quorum([
      "import",
      path.join(repoRoot, "tests/fixtures/label-studio/README.md"),
      "--project",
      "1",
    ]);
    expect(unknownFormat.code).toBe(1);
    expect(unknownFormat.stderr).toMatch(/pass --format/);
    const asLead = await quorum([
      "import",
      path.join(fixtures, "items.jsonl"),
      "--project",
      String(projectId),
      "--as",
      "lead@example.test",
    ]);
    expect(asLead.stderr).not.toMatch(/Error/);
    expect(asLead.code).toBe(0);
    expect(asLead.stdout).toMatch(/3 created/);
  });
});
