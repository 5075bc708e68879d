import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findInvalidCharacter } from "../../app/domain/clean-text.ts";
import { databaseAppError } from "../../server/errors.ts";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { postPageForm, signInCookie } from "../setup/page-session.ts";

const PASSWORD = "correct horse battery staple";

/** C0 controls Quorum refuses (tab, LF and CR are allowed). */
const refusedControls = Array.from({ length: 0x20 }, (_, unit) => unit).filter(
  (unit) => ![0x09, 0x0a, 0x0d].includes(unit),
);

const control = fc.constantFrom(...refusedControls).map((unit) => String.fromCharCode(unit));
/** Lone surrogates reach the server only as JSON escapes, which JSON.stringify writes. */
const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));

const cleanWord = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 12 })
  .filter((text) => findInvalidCharacter(text) === null && !/[",\n\r]/.test(text));

/** Clean text with refused characters put in at random places (at least one). */
function textWith(refused: fc.Arbitrary<string>) {
  return fc
    .tuple(cleanWord, fc.array(fc.tuple(refused, fc.nat()), { minLength: 1, maxLength: 3 }))
    .map(([text, insertions]) => {
      let result = text;
      for (const [character, at] of insertions) {
        const position = at % (result.length + 1);
        // Never between the halves of a pair already in the text.
        const safe = isLowSurrogate(result.charCodeAt(position)) ? position + 1 : position;
        result = `${result.slice(0, safe)}${character}${result.slice(safe)}`;
      }
      // An inserted high surrogate right before an inserted low one would make a valid pair.
      return findInvalidCharacter(result) ? result : `${result}\u0000`;
    });
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

const refusedInJson = textWith(fc.oneof(control, surrogate));
const refusedInText = textWith(control);

interface Detail {
  row?: number;
  field: string;
  message: string;
}

function detailsOf(body: unknown): Detail[] {
  return ((body as { error: { details?: Detail[] } }).error.details ?? []) as Detail[];
}

let server: TestServer;
let adminToken: string;
let admin: ApiClient;
let projectId: number;

beforeAll(async () => {
  server = await startTestServer();
  ({ token: adminToken } = await server.createUserWithToken({
    email: "admin@clean.test",
    isAdmin: true,
    password: PASSWORD,
  }));
  admin = apiClient(server.url, adminToken);
  const created = await admin.post<{ project: { id: number } }>("/projects", {
    name: "Clean project",
    preset: "pairwise-clinical",
  });
  expect(created.status).toBe(201);
  projectId = created.body.project.id;
});

afterAll(async () => {
  await server?.stop();
});

async function storedCounts() {
  const { db } = server.context;
  const count = async (table: "projects" | "api_tokens" | "project_members" | "items") =>
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow()
    ).count;
  const project = await db
    .selectFrom("projects")
    .select(["name", "description"])
    .where("id", "=", projectId)
    .executeTakeFirstOrThrow();
  return {
    projects: await count("projects"),
    tokens: await count("api_tokens"),
    members: await count("project_members"),
    items: await count("items"),
    project,
  };
}

/** A JSON API request carrying `value` at one field, and the field the error must name. */
type JsonTarget = (value: string) => { method: string; path: string; body: unknown; field: string };

const jsonTargets: Record<string, JsonTarget> = {
  "new project name": (value) => ({
    method: "POST",
    path: "/projects",
    body: { name: value, preset: "pairwise-clinical" },
    field: "name",
  }),
  "new project description": (value) => ({
    method: "POST",
    path: "/projects",
    body: { name: "Fine", description: value, preset: "pairwise-clinical" },
    field: "description",
  }),
  "template field label": (value) => ({
    method: "POST",
    path: "/projects",
    body: { name: "Fine", template: { fields: [{ id: "note", type: "text", label: value }] } },
    field: "template.fields.0.label",
  }),
  "project name": (value) => ({
    method: "PATCH",
    path: `/projects/${projectId}`,
    body: { name: value },
    field: "name",
  }),
  "project description": (value) => ({
    method: "PATCH",
    path: `/projects/${projectId}`,
    body: { description: value },
    field: "description",
  }),
  "token name": (value) => ({
    method: "POST",
    path: "/tokens",
    body: { name: value },
    field: "name",
  }),
  "member email": (value) => ({
    method: "POST",
    path: `/projects/${projectId}/members`,
    body: { email: value, role: "annotator" },
    field: "email",
  }),
};

/** An item row with `value` at one place, and the field the row error must name. */
const itemPlaces: Record<
  string,
  (value: string) => { item: Record<string, unknown>; field: string }
> = {
  externalId: (value) => ({
    item: { ...plainItem("x-1"), externalId: value },
    field: "externalId",
  }),
  prompt: (value) => ({ item: { ...plainItem("x-1"), prompt: value }, field: "prompt" }),
  "conversation turn": (value) => ({
    item: { ...plainItem("x-1"), prompt: [{ role: "user", content: value }] },
    field: "prompt.0.content",
  }),
  "response text": (value) => ({
    item: {
      ...plainItem("x-1"),
      responses: [
        { id: "a", text: "fine" },
        { id: "b", text: value },
      ],
    },
    field: "responses.1.text",
  }),
  "metadata value": (value) => ({
    item: { ...plainItem("x-1"), metadata: { source: value } },
    field: "metadata.source",
  }),
};

function plainItem(externalId: string) {
  return {
    externalId,
    prompt: "Is ibuprofen safe with warfarin?",
    responses: [
      { id: "a", text: "No: it raises the bleeding risk." },
      { id: "b", text: "Yes, always." },
    ],
  };
}

async function postImport(body: string, contentType: string, format?: string) {
  const response = await fetch(
    `${server.url}/api/v1/projects/${projectId}/items${format ? `?format=${format}` : ""}`,
    {
      method: "POST",
      headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": contentType },
      body,
    },
  );
  return { status: response.status, body: (await response.json()) as unknown };
}

describe("text that cannot be stored, in the API", () => {
  it("refuses a JSON body with 422 naming the field, and stores nothing", async () => {
    const before = await storedCounts();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(jsonTargets)),
        refusedInJson,
        async (name, value) => {
          const target = jsonTargets[name](value);
          const response = await fetch(`${server.url}/api/v1${target.path}`, {
            method: target.method,
            headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
            body: JSON.stringify(target.body),
          });
          const body = (await response.json()) as unknown;
          expect(response.status, JSON.stringify(body)).toBe(422);
          expect(detailsOf(body).map((detail) => detail.field)).toContain(target.field);
        },
      ),
      { numRuns: 60 },
    );
    expect(await storedCounts()).toEqual(before);
  });

  it("refuses a query parameter with 400 naming it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          { path: `/projects/${projectId}/items`, parameter: "status" },
          { path: `/projects/${projectId}/items`, parameter: "cursor" },
          { path: `/projects/${projectId}/export`, parameter: "format" },
          { path: `/projects/${projectId}/reviews`, parameter: "verdict" },
          { path: "/queue/next", parameter: "project" },
        ),
        refusedInText,
        async ({ path, parameter }, value) => {
          const response = await admin.get(
            `${path}?${new URLSearchParams({ [parameter]: value })}`,
          );
          expect(response.status, JSON.stringify(response.body)).toBe(400);
          expect(detailsOf(response.body).map((detail) => detail.field)).toEqual([parameter]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("refuses an import in every format with 422 naming the row and field, storing no row", async () => {
    const before = await storedCounts();
    const formats = ["json", "jsonl", "csv", "label-studio", "hh-rlhf"] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...formats),
        fc.constantFrom(...Object.keys(itemPlaces)),
        fc.nat(3),
        fc.nat(4),
        refusedInJson,
        refusedInText,
        async (format, place, rowsBefore, csvColumn, jsonValue, textValue) => {
          const clean = Array.from({ length: rowsBefore }, (_, index) => plainItem(`ok-${index}`));
          const row = rowsBefore + 1;
          let response: { status: number; body: unknown };
          let field: string | null;
          if (format === "json" || format === "jsonl") {
            const bad = itemPlaces[place](jsonValue);
            field = bad.field;
            const items = [...clean, bad.item];
            response =
              format === "json"
                ? await postImport(JSON.stringify(items), "application/json")
                : await postImport(
                    items.map((item) => JSON.stringify(item)).join("\n"),
                    "application/x-ndjson",
                  );
          } else if (format === "csv") {
            const header = "external_id,prompt,response_a,response_b,metadata.source";
            const line = (cells: string[]) => cells.map((cell) => `"${cell}"`).join(",");
            const cleanLines = clean.map((item) =>
              line([item.externalId, item.prompt, "fine", "also fine", ""]),
            );
            const cells = [`bad-${row}`, "A prompt", "fine", "also fine", "note"];
            const columns = [
              "externalId",
              "prompt",
              "responses.0.text",
              "responses.1.text",
              "metadata.source",
            ];
            cells[csvColumn] = textValue;
            field = columns[csvColumn];
            response = await postImport(
              [header, ...cleanLines, line(cells)].join("\r\n"),
              "text/csv",
            );
          } else if (format === "label-studio") {
            const task = (id: number, prompt: string) => ({
              id,
              data: { prompt, answer1: "fine", answer2: "also fine" },
            });
            const tasks = [
              ...clean.map((item, index) => task(index + 1, item.prompt)),
              task(row, jsonValue),
            ];
            field = "prompt";
            response = await postImport(JSON.stringify(tasks), "application/json", "label-studio");
          } else {
            const pair = (question: string, index: number) => ({
              chosen: `\n\nHuman: ${question}\n\nAssistant: Fine answer ${index}.`,
              rejected: `\n\nHuman: ${question}\n\nAssistant: Worse answer ${index}.`,
            });
            const records = [
              ...clean.map((item, index) => pair(`${item.prompt} ${index}`, index)),
              pair(jsonValue, row),
            ];
            field = null;
            response = await postImport(
              records.map((record) => JSON.stringify(record)).join("\n"),
              "application/x-ndjson",
              "hh-rlhf",
            );
          }
          expect(response.status, JSON.stringify(response.body)).toBe(422);
          const details = detailsOf(response.body);
          expect(details.length).toBeGreaterThan(0);
          expect(details.every((detail) => detail.row === row)).toBe(true);
          if (field) expect(details.map((detail) => detail.field)).toContain(field);
          else
            expect(details.every((detail) => /^prompt\.|^responses\./.test(detail.field))).toBe(
              true,
            );
        },
      ),
      { numRuns: 60 },
    );
    expect(await storedCounts()).toEqual(before);
  });
});

describe("text that cannot be stored, in forms", () => {
  let cookie: string;

  beforeAll(async () => {
    cookie = await signInCookie(server.url, "admin@clean.test", PASSWORD);
  });

  async function postForm(path: string, fields: Record<string, string>) {
    const response = await postPageForm(server.url, cookie, path, fields);
    return { status: response.status, html: await response.text() };
  }

  /**
   * The input the refusal must mark: a form field by its name, or an input of the template
   * builder, which sends the template as one JSON field, by its label.
   */
  type Marked = { name: string } | { label: string };

  /** The input is marked invalid, with the clean-text message near it. */
  function expectInvalidInput(html: string, marked: Marked) {
    let selector: string;
    if ("name" in marked) {
      selector = `name="${marked.name}"`;
    } else {
      const id = new RegExp(`<label for="([^"]+)"[^>]*>${marked.label}</label>`).exec(html)?.[1];
      expect(id, `a label ${marked.label}`).toBeDefined();
      selector = `id="${id!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`;
    }
    const input = new RegExp(`<(input|textarea)[^>]*${selector}[^>]*>`).exec(html)?.[0];
    expect(input, `an input with ${selector}`).toBeDefined();
    expect(input).toContain('aria-invalid="true"');
    expect(html).toMatch(/contains the control character U\+00[01][0-9A-F]/);
  }

  const forms: Record<
    string,
    (value: string) => { path: string; fields: Record<string, string>; invalid: Marked | null }
  > = {
    "new project name": (value) => ({
      path: "/projects/new",
      fields: { name: value, source: "pairwise-clinical", overlap: "3" },
      invalid: { name: "name" },
    }),
    "new project description": (value) => ({
      path: "/projects/new",
      fields: { name: "Fine", description: value, source: "pairwise-clinical", overlap: "3" },
      invalid: { name: "description" },
    }),
    // The builder posts its template as JSON in `template`; the page that comes back shows the
    // builder again with the field's label input marked.
    "new project custom template": (value) => ({
      path: "/projects/new",
      fields: {
        name: "Fine",
        source: "custom",
        overlap: "3",
        template: JSON.stringify({ fields: [{ id: "note", type: "text", label: value }] }),
      },
      invalid: { label: "Label" },
    }),
    "project settings name": (value) => ({
      path: `/projects/${projectId}/settings`,
      fields: { intent: "details", name: value, description: "", domain: "", overlap: "3" },
      invalid: { name: "name" },
    }),
    "token name": (value) => ({
      path: "/settings",
      fields: { intent: "createToken", name: value },
      invalid: { name: "name" },
    }),
    "member email": (value) => ({
      path: `/projects/${projectId}/members`,
      fields: { intent: "add", email: value, role: "annotator" },
      invalid: { name: "email" },
    }),
  };

  it("refuses a form field with 422 and marks that field, storing nothing", async () => {
    const before = await storedCounts();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(forms)),
        refusedInText,
        async (name, value) => {
          const form = forms[name](value);
          const response = await postForm(form.path, form.fields);
          expect(response.status).toBe(422);
          if (form.invalid) expectInvalidInput(response.html, form.invalid);
        },
      ),
      { numRuns: 30 },
    );
    expect(await storedCounts()).toEqual(before);
  });
});

describe("the database's own refusal", () => {
  it("is a 422, never a 500, should text get past the checks", async () => {
    const { db } = server.context;
    const refusals = await Promise.all(
      [
        db.insertInto("projects").values({ name: "a\u0000b", template: "{}" }).execute(),
        db
          .insertInto("projects")
          .values({ name: "json", template: JSON.stringify({ note: "\u0000" }) })
          .execute(),
        db
          .insertInto("projects")
          .values({ name: "json", template: JSON.stringify({ note: "\ud800" }) })
          .execute(),
      ].map((attempt) =>
        attempt.then(
          () => null,
          (error: unknown) => error,
        ),
      ),
    );
    for (const refusal of refusals) {
      expect(refusal).not.toBeNull();
      expect(databaseAppError(refusal)?.status).toBe(422);
    }
    const duplicate = await db
      .insertInto("project_members")
      .values([
        { project_id: projectId, user_id: 1, role: "lead" },
        { project_id: projectId, user_id: 1, role: "lead" },
      ])
      .execute()
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(duplicate).not.toBeNull();
    expect(databaseAppError(duplicate)).toBeNull();
  });
});
