import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCast,
  createProject,
  disputedLabels,
  type Cast,
  type Person,
} from "../setup/adjudication.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

let server: TestServer;
let cast: Cast;
let projectId: number;

interface ListedItem {
  id: number;
  externalId: string | null;
  preview: string;
  domain: string | null;
  status?: string;
  disputedFields?: string[];
}

interface ItemList {
  items: ListedItem[];
  total: number;
  nextCursor: number | string | null;
}

/** What the test knows of each imported item, to work out by hand what a filter must return. */
interface Fixture {
  externalId: string;
  words: string[];
  domain: string | null;
  gold: boolean;
  annotators: Person[];
}

const fixtures: Fixture[] = [];
const ids = new Map<string, number>();

const consensusLabels = [
  { preference: 1, accuracy: 4, errors: [] },
  { preference: 1, accuracy: 4, errors: [] },
];

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
  projectId = await createProject(cast, { overlap: 2 });
  const [first, second, third] = cast.experts;
  const drugs = ["warfarin", "metformin", "lisinopril", "amoxicillin"];
  const items = drugs.flatMap((drug, index) => {
    const domain = index % 2 === 0 ? "medical" : null;
    const pair = index < 2 ? [first, second] : [second, third];
    return [
      {
        externalId: `${drug}-disputed`,
        // A conversation: the preview shows its last turn.
        prompt:
          index === 0
            ? [
                { role: "user", content: "Hello" },
                { role: "user", content: `Dose of ${drug}?` },
              ]
            : `Dose of ${drug}?`,
        responses: [
          { id: "a", model: "zebramodel-7b", text: `Take 5 mg of ${drug} daily.` },
          { id: "b", text: `Check the renal function before ${drug}.` },
        ],
        domain,
        annotations: pair.map((person, seat) => ({
          annotator: person.email,
          label: disputedLabels[seat],
        })),
        fixture: { words: [drug, "dose", "renal"], gold: false, annotators: pair },
      },
      {
        externalId: `${drug}-agreed`,
        prompt: `Interactions of ${drug} with grapefruit?`,
        responses: [
          { id: "a", text: `None known for ${drug}.` },
          { id: "b", text: "Ask a pharmacist." },
        ],
        domain,
        annotations: pair.map((person, seat) => ({
          annotator: person.email,
          label: consensusLabels[seat],
        })),
        fixture: { words: [drug, "grapefruit", "pharmacist"], gold: false, annotators: pair },
      },
      {
        externalId: `${drug}-gold`,
        prompt: `Maximum daily ${drug}?`,
        responses: [
          { id: "a", text: "Twice the usual." },
          { id: "b", text: "As the label says." },
        ],
        domain,
        gold: { label: { preference: 1, accuracy: 5 } },
        fixture: { words: [drug, "maximum"], gold: true, annotators: [] },
      },
    ];
  });
  const imported = await cast.lead.api.post(
    `/projects/${projectId}/items`,
    items.map(({ fixture: _fixture, domain, ...item }) => ({
      ...item,
      ...(domain ? { domain } : {}),
    })),
  );
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  for (const { fixture, externalId, domain } of items) {
    fixtures.push({ externalId, domain, ...fixture });
  }
  const listed = await list(cast.lead, "?limit=500");
  for (const item of listed.items) ids.set(item.externalId!, item.id);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

async function list(person: Person, query: string): Promise<ItemList> {
  const response = await person.api.get<ItemList>(`/projects/${projectId}/items${query}`);
  expect(response.status, `${query}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body;
}

async function refused(person: Person, query: string): Promise<string> {
  const response = await person.api.get<{ error: { message: string } }>(
    `/projects/${projectId}/items${query}`,
  );
  expect(response.status, `${query}: ${JSON.stringify(response.body)}`).toBe(400);
  return response.body.error.message;
}

const externalIdsOf = (page: ItemList) => page.items.map((item) => item.externalId).sort();

describe("searching a project's items", () => {
  it("finds whole words of prompts and responses, any case, with phrases, or and exclusions", async () => {
    const search = async (q: string) =>
      externalIdsOf(await list(cast.lead, `?q=${encodeURIComponent(q)}`));
    expect(await search("METFORMIN")).toEqual([
      "metformin-agreed",
      "metformin-disputed",
      "metformin-gold",
    ]);
    // "renal" is only in a response.
    expect(await search("renal lisinopril")).toEqual(["lisinopril-disputed"]);
    expect(await search('"renal function before warfarin"')).toEqual(["warfarin-disputed"]);
    expect(await search('"warfarin before renal"')).toEqual([]);
    expect(await search("grapefruit -warfarin -metformin")).toEqual([
      "amoxicillin-agreed",
      "lisinopril-agreed",
    ]);
    expect(await search("pharmacist or maximum")).toHaveLength(8);
    // JSON keys are not words of the content, nor are response ids, model names or the roles
    // of a conversation's turns: only what is read is.
    expect(await search("role")).toEqual([]);
    for (const q of ["b", "zebramodel", "zebramodel-7b", "user"])
      expect(await search(q), q).toEqual([]);
  });

  it("counts every match, not only the page, and shows the start of the prompt (its last turn)", async () => {
    const page = await list(cast.lead, "?q=dose&limit=2");
    expect(page.total).toBe(4);
    expect(page.items).toHaveLength(2);
    const warfarin = (await list(cast.lead, "?q=warfarin")).items.find(
      (item) => item.externalId === "warfarin-disputed",
    );
    expect(warfarin?.preview).toBe("Dose of warfarin?");
    expect((await list(cast.lead, "")).total).toBe(fixtures.length);
  });

  it("answers search operators and symbols as words, and refuses a search past 500 characters", async () => {
    for (const q of ["&&& | ((( !!! :* '", "\\", "'); drop table items; --", "<->", "*", "-"]) {
      const page = await list(cast.lead, `?q=${encodeURIComponent(q)}`);
      expect(page.total, q).toBe(page.items.length);
    }
    expect(await refused(cast.lead, `?q=${"a".repeat(501)}`)).toBe("Invalid query");
    expect((await list(cast.lead, "")).total).toBe(fixtures.length);
  });

  it("finds an early word of an item too large to index whole, and imports it", async () => {
    const words = Array.from({ length: 30_000 }, (_, index) => `w${index.toString(36)}x`);
    const imported = await cast.lead.api.post(`/projects/${projectId}/items`, [
      {
        externalId: "huge",
        prompt: `zebrafish ${words.join(" ")}`,
        responses: [
          { id: "a", text: words.join(" ") },
          { id: "b", text: "Short." },
        ],
      },
    ]);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect(externalIdsOf(await list(cast.lead, "?q=zebrafish"))).toEqual(["huge"]);
    const archived = await cast.lead.api.get<ItemList>(`/projects/${projectId}/items?q=zebrafish`);
    await server.context.db
      .deleteFrom("items")
      .where("id", "=", archived.body.items[0].id)
      .execute();
  });
});

describe("filtering, as each rule says", () => {
  const expected = (filter: {
    q?: string;
    domain?: string;
    gold?: boolean;
    annotator?: number;
    field?: string;
  }) =>
    fixtures
      .filter(
        (fixture) =>
          (filter.q === undefined || fixture.words.includes(filter.q)) &&
          (filter.domain === undefined || fixture.domain === filter.domain) &&
          (filter.gold === undefined || fixture.gold === filter.gold) &&
          (filter.annotator === undefined ||
            fixture.annotators.some((person) => person.id === filter.annotator)) &&
          // Only the disputed items are disputed, on the preference and accuracy fields.
          (filter.field === undefined ||
            (fixture.externalId.endsWith("-disputed") &&
              ["preference", "accuracy"].includes(filter.field))),
      )
      .map((fixture) => fixture.externalId)
      .sort();

  it("returns exactly the items every combination of filters describes", async () => {
    const words = ["warfarin", "metformin", "dose", "grapefruit", "maximum", "nothing"];
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            q: fc.constantFrom(...words),
            domain: fc.constant("medical"),
            gold: fc.boolean(),
            annotator: fc.constantFrom(...cast.experts.map((expert) => expert.id)),
            field: fc.constantFrom("preference", "accuracy", "errors", "critique"),
          },
          { requiredKeys: [] },
        ),
        async (filter) => {
          const query = new URLSearchParams(
            Object.entries(filter).map(([name, value]) => [name, String(value)]),
          );
          const page = await list(cast.lead, `?${query}&limit=500`);
          expect(externalIdsOf(page), query.toString()).toEqual(expected(filter));
          expect(page.total).toBe(page.items.length);
        },
      ),
      { numRuns: 40, seed: 20261205 },
    );
  });

  it("walks every order page by page, each item once, in order", async () => {
    for (const sort of ["id", "-id", "created", "-created", "updated", "-updated"]) {
      const all = (await list(cast.lead, `?sort=${sort}&limit=500`)).items.map((item) => item.id);
      const walked: number[] = [];
      let cursor: number | string | null = null;
      do {
        const query = new URLSearchParams({
          sort,
          limit: "5",
          ...(cursor === null ? {} : { cursor: String(cursor) }),
        });
        const page = await list(cast.lead, `?${query}`);
        walked.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(walked, sort).toEqual(all);
      expect(new Set(walked).size).toBe(fixtures.length);
      if (sort === "id") expect(walked).toEqual([...walked].sort((a, b) => a - b));
      if (sort === "-id") expect(walked).toEqual([...walked].sort((a, b) => b - a));
    }
    expect(await refused(cast.lead, "?sort=updated&cursor=garbage")).toMatch(/cursor/);
    expect(await refused(cast.lead, "?cursor=1e3")).toMatch(/cursor/);
  });

  it("filters by the import date, both ends included", async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect((await list(cast.lead, `?from=${today}&to=${today}`)).total).toBe(fixtures.length);
    expect((await list(cast.lead, `?to=2000-01-01`)).total).toBe(0);
    expect(await refused(cast.lead, "?from=yesterday")).toBe("Invalid query");
  });

  it("keeps gold and who labelled what to leads, and outcomes and dates from annotators", async () => {
    const [first] = cast.experts;
    expect(await refused(cast.client, "?gold=true")).toMatch(/clients: gold/);
    expect(await refused(cast.client, `?annotator=${first.id}`)).toMatch(/clients: annotator/);
    expect((await list(cast.client, "?field=preference")).total).toBe(4);
    for (const query of [
      "?gold=false",
      `?annotator=${first.id}`,
      "?field=accuracy",
      "?from=2000-01-01",
      "?sort=-updated",
    ]) {
      expect(await refused(first, query), query).toMatch(/annotators/);
    }
    // An annotator searches only what they may see: their own items, never a gold one's words.
    const own = await list(first, "?q=warfarin");
    expect(own.items.map((item) => item.id).sort()).toEqual(
      [ids.get("warfarin-agreed"), ids.get("warfarin-disputed")].sort(),
    );
    expect((await list(first, "?q=maximum")).total).toBe(0);
    expect((await list(cast.invited, "?q=warfarin")).total).toBe(0);
    const outsider = await cast.outsider.api.get(`/projects/${projectId}/items?q=warfarin`);
    expect(outsider.status).toBe(404);
  });
});
