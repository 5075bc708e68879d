import fc from "fast-check";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../app/domain/item.ts";
import { templateSchema } from "../../app/domain/template.ts";
import { MAX_CLAIMED_DURATION_MS } from "../../app/domain/work-time.ts";
import type { Database } from "../../db/schema.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * What an import accepts at the edges of the item schema: values the schema once let through but
 * the database or the process could not hold (each must be a 422 naming the row and field, never
 * a 500), keys that are easy to lose (`__proto__`), and one file that carries an item on several
 * rows, which must come out as importing those rows one after another would.
 */

interface ErrorBody {
  error: { code: string; message: string; details?: RowProblem[] };
}

interface RowProblem {
  row: number;
  field: string;
  message: string;
}

const expert1 = "expert1@limits.test";
const expert2 = "expert2@limits.test";

const base = {
  prompt: "Is 5 mg of warfarin a day a usual dose?",
  responses: [
    { id: "a", text: "It is a common maintenance dose, adjusted by INR." },
    { id: "b", text: "No, warfarin is never taken daily." },
  ],
};

let server: TestServer;
let token: string;
let projectId: number;
let nextId = 0;

const db = (): Kysely<Database> => server.context.db;
const uniqueId = (prefix: string) => `${prefix}-${(nextId += 1)}`;

async function createProject(name: string, overlap = 3): Promise<number> {
  const template = templateSchema.parse({
    fields: [{ id: "preference", type: "preference", label: "Better?", required: true, scale: 2 }],
  });
  const { id } = await db()
    .insertInto("projects")
    .values({ name, template: JSON.stringify(template), overlap })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: leadId } = await db()
    .selectFrom("users")
    .select("id")
    .where("email", "=", "lead@limits.test")
    .executeTakeFirstOrThrow();
  await db()
    .insertInto("project_members")
    .values({ project_id: id, user_id: leadId, role: "lead" })
    .execute();
  return id;
}

function post(
  body: string,
  options: { contentType?: string; query?: string; project?: number } = {},
): Promise<Response> {
  return fetch(
    `${server.url}/api/v1/projects/${options.project ?? projectId}/items${options.query ?? ""}`,
    {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": options.contentType ?? "application/x-ndjson",
      },
      body,
    },
  );
}

const jsonLines = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).join("\n");

async function problemsOf(response: Response): Promise<RowProblem[]> {
  const body = (await response.json()) as ErrorBody;
  expect(response.status, JSON.stringify(body)).toBe(422);
  expect(body.error.code).toBe("validation_failed");
  return body.error.details ?? [];
}

/** `{"deep": [[…1]]}` whose containers nest `depth` levels, the object itself being level 1. */
function nestedText(depth: number, innermost: "array" | "object" = "array"): string {
  const inner = depth - 1;
  const [open, close] = innermost === "array" ? ["[", "]"] : ['{"k":', "}"];
  return `{"deep":${open.repeat(inner)}1${close.repeat(inner)}}`;
}

/** A JSON Lines row with the given metadata, spliced in as text so that it may nest at will. */
function rowWithMetadata(externalId: string, metadataText: string): string {
  const row = JSON.stringify({ externalId, ...base });
  return `${row.slice(0, -1)},"metadata":${metadataText}}`;
}

beforeAll(async () => {
  server = await startTestServer();
  ({ token } = await server.createUserWithToken({ email: "lead@limits.test" }));
  for (const email of [expert1, expert2]) await server.createUserWithToken({ email });
  projectId = await createProject("Limits");
});

afterAll(async () => {
  await server?.stop();
});

describe("values the database cannot hold are row errors, never a 500", () => {
  it("refuses a durationMs over the documented maximum, naming the row and field", async () => {
    for (const durationMs of [2_147_483_648, 8_640_000_000_000_001, MAX_CLAIMED_DURATION_MS + 1]) {
      const externalId = uniqueId("duration");
      const response = await post(
        jsonLines([
          { externalId: uniqueId("fine"), ...base },
          {
            externalId,
            ...base,
            annotations: [{ annotator: expert1, label: { preference: 1 }, durationMs }],
          },
        ]),
      );
      expect(await problemsOf(response)).toEqual([
        {
          row: 2,
          field: "annotations.0.durationMs",
          message: expect.stringContaining(String(MAX_CLAIMED_DURATION_MS)),
        },
      ]);
    }
    const externalId = uniqueId("duration");
    const accepted = await post(
      jsonLines([
        {
          externalId,
          ...base,
          annotations: [
            { annotator: expert1, label: { preference: 1 }, durationMs: MAX_CLAIMED_DURATION_MS },
          ],
        },
      ]),
    );
    expect(accepted.status).toBe(201);
  });

  it("accepts durations up to the maximum and refuses any above it: never a 500", async () => {
    const durations = fc.oneof(
      fc.integer({ min: MAX_CLAIMED_DURATION_MS - 2, max: MAX_CLAIMED_DURATION_MS + 2 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    );
    await fc.assert(
      fc.asyncProperty(durations, async (durationMs) => {
        const response = await post(
          jsonLines([
            {
              externalId: uniqueId("duration-property"),
              ...base,
              annotations: [{ annotator: expert1, label: { preference: -1 }, durationMs }],
            },
          ]),
        );
        if (durationMs <= MAX_CLAIMED_DURATION_MS) {
          expect(response.status).toBe(201);
        } else {
          expect((await problemsOf(response)).map((problem) => problem.field)).toEqual([
            "annotations.0.durationMs",
          ]);
        }
      }),
      { numRuns: 12 },
    );
  });

  it("refuses a submittedAt outside 1970–9999 (UTC), and stores the edges of that range", async () => {
    const outside = [
      "0001-01-01T00:00:00+05:00",
      "1969-12-31T23:59:59.999Z",
      // The last second of 9999 west of Greenwich is in the year 10000 in UTC.
      "9999-12-31T23:59:59-14:00",
    ];
    for (const submittedAt of outside) {
      const response = await post(
        jsonLines([
          {
            externalId: uniqueId("submitted"),
            ...base,
            annotations: [{ annotator: expert1, label: { preference: 1 }, submittedAt }],
          },
        ]),
      );
      expect(await problemsOf(response)).toEqual([
        {
          row: 1,
          field: "annotations.0.submittedAt",
          message: expect.stringMatching(/1970.*9999/),
        },
      ]);
    }
    for (const submittedAt of ["1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"]) {
      const externalId = uniqueId("submitted");
      const response = await post(
        jsonLines([
          {
            externalId,
            ...base,
            annotations: [
              { annotator: expert1, label: { preference: 1 }, submittedAt, durationMs: 60_000 },
            ],
          },
        ]),
      );
      expect(response.status).toBe(201);
      const stored = await db()
        .selectFrom("annotations")
        .innerJoin("items", "items.id", "annotations.item_id")
        .select("annotations.submitted_at")
        .where("items.external_id", "=", externalId)
        .executeTakeFirstOrThrow();
      expect(stored.submitted_at).toEqual(new Date(submittedAt));
    }
  });

  it("clamps a Label Studio lead_time beyond the maximum to it, as the labeling page does", async () => {
    const lsProject = await createProject("Label Studio lead times");
    const task = (id: number, leadTime: number) => ({
      id,
      data: { externalId: `lead-${id}`, prompt: base.prompt, answer1: "One.", answer2: "Two." },
      annotations: [
        {
          completed_by: { email: expert1 },
          lead_time: leadTime,
          result: [
            {
              from_name: "preference",
              to_name: "answer1,answer2",
              type: "pairwise",
              value: { selected: "left" },
            },
          ],
        },
      ],
    });
    const response = await post(JSON.stringify([task(1, 2_500_000), task(2, 12.3456)]), {
      contentType: "application/json",
      query: "?format=label-studio",
      project: lsProject,
    });
    expect(response.status).toBe(201);
    const durations = await db()
      .selectFrom("annotations")
      .innerJoin("items", "items.id", "annotations.item_id")
      .select(["items.external_id", "annotations.duration_ms"])
      .where("items.project_id", "=", lsProject)
      .orderBy("items.external_id")
      .execute();
    expect(durations).toEqual([
      { external_id: "lead-1", duration_ms: MAX_CLAIMED_DURATION_MS },
      { external_id: "lead-2", duration_ms: 12_346 },
    ]);
  });

  it("refuses metadata nested thousands of levels deep, naming the row and field", async () => {
    const response = await post(
      [
        JSON.stringify({ externalId: uniqueId("shallow"), ...base }),
        rowWithMetadata(uniqueId("deep"), nestedText(5_000)),
        rowWithMetadata(uniqueId("deeper"), nestedText(200_000, "object")),
      ].join("\n"),
    );
    expect(await problemsOf(response)).toEqual([
      { row: 2, field: "metadata.deep", message: expect.stringContaining(String(MAX_JSON_DEPTH)) },
      { row: 3, field: "metadata.deep", message: expect.stringContaining(String(MAX_JSON_DEPTH)) },
    ]);
  });

  it("refuses labels nested deeper than the limit as well", async () => {
    const deepLabel = `{"preference":${"[".repeat(MAX_JSON_DEPTH)}1${"]".repeat(MAX_JSON_DEPTH)}}`;
    const row = JSON.stringify({ externalId: uniqueId("deep-label"), ...base });
    const response = await post(
      `${row.slice(0, -1)},"annotations":[{"annotator":"${expert1}","label":${deepLabel}}]}`,
    );
    expect(await problemsOf(response)).toEqual([
      {
        row: 1,
        field: "annotations.0.label.preference",
        message: expect.stringContaining(String(MAX_JSON_DEPTH)),
      },
    ]);
  });

  it("accepts metadata up to the documented depth and refuses any deeper: never a 500", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: MAX_JSON_DEPTH * 3 }),
        fc.constantFrom("array" as const, "object" as const),
        async (depth, innermost) => {
          const externalId = uniqueId("depth-property");
          const response = await post(rowWithMetadata(externalId, nestedText(depth, innermost)));
          if (depth <= MAX_JSON_DEPTH) {
            expect(response.status).toBe(201);
          } else {
            expect(await problemsOf(response)).toEqual([
              { row: 1, field: "metadata.deep", message: expect.any(String) },
            ]);
          }
        },
      ),
      {
        numRuns: 15,
        examples: [
          [MAX_JSON_DEPTH, "array"],
          [MAX_JSON_DEPTH + 1, "object"],
        ],
      },
    );
  });
});

describe("a metadata key named __proto__", () => {
  async function itemByExternalId(project: number, externalId: string) {
    const { id } = await db()
      .selectFrom("items")
      .select("id")
      .where("project_id", "=", project)
      .where("external_id", "=", externalId)
      .executeTakeFirstOrThrow();
    const response = await fetch(`${server.url}/api/v1/items/${id}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    // Parsed as JSON.parse parses: `__proto__` becomes an own key, as it was sent.
    return ((await response.json()) as { item: { metadata: Record<string, unknown> } }).item;
  }

  const hasOwnProto = (value: unknown) =>
    typeof value === "object" && value !== null && Object.hasOwn(value, "__proto__");
  /** Own keys and values in key order: jsonb keeps its own order, and `{__proto__}` sets one. */
  const entriesOf = (value: object) =>
    Object.entries(value).sort(([left], [right]) => left.localeCompare(right));

  it("is stored and read back from JSON Lines and CSV, in the item and the export", async () => {
    // One annotation with an overlap of 1: the item settles as consensus and is exported.
    const project = await createProject("Prototype keys", 1);
    const jsonl = `${JSON.stringify({ externalId: "proto-jsonl", ...base, annotations: [{ annotator: expert1, label: { preference: 2 } }] }).slice(0, -1)},"metadata":{"__proto__":{"polluted":1},"plain":"kept"}}`;
    expect((await post(jsonl, { project })).status).toBe(201);
    const csv = [
      "external_id,prompt,response_a,response_b,metadata.__proto__,metadata.plain",
      `proto-csv,${base.prompt},One.,Two.,polluted?,kept`,
    ].join("\n");
    expect((await post(csv, { project, contentType: "text/csv" })).status).toBe(201);

    const stored = await db()
      .selectFrom("items")
      .select(["external_id", "metadata"])
      .where("project_id", "=", project)
      .orderBy("external_id")
      .execute();
    expect(stored.map((item) => [item.external_id, hasOwnProto(item.metadata)])).toEqual([
      ["proto-csv", true],
      ["proto-jsonl", true],
    ]);

    const fromJsonl = await itemByExternalId(project, "proto-jsonl");
    expect(hasOwnProto(fromJsonl.metadata)).toBe(true);
    expect(entriesOf(fromJsonl.metadata)).toEqual([
      ["__proto__", { polluted: 1 }],
      ["plain", "kept"],
    ]);
    const fromCsv = await itemByExternalId(project, "proto-csv");
    expect(entriesOf(fromCsv.metadata)).toEqual([
      ["__proto__", "polluted?"],
      ["plain", "kept"],
    ]);

    const exported = await fetch(`${server.url}/api/v1/projects/${project}/export?format=jsonl`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(exported.status).toBe(200);
    const lines = (await exported.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { externalId: string; metadata: object });
    expect(lines.map((line) => line.externalId)).toEqual(["proto-jsonl"]);
    expect(entriesOf(lines[0]!.metadata)).toEqual([
      ["__proto__", { polluted: 1 }],
      ["plain", "kept"],
    ]);

    // Kept as data, never as a prototype: no object anywhere gained the key.
    expect("polluted" in {}).toBe(false);
    expect(Object.prototype).not.toHaveProperty("polluted");
  });
});

describe("one item on several rows of one file", () => {
  const row = (externalId: string, extra: Record<string, unknown>) => ({
    externalId,
    ...base,
    ...extra,
  });
  const byExpert = (annotator: string, preference: number) => ({
    annotations: [{ annotator, label: { preference } }],
  });

  async function storedState(project: number) {
    const items = await db()
      .selectFrom("items")
      .select(["id", "external_id", "metadata", "status"])
      .where("project_id", "=", project)
      .orderBy("external_id")
      .execute();
    const annotations = await db()
      .selectFrom("annotations")
      .innerJoin("items", "items.id", "annotations.item_id")
      .innerJoin("users", "users.id", "annotations.user_id")
      .select(["items.external_id", "users.email", "annotations.label"])
      .where("items.project_id", "=", project)
      .orderBy("items.external_id")
      .orderBy("users.email")
      .execute();
    return {
      items: items.map(({ external_id, metadata, status }) => ({ external_id, metadata, status })),
      annotations,
    };
  }

  it("merges rows with the same externalId and content, as two imports of them would", async () => {
    const first = row("shared", { metadata: { batch: 1 }, ...byExpert(expert1, 1) });
    const second = row("shared", { metadata: { batch: 2 }, ...byExpert(expert2, 2) });

    const oneFile = await createProject("One file");
    const response = await post(jsonLines([first, second]), { project: oneFile });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ created: 1, unchanged: 1, annotations: 2 });

    const twoImports = await createProject("Two imports");
    const earlier = await post(jsonLines([first]), { project: twoImports });
    expect(await earlier.json()).toEqual({ created: 1, unchanged: 0, annotations: 1 });
    const later = await post(jsonLines([second]), { project: twoImports });
    expect(await later.json()).toEqual({ created: 0, unchanged: 1, annotations: 1 });

    const merged = await storedState(oneFile);
    expect(merged).toEqual(await storedState(twoImports));
    // The first row's metadata stands, as an item already in the project keeps its own.
    expect(merged.items).toEqual([
      { external_id: "shared", metadata: { batch: 1 }, status: "annotating" },
    ]);
    expect(merged.annotations.map((annotation) => annotation.email)).toEqual([expert1, expert2]);
  });

  it("takes one annotator's same label on two rows once, and refuses a different one", async () => {
    const project = await createProject("Repeated annotators");
    const same = await post(
      jsonLines([row("same", byExpert(expert1, 1)), row("same", byExpert(expert1, 1))]),
      { project },
    );
    expect(await same.json()).toEqual({ created: 1, unchanged: 1, annotations: 1 });

    const before = await storedState(project);
    const conflicting = await post(
      jsonLines([
        row("conflict", byExpert(expert1, 1)),
        row("conflict", { annotations: [{ annotator: expert2, label: { preference: 1 } }] }),
        row("conflict", byExpert(expert1, -2)),
      ]),
      { project },
    );
    expect(await problemsOf(conflicting)).toEqual([
      {
        row: 3,
        field: "annotations.0.label",
        message: `${expert1} already has a different label on this item, on row 1`,
      },
    ]);
    expect(await storedState(project)).toEqual(before);
  });

  it("still refuses the same externalId with a different prompt or responses", async () => {
    const response = await post(
      jsonLines([
        row("differs", byExpert(expert1, 1)),
        { ...row("differs", byExpert(expert2, 1)), prompt: "Another question." },
      ]),
    );
    expect(await problemsOf(response)).toEqual([
      { row: 2, field: "externalId", message: '"differs" is also on row 1 with different content' },
    ]);
  });

  it("names the later row's unknown annotator by its own row and position", async () => {
    const response = await post(
      jsonLines([
        row("unknown-later", byExpert(expert1, 1)),
        row("unknown-later", {
          annotations: [
            { annotator: expert2, label: { preference: 1 } },
            { annotator: "nobody@limits.test", label: { preference: 1 } },
          ],
        }),
      ]),
    );
    expect(await problemsOf(response)).toEqual([
      {
        row: 2,
        field: "annotations.1.annotator",
        message: expect.stringMatching(/no user with email nobody@limits\.test/),
      },
    ]);
  });
});
