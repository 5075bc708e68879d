import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCast,
  template as castTemplate,
  type Cast,
  type Person,
} from "../setup/adjudication.ts";
import { expectApiError } from "../setup/api-client.ts";
import { signInCookie } from "../setup/page-session.ts";
import { insertion, poisoned, responses, template, validLabel } from "../setup/reserved-keys.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * A label holding `__proto__`, `constructor` or `prototype` as a key, at any depth, is refused
 * with 422 naming each such key by its path, wherever a label enters (submission, draft,
 * revision, a lead's correction, an import, the labeling pages), and nothing is stored; a label
 * without them is stored as sent. Labels are sent as JSON text, so `__proto__` arrives as the
 * ordinary key JSON.parse makes of it.
 */

const PASSWORD = "correct horse battery staple";
const MESSAGE = /^"(__proto__|constructor|prototype)" is not accepted as a key in a label$/;

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server?.stop());

const db = () => server.context.db;

/**
 * A project with the cast as members, and its items; of the reserved-keys template unless
 * another is given.
 */
async function project(
  overlap: number,
  items: number,
  options: { withJunior?: boolean; template?: object } = {},
): Promise<number> {
  const withJunior = options.withJunior ?? false;
  const created = await cast.admin.api.post<{ project: { id: number } }>("/projects", {
    name: `Reserved keys ${overlap}/${items}`,
    template: options.template ?? template,
    overlap,
    settings: { juniorReview: { firstN: 10, rate: 1 } },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const projectId = created.body.project.id;
  const members: Person[] = [cast.lead, ...cast.experts, ...(withJunior ? [cast.junior] : [])];
  for (const member of members) {
    const role = member === cast.lead ? "lead" : "annotator";
    const added = await cast.admin.api.post(`/projects/${projectId}/members`, {
      email: member.email,
      role,
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }
  if (items > 0) {
    const imported = await cast.lead.api.post(
      `/projects/${projectId}/items`,
      Array.from({ length: items }, (_, index) => ({
        externalId: `case-${index}`,
        prompt: "Warfarin with an antibiotic?",
        responses,
      })),
    );
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  }
  return projectId;
}

async function reserve(person: Person, projectId: number): Promise<number> {
  const next = await person.api.get<{ assignment: { itemId: number } | null }>(
    `/queue/next?project=${projectId}`,
  );
  expect(next.body.assignment, JSON.stringify(next.body)).not.toBeNull();
  return next.body.assignment!.itemId;
}

/** Poisoned labels and the paths of their reserved keys, the same on every run. */
function poisonedLabels(count: number, seed: number) {
  return fc
    .sample(fc.tuple(validLabel, fc.array(insertion, { minLength: 1, maxLength: 4 })), {
      numRuns: count,
      seed,
    })
    .map(([label, insertions]) => poisoned(label, insertions));
}

function cleanLabels(count: number, seed: number) {
  return fc.sample(validLabel, { numRuns: count, seed });
}

/** The 422's details name exactly the reserved keys, prefixed as the path says. */
function expectNamed(
  details: Array<Record<string, unknown>> | undefined,
  expected: ReadonlySet<string>,
  prefix = "",
) {
  expect(new Set(details?.map((detail) => detail.field))).toEqual(
    new Set([...expected].map((path) => `${prefix}${path}`)),
  );
  for (const detail of details ?? []) expect(detail.message).toMatch(MESSAGE);
}

async function storedLabels(itemId: number) {
  return (
    await db().selectFrom("annotations").select("label").where("item_id", "=", itemId).execute()
  ).map((row) => row.label);
}

describe("a label with a reserved key", () => {
  it("is refused as a submission, a draft and a revision; labels without one are stored as sent", async () => {
    const projectId = await project(2, 1);
    const expert = cast.experts[0];
    const itemId = await reserve(expert, projectId);

    for (const { wire, expected } of poisonedLabels(20, 1)) {
      const submitted = await expert.api.post(`/items/${itemId}/annotations`, { label: wire });
      expectNamed(expectApiError(submitted, 422, "validation_failed"), expected);
      const drafted = await expert.api.put(`/items/${itemId}/draft`, { label: wire });
      expectNamed(expectApiError(drafted, 422, "validation_failed"), expected);
    }
    expect(await storedLabels(itemId)).toEqual([]);
    expect(
      await db().selectFrom("drafts").select("label").where("item_id", "=", itemId).execute(),
    ).toEqual([]);

    const [first, ...later] = cleanLabels(11, 2);
    const drafted = await expert.api.put(`/items/${itemId}/draft`, { label: first });
    expect(drafted.status, JSON.stringify(drafted.body)).toBe(200);
    const draft = await db()
      .selectFrom("drafts")
      .select("label")
      .where("item_id", "=", itemId)
      .executeTakeFirstOrThrow();
    expect(draft.label).toEqual(first);
    const submitted = await expert.api.post(`/items/${itemId}/annotations`, { label: first });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    expect(await storedLabels(itemId)).toEqual([first]);

    for (const { wire, expected } of poisonedLabels(10, 3)) {
      const revised = await expert.api.put(`/items/${itemId}/annotations/mine`, { label: wire });
      expectNamed(expectApiError(revised, 422, "validation_failed"), expected);
    }
    expect(await storedLabels(itemId)).toEqual([first]);
    for (const label of later) {
      const revised = await expert.api.put(`/items/${itemId}/annotations/mine`, { label });
      expect(revised.status, JSON.stringify(revised.body)).toBe(200);
      expect(await storedLabels(itemId)).toEqual([label]);
    }
  });

  it("is refused as a lead's correction in a review", async () => {
    const projectId = await project(1, 1, { withJunior: true });
    const itemId = await reserve(cast.junior, projectId);
    const [label] = cleanLabels(1, 4);
    const submitted = await cast.junior.api.post(`/items/${itemId}/annotations`, { label });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const reviews = await cast.lead.api.get<{ reviews: Array<{ id: number }> }>(
      `/projects/${projectId}/reviews`,
    );
    const reviewId = reviews.body.reviews[0]!.id;
    for (const { wire, expected } of poisonedLabels(10, 5)) {
      const response = await cast.lead.api.post(`/reviews/${reviewId}`, {
        verdict: "correct",
        correctedLabel: wire,
        comments: [{ text: "Fixed." }],
      });
      expectNamed(expectApiError(response, 422, "validation_failed"), expected, "correctedLabel.");
    }
    const review = await db()
      .selectFrom("reviews")
      .select(["verdict", "corrected_label"])
      .where("id", "=", reviewId)
      .executeTakeFirstOrThrow();
    expect(review).toEqual({ verdict: "pending", corrected_label: null });
  });

  it("is refused in an import, gold label or annotation, by row and field, and nothing is stored", async () => {
    const projectId = await project(2, 0);
    const labels = poisonedLabels(6, 6);
    const rows = labels.map(({ wire }, index) => ({
      externalId: `imported-${index}`,
      prompt: "Warfarin with an antibiotic?",
      responses,
      ...(index % 2 === 0
        ? { gold: { label: wire } }
        : { annotations: [{ annotator: cast.experts[1].email, label: wire }] }),
    }));
    const response = await cast.lead.api.post(`/projects/${projectId}/items`, rows);
    const details = expectApiError(response, 422, "validation_failed");
    const expected = labels.flatMap(({ expected: paths }, index) =>
      [...paths].map((path) => ({
        row: index + 1,
        field: `${index % 2 === 0 ? "gold.label" : "annotations.0.label"}.${path}`,
      })),
    );
    expect(details?.map(({ row, field }) => ({ row, field }))).toEqual(
      expect.arrayContaining(expected),
    );
    expect(details).toHaveLength(expected.length);
    for (const detail of details ?? []) expect(detail.message).toMatch(MESSAGE);

    // A CSV file's gold column is a label in JSON too.
    const csv = await fetch(`${server.url}/api/v1/projects/${projectId}/items`, {
      method: "POST",
      headers: { Authorization: `Bearer ${cast.lead.token}`, "Content-Type": "text/csv" },
      body: `external_id,prompt,response_a,response_b,gold\ncase,Dose?,Fine.,Wrong.,"{""preference"": 0, ""accuracy"": 3, ""__proto__"": {""accuracy"": 5}}"\n`,
    });
    const csvBody = (await csv.json()) as { error: { details: unknown } };
    expect(csv.status, JSON.stringify(csvBody)).toBe(422);
    expect(csvBody.error.details).toEqual([
      { row: 1, field: "gold.label.__proto__", message: expect.stringMatching(MESSAGE) },
    ]);

    const stored = await db()
      .selectFrom("items")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("project_id", "=", projectId)
      .executeTakeFirstOrThrow();
    expect(Number(stored.count)).toBe(0);
  });

  it("is refused by the labeling pages' draft and submission, and nothing is stored", async () => {
    const projectId = await project(2, 1, { template: castTemplate });
    const expert = cast.experts[1];
    const itemId = await reserve(expert, projectId);
    const cookie = await signInCookie(server.url, expert.email, PASSWORD);
    const post = (path: string, body: string) =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: {
          Cookie: cookie,
          Origin: server.url,
          "Content-Type": "application/json",
        },
        body,
        redirect: "manual",
      });
    const label = '{"preference": 1, "accuracy": 2, "__proto__": {"accuracy": 5}}';

    const draft = await post(
      `/projects/${projectId}/label/draft`,
      `{"itemId": ${itemId}, "elapsedMs": 10, "label": ${label}}`,
    );
    expect(draft.status).toBe(422);
    expect(await draft.json()).toEqual({
      error: {
        code: "validation_failed",
        message: expect.any(String),
        details: [{ field: "__proto__", message: expect.stringMatching(MESSAGE) }],
      },
    });
    const submitted = await post(
      `/projects/${projectId}/label`,
      `{"intent": "submit", "itemId": ${itemId}, "label": ${label}}`,
    );
    expect(submitted.status).toBe(422);
    expect(await storedLabels(itemId)).toEqual([]);
    expect(
      await db().selectFrom("drafts").select("label").where("item_id", "=", itemId).execute(),
    ).toEqual([]);
  });
});
