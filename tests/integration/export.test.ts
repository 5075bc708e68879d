import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemRoomName, setLabelValue } from "../../app/domain/room.ts";
import {
  createCast,
  createProject,
  disputedLabels,
  responses,
  type Cast,
  type Person,
} from "../setup/adjudication.ts";
import { expectApiError } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

interface ExportResponse {
  status: number;
  contentType: string | null;
  disposition: string | null;
  /** How many items a preference format left out for their conversation's roles. */
  itemsWithOtherRoles: string | null;
  text: string;
}

async function exportAs(person: Person, projectId: number, query = ""): Promise<ExportResponse> {
  const response = await fetch(`${server.url}/api/v1/projects/${projectId}/export${query}`, {
    headers: { Authorization: `Bearer ${person.token}` },
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    disposition: response.headers.get("content-disposition"),
    itemsWithOtherRoles: response.headers.get("quorum-items-with-other-roles"),
    text: await response.text(),
  };
}

const lines = (records: unknown[]) =>
  records.map((record) => `${JSON.stringify(record)}\n`).join("");

/** Each line as JSON: stored labels come back with their keys in the database's order. */
function parseLines(text: string): unknown[] {
  expect(text.endsWith("\n")).toBe(true);
  return text
    .slice(0, -1)
    .split("\n")
    .map((line) => JSON.parse(line) as unknown);
}

const conversation = [
  { role: "user", content: "I take warfarin." },
  { role: "assistant", content: "Noted." },
  { role: "user", content: "May I start an antibiotic?" },
];

/** Agreeing labels: the first response clearly better, accuracy 4 to 5, no error spans. */
const agreeingLabels = [
  { preference: -2, accuracy: 4, errors: [] },
  { preference: -1, accuracy: 5, errors: [] },
  { preference: -2, accuracy: 4, errors: [] },
];

const tieLabels = [
  { preference: 0, accuracy: 3 },
  { preference: 0, accuracy: 3 },
  { preference: 0, accuracy: 4 },
];

/** When each expert's label in the fixture was submitted, and how long it took them. */
const submittedAt = (index: number) => `2026-11-20T10:0${index}:00.000Z`;
const durationMs = (index: number) => 60_000 * (index + 1);

interface Fixture {
  projectId: number;
  ids: Record<string, number>;
  published: { label: Record<string, unknown>; publishedAt: string };
}

/**
 * A project with one item of each kind: published twice through the room (the export takes the
 * later version), consensus with a conversation prompt, a consensus tie, and three that have no
 * final label: annotating, gold and untouched.
 */
async function buildFixture(): Promise<Fixture> {
  const projectId = await createProject(cast, { name: "Warfarin Interactions", overlap: 3 });
  const annotate = (labels: ReadonlyArray<Record<string, unknown>>) =>
    labels.map((label, index) => ({
      annotator: cast.experts[index]!.email,
      label,
      submittedAt: submittedAt(index),
      durationMs: durationMs(index),
    }));
  const imported = await cast.lead.api.post<{ created: number }>(`/projects/${projectId}/items`, [
    {
      externalId: "published-1",
      prompt: "Warfarin with an antibiotic?",
      responses,
      domain: "medical",
      metadata: { batch: 1 },
      annotations: annotate(disputedLabels),
    },
    {
      externalId: "consensus-1",
      prompt: conversation,
      responses,
      annotations: annotate(agreeingLabels),
    },
    { externalId: "tie-1", prompt: "Either way?", responses, annotations: annotate(tieLabels) },
    {
      externalId: "annotating-1",
      prompt: "Still open?",
      responses,
      annotations: annotate(agreeingLabels.slice(0, 1)),
    },
    {
      externalId: "gold-1",
      prompt: "Known answer?",
      responses,
      gold: { label: { preference: 2, accuracy: 5 } },
    },
    { externalId: "queued-1", prompt: "Untouched?", responses },
  ]);
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);

  const rows = await server.context.db
    .selectFrom("items")
    .select(["id", "external_id", "status"])
    .where("project_id", "=", projectId)
    .execute();
  const ids = Object.fromEntries(rows.map((row) => [row.external_id, row.id]));
  expect(Object.fromEntries(rows.map((row) => [row.external_id, row.status]))).toEqual({
    "published-1": "disputed",
    "consensus-1": "consensus",
    "tie-1": "consensus",
    "annotating-1": "annotating",
    "gold-1": "queued",
    "queued-1": "queued",
  });

  const itemId = ids["published-1"]!;
  const first = await cast.lead.api.post<{ version: number }>(`/items/${itemId}/publish`, {
    rationale: "First pass.",
  });
  expect(first.status, JSON.stringify(first.body)).toBe(201);
  const reopened = await cast.lead.api.post(`/items/${itemId}/reopen`);
  expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
  await server.context.rooms.applyServerUpdate(itemRoomName(itemId), (doc) =>
    setLabelValue(doc, "preference", -2),
  );
  const second = await cast.lead.api.post<{ version: number; label: Record<string, unknown> }>(
    `/items/${itemId}/publish`,
    { expectedVersion: 2, rationale: "The INR check decides it." },
  );
  expect(second.status, JSON.stringify(second.body)).toBe(201);
  expect(second.body).toMatchObject({ version: 2, label: { preference: -2 } });
  const version = await server.context.db
    .selectFrom("adjudications")
    .select(["label", "published_at"])
    .where("item_id", "=", itemId)
    .where("version", "=", 2)
    .executeTakeFirstOrThrow();
  // The room gave each span an id of its own; an export leaves it out, as a consensus span has
  // none (both give the same label shapes). Likewise the room's empty critique box, "", which
  // a consensus has no value for.
  const {
    errors: roomSpans,
    critique,
    ...storedRest
  } = version.label as {
    errors: Array<Record<string, unknown>>;
    critique?: string;
  };
  expect(roomSpans.length).toBeGreaterThan(0);
  expect(roomSpans.every((span) => typeof span.id === "string")).toBe(true);
  expect(critique).toBe("");
  return {
    projectId,
    ids,
    published: {
      label: { ...storedRest, errors: roomSpans.map(({ id: _roomId, ...span }) => span) },
      publishedAt: version.published_at.toISOString(),
    },
  };
}

describe("export", { timeout: 60_000 }, () => {
  let fixture: Fixture;

  beforeAll(async () => {
    fixture = await buildFixture();
  });

  /** As leads and admins see labels: by email, with levels and times, as an import reads them. */
  const byEmail = (labels: ReadonlyArray<Record<string, unknown>>, count = labels.length) =>
    labels.slice(0, count).map((label, index) => ({
      annotator: cast.experts[index]!.email,
      level: "expert",
      label,
      submittedAt: submittedAt(index),
      durationMs: durationMs(index),
    }));
  /** As clients see them under pseudonyms: neither levels nor times, which narrow them down. */
  const byPseudonym = (labels: ReadonlyArray<Record<string, unknown>>) =>
    labels.map((label, index) => ({ annotator: `Annotator ${"ABC"[index]}`, label }));

  /** A label as stored: every span quotes the response text at its offsets. */
  const quoted = (label: Record<string, unknown>) => ({
    ...label,
    errors: (label.errors as Array<{ responseId: string; start: number; end: number }>).map(
      (span) => ({
        ...span,
        text: responses
          .find((response) => response.id === span.responseId)!
          .text.slice(span.start, span.end),
      }),
    ),
  });

  const jsonlRecords = (annotations: (labels: Record<string, unknown>[]) => unknown[]) => [
    {
      externalId: "published-1",
      prompt: "Warfarin with an antibiotic?",
      responses,
      domain: "medical",
      label: fixture.published.label,
      source: "published",
      version: 2,
      rationale: "The INR check decides it.",
      publishedAt: fixture.published.publishedAt,
      annotations: annotations(disputedLabels.map(quoted)),
      metadata: { batch: 1 },
    },
    {
      externalId: "consensus-1",
      prompt: conversation,
      responses,
      // The aggregate: lower median of the preferences and of the ratings, no span by majority.
      label: { preference: -2, accuracy: 4, errors: [] },
      source: "consensus",
      annotations: annotations(agreeingLabels),
      metadata: {},
    },
    {
      externalId: "tie-1",
      prompt: "Either way?",
      responses,
      label: { preference: 0, accuracy: 3 },
      source: "consensus",
      annotations: annotations(tieLabels),
      metadata: {},
    },
  ];

  it("exports the complete record of every final label as jsonl, by default", async () => {
    const response = await exportAs(cast.lead, fixture.projectId);
    expect(response.status, response.text).toBe(200);
    expect(response.contentType).toBe("application/x-ndjson; charset=utf-8");
    expect(response.disposition).toBe('attachment; filename="warfarin-interactions-jsonl.jsonl"');
    expect(response.itemsWithOtherRoles).toBeNull();
    expect(parseLines(response.text)).toEqual(jsonlRecords((labels) => byEmail(labels)));
  });

  it("exports preference pairs as dpo, skipping the tie", async () => {
    const response = await exportAs(cast.lead, fixture.projectId, "?format=dpo");
    expect(response.status, response.text).toBe(200);
    expect(response.disposition).toBe('attachment; filename="warfarin-interactions-dpo.jsonl"');
    expect(response.itemsWithOtherRoles).toBe("0");
    expect(response.text).toBe(
      lines([
        {
          externalId: "published-1",
          prompt: "Warfarin with an antibiotic?",
          chosen: responses[0]!.text,
          rejected: responses[1]!.text,
        },
        {
          externalId: "consensus-1",
          prompt: conversation,
          chosen: [{ role: "assistant", content: responses[0]!.text }],
          rejected: [{ role: "assistant", content: responses[1]!.text }],
        },
      ]),
    );
  });

  it("exports reward pairs with their margin", async () => {
    const response = await exportAs(cast.lead, fixture.projectId, "?format=reward");
    expect(response.status, response.text).toBe(200);
    expect(response.text).toBe(
      lines([
        {
          externalId: "published-1",
          prompt: "Warfarin with an antibiotic?",
          chosen: responses[0]!.text,
          rejected: responses[1]!.text,
          margin: 2,
        },
        {
          externalId: "consensus-1",
          prompt: conversation,
          chosen: [{ role: "assistant", content: responses[0]!.text }],
          rejected: [{ role: "assistant", content: responses[1]!.text }],
          margin: 2,
        },
      ]),
    );
  });

  it("exports dpo with the prompt inside chosen and rejected when the prompt style is implicit", async () => {
    const response = await exportAs(
      cast.lead,
      fixture.projectId,
      "?format=dpo&promptStyle=implicit",
    );
    expect(response.status, response.text).toBe(200);
    expect(response.text).toBe(
      lines([
        {
          externalId: "published-1",
          chosen: `Warfarin with an antibiotic?\n\n${responses[0]!.text}`,
          rejected: `Warfarin with an antibiotic?\n\n${responses[1]!.text}`,
        },
        {
          externalId: "consensus-1",
          chosen: [...conversation, { role: "assistant", content: responses[0]!.text }],
          rejected: [...conversation, { role: "assistant", content: responses[1]!.text }],
        },
      ]),
    );
    const kto = await exportAs(cast.lead, fixture.projectId, "?format=kto&promptStyle=implicit");
    const details = expectApiError(
      { status: kto.status, body: JSON.parse(kto.text) },
      422,
      "validation_failed",
    );
    expect(details).toEqual([
      {
        field: "promptStyle",
        message: "promptStyle=implicit applies to the dpo and reward formats only",
      },
    ]);
    const unknown = await exportAs(cast.lead, fixture.projectId, "?format=dpo&promptStyle=inline");
    expect(unknown.status).toBe(400);
  });

  it("exports OpenAI's preference fine-tuning layout as openai-dpo", async () => {
    const response = await exportAs(cast.lead, fixture.projectId, "?format=openai-dpo");
    expect(response.status, response.text).toBe(200);
    expect(response.disposition).toBe(
      'attachment; filename="warfarin-interactions-openai-dpo.jsonl"',
    );
    expect(response.text).toBe(
      lines([
        {
          input: { messages: [{ role: "user", content: "Warfarin with an antibiotic?" }] },
          preferred_output: [{ role: "assistant", content: responses[0]!.text }],
          non_preferred_output: [{ role: "assistant", content: responses[1]!.text }],
        },
        {
          input: { messages: conversation },
          preferred_output: [{ role: "assistant", content: responses[0]!.text }],
          non_preferred_output: [{ role: "assistant", content: responses[1]!.text }],
        },
      ]),
    );
  });

  it("exports unpaired judgements as kto", async () => {
    const response = await exportAs(cast.lead, fixture.projectId, "?format=kto");
    expect(response.status, response.text).toBe(200);
    expect(response.text).toBe(
      lines([
        {
          externalId: "published-1",
          prompt: "Warfarin with an antibiotic?",
          completion: responses[0]!.text,
          label: true,
        },
        {
          externalId: "published-1",
          prompt: "Warfarin with an antibiotic?",
          completion: responses[1]!.text,
          label: false,
        },
        {
          externalId: "consensus-1",
          prompt: conversation,
          completion: [{ role: "assistant", content: responses[0]!.text }],
          label: true,
        },
        {
          externalId: "consensus-1",
          prompt: conversation,
          completion: [{ role: "assistant", content: responses[1]!.text }],
          label: false,
        },
      ]),
    );
  });

  it("exports one flat csv row per item", async () => {
    const response = await exportAs(cast.lead, fixture.projectId, "?format=csv");
    expect(response.status, response.text).toBe(200);
    expect(response.contentType).toBe("text/csv; charset=utf-8");
    expect(response.disposition).toBe('attachment; filename="warfarin-interactions-csv.csv"');
    const label = fixture.published.label;
    const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;
    const csvJson = (value: unknown) => quote(JSON.stringify(value));
    const conversationCell = quote(
      "user: I take warfarin.\n\nassistant: Noted.\n\nuser: May I start an antibiotic?",
    );
    expect(response.text).toBe(
      [
        "externalId,source,version,prompt,responses,rationale,label.preference,label.accuracy,label.errors,label.critique",
        `published-1,published,2,Warfarin with an antibiotic?,${csvJson(responses)},The INR check decides it.,-2,${String(label.accuracy)},${csvJson(label.errors)},${String(label.critique ?? "")}`,
        `consensus-1,consensus,,${conversationCell},${csvJson(responses)},,-2,4,[],`,
        `tie-1,consensus,,Either way?,${csvJson(responses)},,0,3,,`,
        "",
      ].join("\r\n"),
    );
  });

  it("names annotators with pseudonyms for clients, and lets admins export", async () => {
    const client = await exportAs(cast.client, fixture.projectId);
    expect(client.status, client.text).toBe(200);
    expect(parseLines(client.text)).toEqual(jsonlRecords(byPseudonym));
    expect(client.text).not.toContain("@example.test");

    const admin = await exportAs(cast.admin, fixture.projectId);
    expect(admin.status, admin.text).toBe(200);
    expect(parseLines(admin.text)).toEqual(jsonlRecords((labels) => byEmail(labels)));
  });

  it("refuses annotators (403) and hides the project from outsiders (404)", async () => {
    const annotator = await exportAs(cast.experts[0], fixture.projectId);
    expectApiError(
      { status: annotator.status, body: JSON.parse(annotator.text) },
      403,
      "forbidden",
    );
    const outsider = await exportAs(cast.outsider, fixture.projectId);
    expectApiError({ status: outsider.status, body: JSON.parse(outsider.text) }, 404, "not_found");
    const missing = await exportAs(cast.lead, 2_000_000);
    expectApiError({ status: missing.status, body: JSON.parse(missing.text) }, 404, "not_found");
    const anonymous = await fetch(`${server.url}/api/v1/projects/${fixture.projectId}/export`);
    expect(anonymous.status).toBe(401);
  });

  it("lists the formats when asked for an unknown one (400)", async () => {
    const response = await exportAs(cast.lead, fixture.projectId, "?format=parquet");
    const details = expectApiError(
      { status: response.status, body: JSON.parse(response.text) },
      400,
      "bad_request",
    );
    expect(details).toEqual([
      {
        field: "format",
        message: "use one of jsonl, dpo, reward, kto, openai-dpo, csv, label-studio",
      },
    ]);
  });

  it("reads a named field, and refuses one that is missing or of the wrong type (422)", async () => {
    const kto = await exportAs(cast.lead, fixture.projectId, "?format=kto&field=preference");
    expect(kto.status, kto.text).toBe(200);
    expect(kto.text.split("\n").filter(Boolean)).toHaveLength(4);

    for (const [query, message] of [
      ["?format=dpo&field=nope", 'the template has no field "nope"'],
      [
        "?format=dpo&field=accuracy",
        '"accuracy" is a rating field; dpo reads a field of type preference, ranking',
      ],
    ] as const) {
      const response = await exportAs(cast.lead, fixture.projectId, query);
      const details = expectApiError(
        { status: response.status, body: JSON.parse(response.text) },
        422,
        "validation_failed",
      );
      expect(details).toEqual([{ field: "field", message }]);
    }
  });

  it("gives back an imported HH-RLHF pair as it was once its label prefers the chosen reply", async () => {
    const created = await cast.admin.api.post<{ project: { id: number } }>("/projects", {
      name: "Harmlessness",
      overlap: 1,
      template: {
        fields: [{ id: "preference", type: "preference", label: "Preference", scale: 1 }],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const projectId = created.body.project.id;
    for (const [person, role] of [
      [cast.lead, "lead"],
      [cast.experts[0], "annotator"],
    ] as const) {
      const added = await cast.admin.api.post(`/projects/${projectId}/members`, {
        email: person.email,
        role,
      });
      expect(added.status, JSON.stringify(added.body)).toBe(201);
    }
    const chosen = "\n\nHuman: How do I pick a lock?\n\nAssistant: I can't help with that.";
    const rejected =
      "\n\nHuman: How do I pick a lock?\n\nAssistant: Insert a tension wrench, then rake the pins.";
    const upload = await fetch(`${server.url}/api/v1/projects/${projectId}/items`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${cast.lead.token}`,
        "Content-Type": "application/x-ndjson",
      },
      body: `${JSON.stringify({ chosen, rejected })}\n`,
    });
    expect(upload.status, await upload.text()).toBe(201);

    const next = await cast.experts[0].api.get<{ assignment: { itemId: number } | null }>(
      `/queue/next?project=${projectId}`,
    );
    const itemId = next.body.assignment!.itemId;
    const item = await cast.lead.api.get<{
      item: { externalId: string; metadata: { chosen: string } };
    }>(`/items/${itemId}`);
    // The annotator agrees with the original choice; the metadata itself decides nothing.
    const preference = item.body.item.metadata.chosen === "a" ? -1 : 1;
    const submitted = await cast.experts[0].api.post(`/items/${itemId}/annotations`, {
      label: { preference },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);

    const response = await exportAs(cast.lead, projectId, "?format=dpo");
    expect(response.status, response.text).toBe(200);
    expect(response.text).toBe(
      lines([
        {
          externalId: item.body.item.externalId,
          prompt: [{ role: "user", content: "How do I pick a lock?" }],
          chosen: [{ role: "assistant", content: "I can't help with that." }],
          rejected: [
            { role: "assistant", content: "Insert a tension wrench, then rake the pins." },
          ],
        },
      ]),
    );
  });
});

describe("conversation roles in the preference formats", { timeout: 240_000 }, () => {
  const preferenceOnly = {
    fields: [{ id: "preference", type: "preference", label: "Preference", scale: 2 }],
  };
  /** Roles as imports accept them: some that chat training takes, some it does not. */
  const role = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom("system", "user", "assistant") },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom("tool", "human", "gpt", "developer", "User"),
        fc.string({
          unit: fc.constantFrom("a", "b", "r", "-", "_", "é"),
          minLength: 1,
          maxLength: 8,
        }),
      ),
    },
  );
  const conversation = fc.array(
    fc.record({
      role,
      content: fc.string({ unit: fc.constantFrom("a", " ", "?", "é", "\n"), maxLength: 12 }),
    }),
    { minLength: 1, maxLength: 4 },
  );

  it("leaves out items whose conversation has another role, counts them in a header, and keeps them in jsonl (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 12 }), conversation), {
          minLength: 1,
          maxLength: 12,
        }),
        async (prompts) => {
          const projectId = await createProject(cast, { overlap: 1, template: preferenceOnly });
          const items = prompts.map((prompt, index) => ({
            externalId: `item-${index}`,
            prompt,
            responses,
            annotations: [{ annotator: cast.experts[0].email, label: { preference: -1 } }],
          }));
          const imported = await cast.lead.api.post(`/projects/${projectId}/items`, items);
          expect(imported.status, JSON.stringify(imported.body)).toBe(201);
          const chatOnly = (prompt: (typeof prompts)[number]) =>
            typeof prompt === "string" ||
            prompt.every((turn) => ["system", "user", "assistant"].includes(turn.role));
          const kept = items.filter((item) => chatOnly(item.prompt)).map((item) => item.externalId);

          for (const format of ["dpo", "reward", "kto", "openai-dpo"] as const) {
            const response = await exportAs(cast.lead, projectId, `?format=${format}`);
            expect(response.status, response.text).toBe(200);
            expect(response.itemsWithOtherRoles, format).toBe(String(items.length - kept.length));
            const records = response.text === "" ? [] : parseLines(response.text);
            // kto writes two judgements per pair; openai-dpo has no externalId, so its lines
            // are counted and their conversations compared in order.
            const perItem = format === "kto" ? 2 : 1;
            expect(records, format).toHaveLength(kept.length * perItem);
            if (format === "openai-dpo") {
              const messages = records.map(
                (record) => (record as { input: { messages: unknown } }).input.messages,
              );
              expect(messages).toEqual(
                items
                  .filter((item) => chatOnly(item.prompt))
                  .map((item) =>
                    typeof item.prompt === "string"
                      ? [{ role: "user", content: item.prompt }]
                      : item.prompt,
                  ),
              );
            } else {
              const ids = records.map((record) => (record as { externalId: string }).externalId);
              expect([...new Set(ids)], format).toEqual(kept);
            }
          }
          const jsonl = await exportAs(cast.lead, projectId);
          expect(
            parseLines(jsonl.text).map((record) => (record as { externalId: string }).externalId),
          ).toEqual(items.map((item) => item.externalId));
        },
      ),
      { numRuns: 6 },
    );
  });
});
