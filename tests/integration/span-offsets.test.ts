import { Migrator, sql, type Kysely } from "kysely";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Y from "yjs";
import { addSpan, itemRoomName, setVote } from "../../app/domain/room.ts";
import { templateSchema, type ResponseRef } from "../../app/domain/template.ts";
import { migrations } from "../../db/migrations/index.ts";
import type { Database } from "../../db/schema.ts";
import { loadConfig } from "../../server/config.ts";
import { startQuorum } from "../../server/index.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { prepareItemRoom } from "../../server/services/room.ts";
import {
  createCast,
  createProject,
  disputedItem,
  labelledItem,
  type Cast,
} from "../setup/adjudication.ts";
import { apiClient, expectApiError } from "../setup/api-client.ts";
import { createTestDatabase, inTestDatabase, type TestDatabase } from "../setup/database.ts";
import { participantKeyFor } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  waitFor,
  within,
} from "../setup/sync-client.ts";

/**
 * Span offsets are UTF-16 code units of the response text and every stored span carries the
 * quoted `text` (docs/decisions/020-span-offsets.md): what the API, imports, the room's publish
 * and a lead's correction store, what they refuse, and the data step that quotes older labels.
 */

// "😀" is two code units: "5 mg" is at [8, 12) in UTF-16 and at [7, 11) in code points.
const astral = [
  { id: "a", text: "😀 Take 5 mg of warfarin." },
  { id: "b", text: "Check the INR 𠀀 daily." },
];
const span = (start: number, end: number, extra: Record<string, unknown> = {}) => ({
  responseId: "a",
  start,
  end,
  category: "dosage",
  severity: "major",
  ...extra,
});

let server: TestServer;
let cast: Cast;
const clients = closeSyncClientsAfterEach();

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

const db = () => server.context.db;

async function annotationsOf(itemId: number) {
  return db().selectFrom("annotations").select("label").where("item_id", "=", itemId).execute();
}

/** Every span of every label stored in the database quotes the response text at its offsets. */
async function expectEveryStoredSpanQuoted(itemIds: number[]) {
  const items = await db()
    .selectFrom("items")
    .select(["id", "responses"])
    .where("id", "in", itemIds)
    .execute();
  const textOf = new Map(
    items.flatMap((item) =>
      (item.responses as ResponseRef[]).map((response) => [
        `${item.id}:${response.id}`,
        response.text,
      ]),
    ),
  );
  const labels = [
    ...(await db()
      .selectFrom("annotations")
      .select(["item_id", "label"])
      .where("item_id", "in", itemIds)
      .execute()),
    ...(await db()
      .selectFrom("item_outcomes")
      .select(["item_id", "aggregated_label as label"])
      .where("item_id", "in", itemIds)
      .execute()),
    ...(await db()
      .selectFrom("adjudications")
      .select(["item_id", "label"])
      .where("item_id", "in", itemIds)
      .execute()),
  ];
  let spans = 0;
  for (const { item_id: itemId, label } of labels) {
    for (const marked of ((label as { errors?: unknown[] }).errors ?? []) as Array<{
      responseId: string;
      start: number;
      end: number;
      text?: string;
    }>) {
      spans++;
      expect(marked.text).toBe(
        textOf.get(`${itemId}:${marked.responseId}`)!.slice(marked.start, marked.end),
      );
    }
  }
  expect(spans).toBeGreaterThan(0);
}

describe("the API", () => {
  let projectId: number;

  beforeAll(async () => {
    projectId = await createProject(cast, { overlap: 1 });
    const imported = await cast.lead.api.post(`/projects/${projectId}/items`, [
      { externalId: "astral", prompt: "Is the dose right?", responses: astral },
    ]);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  });

  it("refuses spans outside the text, inside a surrogate pair or not matching their text, storing nothing", async () => {
    const [expert] = cast.experts;
    const next = await expert.api.get<{ assignment: { itemId: number } }>(
      `/queue/next?project=${projectId}`,
    );
    const itemId = next.body.assignment.itemId;
    const submit = (errors: unknown[]) =>
      expert.api.post(`/items/${itemId}/annotations`, {
        label: { preference: 1, accuracy: 3, errors },
      });
    const refused = async (errors: unknown[], field: string, message: RegExp) => {
      const details = expectApiError(await submit(errors), 422, "validation_failed");
      expect(details).toEqual([{ field, message: expect.stringMatching(message) }]);
    };

    await refused([span(8, 40)], "errors.0.end", /response length \(25\), counted in UTF-16/);
    await refused([span(1, 7)], "errors.0.start", /inside the character "😀".*use 0 or 2/);
    await refused([span(8, 12, { text: "5 g" })], "errors.0.text", /"5 g" is not .* "5 mg"/);
    await refused(
      [span(7, 11, { text: "5 mg" })],
      "errors.0.text",
      /offsets look like code points; Quorum counts UTF-16 code units: "5 mg" is at start 8, end 12/,
    );
    expect(await annotationsOf(itemId)).toEqual([]);

    const accepted = await submit([span(8, 12)]);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(accepted.body).toMatchObject({
      annotation: { label: { errors: [span(8, 12, { text: "5 mg" })] } },
    });
    expect(await annotationsOf(itemId)).toEqual([
      { label: { preference: 1, accuracy: 3, errors: [span(8, 12, { text: "5 mg" })] } },
    ]);
    await expectEveryStoredSpanQuoted([itemId]);

    // The consensus (one annotator) is exported with the quote, and so is the annotation.
    const exported = await fetch(`${server.url}/api/v1/projects/${projectId}/export?format=jsonl`, {
      headers: { Authorization: `Bearer ${cast.lead.token}` },
    });
    const [line] = (await exported.text())
      .trim()
      .split("\n")
      .map((row) => JSON.parse(row));
    expect(line.label.errors).toEqual([span(8, 12, { text: "5 mg" })]);
    expect(line.annotations[0].label.errors).toEqual([span(8, 12, { text: "5 mg" })]);
  });
});

describe("imports", () => {
  let projectId: number;
  const item = (externalId: string, errors: unknown[], gold?: unknown[]) => ({
    externalId,
    prompt: "Is the dose right?",
    responses: astral,
    ...(gold ? { gold: { label: { preference: 1, accuracy: 2, errors: gold } } } : {}),
    annotations: [
      { annotator: cast.experts[0].email, label: { preference: 1, accuracy: 3, errors } },
    ],
  });

  beforeAll(async () => {
    projectId = await createProject(cast, { overlap: 3 });
  });

  const countItems = async () =>
    (
      await db()
        .selectFrom("items")
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .where("project_id", "=", projectId)
        .executeTakeFirstOrThrow()
    ).count;

  it("refuse every bad span with its row and field, and store nothing", async () => {
    const rows = [
      item("fine", [span(8, 12)]),
      item("past-the-end", [span(8, 40)]),
      item("split-pair", [span(8, 12), span(0, 1)]),
      item("wrong-text", [span(8, 12, { text: "5 g" })]),
      item("code-points", [span(7, 11, { text: "5 mg" })]),
      item("gold-split", [], [{ ...span(14, 15), responseId: "b" }]),
    ];
    const details = expectApiError(
      await cast.lead.api.post(`/projects/${projectId}/items`, rows),
      422,
      "validation_failed",
    );
    expect(details).toEqual([
      {
        row: 2,
        field: "annotations.0.label.errors.0.end",
        message: expect.stringMatching(/\(25\)/),
      },
      {
        row: 3,
        field: "annotations.0.label.errors.1.end",
        message: expect.stringMatching(/end 1 falls inside the character "😀"/),
      },
      {
        row: 4,
        field: "annotations.0.label.errors.0.text",
        message: expect.stringMatching(/"5 g" is not the response text at 8–12/),
      },
      {
        row: 5,
        field: "annotations.0.label.errors.0.text",
        message: expect.stringMatching(/offsets look like code points/),
      },
      {
        row: 6,
        field: "gold.label.errors.0.end",
        message: expect.stringMatching(/inside the character "𠀀"/),
      },
    ]);
    expect(await countItems()).toBe(0);
  });

  it("store the quoted text of every span, given or not", async () => {
    const imported = await cast.lead.api.post(`/projects/${projectId}/items`, [
      item(
        "quoted",
        [span(8, 12, { text: "5 mg" }), { ...span(14, 16), responseId: "b" }],
        [span(3, 7)],
      ),
    ]);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const stored = await db()
      .selectFrom("items")
      .select(["id", "gold_label"])
      .where("project_id", "=", projectId)
      .executeTakeFirstOrThrow();
    expect(stored.gold_label).toEqual({
      preference: 1,
      accuracy: 2,
      errors: [span(3, 7, { text: "Take" })],
    });
    expect(await annotationsOf(stored.id)).toEqual([
      {
        label: {
          preference: 1,
          accuracy: 3,
          errors: [span(8, 12, { text: "5 mg" }), { ...span(14, 16), responseId: "b", text: "𠀀" }],
        },
      },
    ]);
  });
});

describe("the room and the review", () => {
  it("publishes the room's spans quoted, whether or not the room gave their text", async () => {
    const { itemId } = await disputedItem(cast);
    await prepareItemRoom(server.context, itemId);
    const [expert] = cast.experts;
    const key = await participantKeyFor(server, itemId, expert.id);
    const client = clients.track(
      connectSyncClient(server.url, itemRoomName(itemId), { token: expert.token, persisted: true }),
    );
    await within(client.synced, "the client to sync");
    const bare = {
      responseId: "b",
      start: 10,
      end: 13,
      category: "interaction",
      severity: "minor",
    };
    addSpan(client.doc, "errors", bare);
    setVote(client.doc, key, "errors", [bare]);
    const wrong = addSpan(client.doc, "errors", { ...bare, start: 0, end: 5, text: "INR" });
    await waitFor(() => client.saved(), "the edits to be stored");

    const details = expectApiError(
      await cast.lead.api.post(`/items/${itemId}/publish`),
      422,
      "validation_failed",
    );
    expect(details).toEqual([
      {
        field: "errors.2.text",
        message: '"INR" is not the response text at 0–5, which reads "Check"',
      },
    ]);
    const spans = client.doc.getMap("label").get("errors") as Y.Array<Y.Map<unknown>>;
    spans.delete(
      spans.toArray().findIndex((map) => map.get("id") === wrong),
      1,
    );
    await waitFor(() => client.saved(), "the fix to be stored");

    const published = await cast.lead.api.post<{ label: { errors: unknown[] } }>(
      `/items/${itemId}/publish`,
    );
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const quotedBare = { ...bare, text: "INR" };
    expect(published.body.label.errors).toEqual([
      expect.objectContaining({ ...span(5, 9), text: "5 mg" }),
      expect.objectContaining(quotedBare),
    ]);
    const version = await db()
      .selectFrom("adjudications")
      .select(["label", "votes"])
      .where("item_id", "=", itemId)
      .executeTakeFirstOrThrow();
    expect(version.label).toEqual(published.body.label);
    expect(
      (version.votes as Record<string, { errors: unknown }>)[String(expert.id)]!.errors,
    ).toEqual([quotedBare]);
    await expectEveryStoredSpanQuoted([itemId]);
  });

  it("stores a lead's correction and the spans of comments quoted, and refuses one past the text", async () => {
    const projectId = await createProject(cast, { overlap: 1 }, { withJunior: true });
    await labelledItem(cast, projectId, [[cast.junior, { preference: 1, accuracy: 3 }]]);
    const reviews = await cast.lead.api.get<{ reviews: Array<{ id: number }> }>(
      `/projects/${projectId}/reviews`,
    );
    const reviewId = reviews.body.reviews[0]!.id;
    const decide = (comment: Record<string, unknown>) =>
      cast.lead.api.post(`/reviews/${reviewId}`, {
        verdict: "correct",
        correctedLabel: { preference: 1, accuracy: 2, errors: [span(5, 9)] },
        comments: [{ text: "The dose.", ...comment }],
      });

    const details = expectApiError(
      await decide({ span: { responseId: "a", start: 5, end: 60 } }),
      422,
      "validation_failed",
    );
    expect(details).toEqual([
      { field: "comments.0.span.end", message: expect.stringMatching(/response length \(48\)/) },
    ]);
    const decided = await decide({
      fieldId: "errors",
      span: { responseId: "a", start: 5, end: 9 },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const stored = await db()
      .selectFrom("reviews")
      .select(["corrected_label", "comments"])
      .where("id", "=", reviewId)
      .executeTakeFirstOrThrow();
    expect(stored.corrected_label).toEqual({
      preference: 1,
      accuracy: 2,
      errors: [span(5, 9, { text: "5 mg" })],
    });
    expect(stored.comments).toEqual([
      {
        fieldId: "errors",
        span: { responseId: "a", start: 5, end: 9, text: "5 mg" },
        text: "The dose.",
      },
    ]);
  });
});

describe("labels stored before spans carried their text", () => {
  let testDatabase: TestDatabase;
  const ids: Record<string, number> = {};
  let leadId = 0;
  const responses = astral;
  const spansTemplate = templateSchema.parse({
    fields: [{ id: "errors", type: "spans", label: "Errors", categories: ["dosage"] }],
  });
  const old = (start: number, end: number, responseId = "a") => ({
    responseId,
    start,
    end,
    category: "dosage",
    severity: "major",
  });
  // 200,000 characters: a label's spans may quote 400,000, two of these three.
  const longResponses = [{ id: "a", text: "word ".repeat(40_000) }];
  const oversized = { errors: [old(0, 200_000), old(0, 200_000), old(0, 200_000)] };
  const quotedWhole = { ...old(0, 200_000), text: longResponses[0]!.text };

  beforeAll(async () => {
    testDatabase = await createTestDatabase({ empty: true });
    await inTestDatabase(testDatabase, async ({ db: oldDb }) => {
      const names = Object.keys(migrations).sort();
      const previous = names[names.indexOf("20261205050000_span_text") - 1]!;
      const migrator = new Migrator({
        db: oldDb,
        provider: { getMigrations: async () => migrations },
      });
      expect((await migrator.migrateTo(previous)).error).toBeUndefined();
      await seedOldLabels(oldDb);
    });
  });

  afterAll(async () => {
    await testDatabase?.drop();
  });

  async function seedOldLabels(oldDb: Kysely<Database>) {
    // The earlier data step has run already: this one is on its own.
    await oldDb.updateTable("data_steps").set({ done_at: new Date() }).execute();
    const [expert, lead] = await oldDb
      .insertInto("users")
      .values([
        { email: "old-expert@example.test", name: "Expert", level: "expert" as const },
        { email: "old-lead@example.test", name: "Lead", level: "expert" as const },
      ])
      .returning("id")
      .execute();
    leadId = lead!.id;
    const project = await oldDb
      .insertInto("projects")
      .values({ name: "Old spans", template: JSON.stringify(spansTemplate), overlap: 1 })
      .returning("id")
      .executeTakeFirstOrThrow();
    await oldDb
      .insertInto("project_members")
      .values({ project_id: project.id, user_id: leadId, role: "lead" })
      .execute();
    for (const name of ["labelled", "published", "oversized"]) {
      const row = await oldDb
        .insertInto("items")
        .values({
          project_id: project.id,
          external_id: name,
          prompt: JSON.stringify("Is the dose right?"),
          responses: JSON.stringify(name === "oversized" ? longResponses : responses),
          content_hash: name,
          status: name === "labelled" ? "consensus" : "published",
          label_count: 1,
          gold_label: null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      ids[name] = row.id;
    }
    const annotation = await oldDb
      .insertInto("annotations")
      .values({
        item_id: ids.labelled!,
        user_id: expert!.id,
        // [1, 7) starts inside "😀": widened to [0, 7).
        label: JSON.stringify({ errors: [old(8, 12), old(1, 7)] }),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await oldDb
      .insertInto("item_outcomes")
      .values({
        item_id: ids.labelled!,
        disputed: false,
        fields: JSON.stringify([]),
        aggregated_label: JSON.stringify({ errors: [old(8, 12)] }),
        annotators: JSON.stringify([expert!.id]),
      })
      .execute();
    await oldDb
      .insertInto("reviews")
      .values({
        annotation_id: annotation.id,
        project_id: project.id,
        verdict: "corrected",
        corrected_label: JSON.stringify({ errors: [old(3, 7)] }),
        comments: JSON.stringify([{ span: { responseId: "a", start: 8, end: 12 }, text: "Dose" }]),
      })
      .execute();
    await oldDb
      .insertInto("adjudications")
      .values([
        {
          item_id: ids.published!,
          version: 1,
          label: JSON.stringify({ errors: [old(14, 15, "b")] }),
          votes: JSON.stringify({ [String(expert!.id)]: { errors: [old(8, 12)] } }),
          minority: JSON.stringify({
            errors: [{ member: String(expert!.id), value: [old(8, 12)] }],
          }),
          published_by: leadId,
        },
        {
          item_id: ids.published!,
          version: 2,
          label: JSON.stringify({ errors: [old(8, 12)] }),
          published_by: leadId,
        },
        {
          item_id: ids.oversized!,
          version: 1,
          label: JSON.stringify(oversized),
          published_by: leadId,
        },
      ])
      .execute();
    await oldDb
      .insertInto("annotations")
      .values({ item_id: ids.oversized!, user_id: expert!.id, label: JSON.stringify(oversized) })
      .execute();
  }

  it("get it from a one-off data step when a server starts", async () => {
    const config = loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      QUORUM_SEED: "none",
      QUORUM_DATA_DIR: testDatabase.dataDir,
      SESSION_SECRET: "test-secret-test-secret-test-secret-0123",
      ...(testDatabase.databaseUrl ? { DATABASE_URL: testDatabase.databaseUrl } : {}),
    });
    const started = await startQuorum({
      config,
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    });
    try {
      const newDb = started.context.db;
      const step = await newDb
        .selectFrom("data_steps")
        .select(["done_at", "outcome"])
        .where("name", "=", "20261205050000_quote_stored_spans")
        .executeTakeFirstOrThrow();
      expect(step.done_at).toBeInstanceOf(Date);
      expect(step.outcome).toEqual({
        rowsUpdated: 7,
        spansQuoted: 12,
        spansWidened: 1,
        spansOverLimit: 2,
        versionsFlagged: 2,
      });

      const annotation = await newDb
        .selectFrom("annotations")
        .select("label")
        .where("item_id", "=", ids.labelled!)
        .executeTakeFirstOrThrow();
      expect(annotation.label).toEqual({
        errors: [
          { ...old(8, 12), text: "5 mg" },
          { ...old(0, 7), text: "😀 Take" },
        ],
      });
      const outcome = await newDb
        .selectFrom("item_outcomes")
        .select("aggregated_label")
        .where("item_id", "=", ids.labelled!)
        .executeTakeFirstOrThrow();
      expect(outcome.aggregated_label).toEqual({ errors: [{ ...old(8, 12), text: "5 mg" }] });
      const review = await newDb
        .selectFrom("reviews")
        .select(["corrected_label", "comments"])
        .executeTakeFirstOrThrow();
      expect(review.corrected_label).toEqual({ errors: [{ ...old(3, 7), text: "Take" }] });
      expect(review.comments).toEqual([
        { span: { responseId: "a", start: 8, end: 12, text: "5 mg" }, text: "Dose" },
      ]);

      const versions = await newDb
        .selectFrom("adjudications")
        .select(["version", "label", "votes", "minority"])
        .where("item_id", "=", ids.published!)
        .orderBy("version")
        .execute();
      // Version 1 splits "𠀀": an immutable version keeps its offsets and is flagged instead.
      expect(versions[0]!.label).toEqual({ errors: [old(14, 15, "b")] });
      expect(Object.values(versions[0]!.votes as object)).toEqual([
        { errors: [{ ...old(8, 12), text: "5 mg" }] },
      ]);
      expect(versions[0]!.minority).toEqual({
        errors: [{ member: expect.any(String), value: [{ ...old(8, 12), text: "5 mg" }] }],
      });
      expect(versions[1]!.label).toEqual({ errors: [{ ...old(8, 12), text: "5 mg" }] });
      // Quoting stops at the limit a label has: the third span keeps no text, and the version
      // is flagged for it.
      for (const table of ["annotations", "adjudications"] as const) {
        const row = await newDb
          .selectFrom(table)
          .select("label")
          .where("item_id", "=", ids.oversized!)
          .executeTakeFirstOrThrow();
        expect(row.label).toEqual({ errors: [quotedWhole, quotedWhole, old(0, 200_000)] });
      }
      const flags = await newDb
        .selectFrom("version_flags")
        .selectAll()
        .orderBy("item_id")
        .execute();
      expect(flags).toEqual([
        expect.objectContaining({
          item_id: ids.published,
          version: 1,
          reason: "invalid",
          details: [
            { field: "errors.0.end", message: expect.stringMatching(/inside the character "𠀀"/) },
          ],
        }),
        expect.objectContaining({
          item_id: ids.oversized,
          version: 1,
          reason: "invalid",
          details: [
            {
              field: "errors",
              message: expect.stringMatching(/at most 400,000 .*; these quote 600,000$/),
            },
          ],
        }),
      ]);
      const { token } = await createApiToken(newDb, leadId, "test");
      const view = await apiClient(started.url, token).get<{
        versions: Array<{ version: number; flags: Array<{ reason: string }> }>;
      }>(`/items/${ids.published}`);
      expect(view.body.versions.map((version) => version.flags.length)).toEqual([1, 0]);

      // The versions are immutable again.
      await expect(
        sql`update adjudications set rationale = 'changed'`.execute(newDb),
      ).rejects.toThrow(/immutable/);
    } finally {
      await started.close();
    }
  });
});
