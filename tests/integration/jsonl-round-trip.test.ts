import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCast,
  createProject,
  disputedLabels,
  doseSpan,
  responses,
  type Cast,
  type Person,
} from "../setup/adjudication.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * A project's `jsonl` export imported as `jsonl` into another project with the same template,
 * as users move items and labels between projects and workspaces: the items and every
 * annotator's labels come back, by the same people or by those a user map names, and what only
 * described the first project's outcome (final label, source, levels) is left out.
 */

let server: TestServer;
let cast: Cast;
/** The experts' accounts in another workspace, as a user map names them. */
let elsewhere: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
  elsewhere = {};
  for (const [index, expert] of cast.experts.entries()) {
    const email = `moved${index + 1}@elsewhere.test`;
    await server.createUserWithToken({ email });
    elsewhere[expert.email] = email;
  }
});

afterAll(async () => {
  await server?.stop();
});

const db = () => server.context.db;

const conversation = [
  { role: "user", content: "I take warfarin." },
  { role: "assistant", content: "Noted." },
  { role: "user", content: "May I start an antibiotic?" },
];

const agreeing = [
  { preference: -2, accuracy: 4, errors: [] },
  { preference: -1, accuracy: 5, errors: [] },
  { preference: -2, accuracy: 4, errors: [] },
];
const agreeingOnSpans = [
  { preference: 1, accuracy: 3, errors: [doseSpan] },
  { preference: 1, accuracy: 3, errors: [doseSpan] },
  { preference: 2, accuracy: 3, errors: [doseSpan] },
];

/** Each expert's label, with its submission time and working time when given. */
function byExperts(
  labels: ReadonlyArray<Record<string, unknown>>,
  timed?: { submittedAt: string; durationMs?: number },
) {
  return labels.map((label, index) => ({
    annotator: cast.experts[index]!.email,
    label,
    ...(timed
      ? {
          submittedAt: new Date(Date.parse(timed.submittedAt) + index * 60_000).toISOString(),
          ...(timed.durationMs === undefined ? {} : { durationMs: timed.durationMs + index }),
        }
      : {}),
  }));
}

/**
 * A project with items that have a final label (two by consensus, one published after a
 * dispute) and items that have none (still annotating, gold), which no export carries.
 */
async function sourceProject(): Promise<number> {
  const projectId = await createProject(cast, { name: "Source", overlap: 3 });
  const imported = await cast.lead.api.post(`/projects/${projectId}/items`, [
    {
      externalId: "consensus-1",
      prompt: "Warfarin with an antibiotic?",
      responses: [{ ...responses[0]!, model: "model-1" }, responses[1]!],
      domain: "medical",
      metadata: { batch: 1, tags: ["interaction"] },
      annotations: byExperts(agreeing, {
        submittedAt: "2026-03-01T09:00:00.123Z",
        durationMs: 95_000,
      }),
    },
    {
      externalId: "consensus-2",
      prompt: conversation,
      responses,
      annotations: byExperts(agreeingOnSpans),
    },
    {
      externalId: "published-1",
      prompt: "Is 5 mg of warfarin a day a usual dose?",
      responses,
      annotations: byExperts(disputedLabels, { submittedAt: "2026-03-02T14:30:00+02:00" }),
    },
    {
      externalId: "annotating-1",
      prompt: "Still open?",
      responses,
      annotations: byExperts(agreeing.slice(0, 1)),
    },
    {
      externalId: "gold-1",
      prompt: "Known answer?",
      responses,
      gold: { label: { preference: 2, accuracy: 5 } },
    },
  ]);
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  const published = await cast.lead.api.post(
    `/items/${await itemId(projectId, "published-1")}/publish`,
    { rationale: "The INR check decides it." },
  );
  expect(published.status, JSON.stringify(published.body)).toBe(201);
  expect(await statuses(projectId)).toEqual({
    "annotating-1": "annotating",
    "consensus-1": "consensus",
    "consensus-2": "consensus",
    "gold-1": "queued",
    "published-1": "published",
  });
  return projectId;
}

async function itemId(projectId: number, externalId: string): Promise<number> {
  const { id } = await db()
    .selectFrom("items")
    .select("id")
    .where("project_id", "=", projectId)
    .where("external_id", "=", externalId)
    .executeTakeFirstOrThrow();
  return id;
}

async function statuses(projectId: number): Promise<Record<string, string>> {
  const rows = await db()
    .selectFrom("items")
    .select(["external_id", "status"])
    .where("project_id", "=", projectId)
    .execute();
  return Object.fromEntries(rows.map((row) => [row.external_id, row.status]));
}

/** What an item is: its content, metadata and gold label. */
async function itemsOf(projectId: number) {
  return db()
    .selectFrom("items")
    .select(["external_id", "prompt", "responses", "domain", "metadata", "gold_label"])
    .where("project_id", "=", projectId)
    .orderBy("external_id")
    .execute();
}

async function annotationsOf(projectId: number) {
  return db()
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .innerJoin("users", "users.id", "annotations.user_id")
    .select([
      "items.external_id",
      "users.email",
      "annotations.label",
      "annotations.submitted_at",
      "annotations.duration_ms",
    ])
    .where("items.project_id", "=", projectId)
    .orderBy("items.external_id")
    .orderBy("annotations.id")
    .execute();
}

async function counts(): Promise<number[]> {
  const tables = ["items", "annotations", "assignments", "project_members"] as const;
  return Promise.all(
    tables.map(async (table) => {
      const { count } = await db()
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow();
      return Number(count);
    }),
  );
}

async function exportJsonl(person: Person, projectId: number): Promise<string> {
  const response = await fetch(`${server.url}/api/v1/projects/${projectId}/export?format=jsonl`, {
    headers: { Authorization: `Bearer ${person.token}` },
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return text;
}

async function importJsonl(projectId: number, text: string, userMap?: Record<string, string>) {
  const query = new URLSearchParams({ format: "jsonl" });
  if (userMap) query.set("userMap", JSON.stringify(userMap));
  const response = await fetch(`${server.url}/api/v1/projects/${projectId}/items?${query}`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${cast.lead.token}`,
      "Content-Type": "application/x-ndjson",
    },
    body: text,
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const linesOf = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("a jsonl export imported as jsonl", { timeout: 60_000 }, () => {
  let source: number;
  let exported: string;

  beforeAll(async () => {
    source = await sourceProject();
    exported = await exportJsonl(cast.lead, source);
  });

  it("gives another project the same items, gold labels and labels, by the mapped users", async () => {
    expect(linesOf(exported).map((line) => line.externalId)).toEqual([
      "consensus-1",
      "consensus-2",
      "published-1",
    ]);
    const copy = await createProject(cast, { name: "Copy", overlap: 3 });
    const imported = await importJsonl(copy, exported, elsewhere);
    expect(imported).toEqual({
      status: 201,
      body: { created: 3, unchanged: 0, annotations: 9 },
    });

    // Items without a final label are in no export: gold items are answer keys, not training
    // data, so a copy has no gold labels, as the items it copies have none.
    const exportedItems = (await itemsOf(source)).filter(
      (item) => !["annotating-1", "gold-1"].includes(item.external_id),
    );
    expect(exportedItems.every((item) => item.gold_label === null)).toBe(true);
    expect(await itemsOf(copy)).toEqual(exportedItems);

    const sourceLabels = (await annotationsOf(source)).filter(
      (annotation) => annotation.external_id !== "annotating-1",
    );
    expect(sourceLabels.some((annotation) => annotation.duration_ms !== null)).toBe(true);
    expect(await annotationsOf(copy)).toEqual(
      sourceLabels.map((annotation) => ({ ...annotation, email: elsewhere[annotation.email] })),
    );

    // The copy settles from the labels it was given: a published item's adjudication stays in
    // its own project, so its disputed labels wait for a panel again.
    expect(await statuses(copy)).toEqual({
      "consensus-1": "consensus",
      "consensus-2": "consensus",
      "published-1": "disputed",
    });
    const exportedAgain = linesOf(await exportJsonl(cast.lead, copy));
    const consensusLabels = (lines: Array<Record<string, unknown>>) =>
      lines
        .filter((line) => line.source === "consensus")
        .map(({ externalId, label }) => ({
          externalId,
          label,
        }));
    expect(consensusLabels(exportedAgain)).toEqual(consensusLabels(linesOf(exported)));

    const before = await counts();
    expect(await importJsonl(copy, exported, elsewhere)).toEqual({
      status: 200,
      body: { created: 0, unchanged: 3, annotations: 0 },
    });
    expect(await counts()).toEqual(before);
  });

  it("changes nothing when imported back into its own project", async () => {
    const items = await itemsOf(source);
    const labels = await annotationsOf(source);
    const before = await counts();
    expect(await importJsonl(source, exported)).toEqual({
      status: 200,
      body: { created: 0, unchanged: 3, annotations: 0 },
    });
    expect(await counts()).toEqual(before);
    expect(await itemsOf(source)).toEqual(items);
    expect(await annotationsOf(source)).toEqual(labels);
  });

  it("reads a client's export once a user map names the pseudonyms", async () => {
    const pseudonymous = await exportJsonl(cast.client, source);
    const pseudonymLines = linesOf(pseudonymous);
    // Annotations come in the same order in every export: a pseudonym's person is the lead's
    // email in the same place.
    const userMap: Record<string, string> = {};
    linesOf(exported).forEach((line, lineIndex) => {
      const named = pseudonymLines[lineIndex]!.annotations as Array<{ annotator: string }>;
      (line.annotations as Array<{ annotator: string }>).forEach(({ annotator }, index) => {
        userMap[named[index]!.annotator] = elsewhere[annotator]!;
      });
    });
    expect(Object.keys(userMap).sort()).toEqual(["Annotator A", "Annotator B", "Annotator C"]);

    const copy = await createProject(cast, { name: "Client copy", overlap: 3 });
    const before = await counts();
    const unmapped = await importJsonl(copy, pseudonymous);
    expect(unmapped.status).toBe(422);
    expect(unmapped.body).toMatchObject({
      error: {
        details: expect.arrayContaining([
          {
            row: 1,
            field: "annotations.0.annotator",
            message: expect.stringMatching(/^"Annotator [ABC]" is not an email: map it/),
          },
        ]),
      },
    });
    expect(await counts()).toEqual(before);

    expect(await importJsonl(copy, pseudonymous, userMap)).toEqual({
      status: 201,
      body: { created: 3, unchanged: 0, annotations: 9 },
    });
    const withoutTimes = (rows: Awaited<ReturnType<typeof annotationsOf>>) =>
      rows.map(({ external_id, email, label }) => ({ external_id, email, label }));
    expect(withoutTimes(await annotationsOf(copy))).toEqual(
      withoutTimes(
        (await annotationsOf(source))
          .filter((annotation) => annotation.external_id !== "annotating-1")
          .map((annotation) => ({ ...annotation, email: elsewhere[annotation.email]! })),
      ),
    );
  });

  it("still refuses a line with a key that is not the export's, storing nothing", async () => {
    const copy = await createProject(cast, { name: "Typo copy", overlap: 3 });
    const [first, ...rest] = linesOf(exported);
    const text = [{ ...first, comment: "checked twice" }, ...rest]
      .map((line) => JSON.stringify(line))
      .join("\n");
    const before = await counts();
    const refused = await importJsonl(copy, text, elsewhere);
    expect(refused).toEqual({
      status: 422,
      body: {
        error: expect.objectContaining({
          code: "validation_failed",
          details: [{ row: 1, field: "(root)", message: 'Unrecognized key: "comment"' }],
        }),
      },
    });
    expect(await counts()).toEqual(before);
  });
});
