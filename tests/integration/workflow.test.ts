import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemContentHash } from "../../server/services/seed.ts";
import { apiClient, expectApiError, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

let server: TestServer;
let lead: ApiClient;
let client: ApiClient;
const experts: ApiClient[] = [];
let junior: ApiClient;
let legalExpert: ApiClient;
let outsider: ApiClient;

const template = {
  fields: [
    { id: "preference", type: "preference", label: "Preference", scale: 2, required: true },
    { id: "accuracy", type: "rating", label: "Accuracy", min: 1, max: 5, required: true },
    { id: "errors", type: "spans", label: "Errors", categories: ["dosage", "interaction"] },
    { id: "critique", type: "text", label: "Critique" },
  ],
};

const responses = [
  { id: "a", text: "Take 5 mg of warfarin daily with the antibiotic." },
  { id: "b", text: "Check the INR within 3 days; the antibiotic potentiates warfarin." },
];

async function addItems(
  projectId: number,
  count: number,
  extra: { gold?: unknown; domain?: string } = {},
) {
  const rows = Array.from({ length: count }, (_, index) => {
    const prompt = `Question ${projectId}-${index}-${extra.domain ?? ""}-${extra.gold ? "g" : ""}`;
    return {
      project_id: projectId,
      external_id: `${prompt}`,
      prompt: JSON.stringify(prompt),
      responses: JSON.stringify(responses),
      domain: extra.domain ?? null,
      gold_label: extra.gold === undefined ? null : JSON.stringify(extra.gold),
      content_hash: itemContentHash(prompt, responses),
    };
  });
  const inserted = await server.context.db
    .insertInto("items")
    .values(rows)
    .returning("id")
    .execute();
  return inserted.map((row) => row.id);
}

async function createProject(body: Record<string, unknown>) {
  const response = await lead.post<{ project: { id: number } }>("/projects", {
    name: "Warfarin interactions",
    template,
    ...body,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.project.id;
}

async function addMembers(projectId: number) {
  for (const email of [
    "expert1@example.test",
    "expert2@example.test",
    "expert3@example.test",
    "junior@example.test",
    "legal@example.test",
  ]) {
    expect(
      (await lead.post(`/projects/${projectId}/members`, { email, role: "annotator" })).status,
    ).toBe(201);
  }
  expect(
    (
      await lead.post(`/projects/${projectId}/members`, {
        email: "client@example.test",
        role: "client",
      })
    ).status,
  ).toBe(201);
}

const label = (preference: number, accuracy: number, extra: Record<string, unknown> = {}) => ({
  label: { preference, accuracy, ...extra },
  durationMs: 42_000,
});

async function next(annotator: ApiClient, projectId: number) {
  const response = await annotator.get<{
    assignment: { itemId: number } | null;
    item: Record<string, unknown> | null;
    annotations: Array<{ label: unknown; annotator: { own: boolean } }>;
  }>(`/queue/next?project=${projectId}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

beforeAll(async () => {
  server = await startTestServer();
  const make = async (email: string, extra: Record<string, unknown> = {}) =>
    apiClient(server.url, (await server.createUserWithToken({ email, ...extra })).token);
  const leadUser = await server.createUserWithToken({ email: "lead@example.test" });
  lead = apiClient(server.url, leadUser.token);
  // A lead may create projects once they lead one: the first is given by an admin.
  const admin = await make("admin@example.test", { isAdmin: true });
  const first = await admin.post<{ project: { id: number } }>("/projects", {
    name: "Bootstrap",
    preset: "pairwise-clinical",
  });
  await admin.post(`/projects/${first.body.project.id}/members`, {
    email: "lead@example.test",
    role: "lead",
  });
  for (const number of [1, 2, 3]) {
    experts.push(
      await make(`expert${number}@example.test`, { level: "expert", domains: ["medical"] }),
    );
  }
  junior = await make("junior@example.test", { level: "junior", domains: ["medical"] });
  legalExpert = await make("legal@example.test", { level: "expert", domains: ["legal"] });
  client = await make("client@example.test");
  outsider = await make("outsider@example.test", { level: "expert", domains: ["medical"] });
});

afterAll(async () => {
  await server?.stop();
});

describe("projects", () => {
  it("creates a project from a preset or a template, validating the template", async () => {
    const fromPreset = await lead.post<{
      project: { template: { fields: unknown[] }; domain: string };
    }>("/projects", { name: "From preset", preset: "pairwise-clinical" });
    expect(fromPreset.status).toBe(201);
    expect(fromPreset.body.project.template.fields.length).toBeGreaterThan(3);
    expect(fromPreset.body.project.domain).toBe("medical");

    const details = expectApiError(
      await lead.post("/projects", {
        name: "Broken",
        template: { fields: [{ id: "r", type: "rating", label: "R", min: 5, max: 1 }] },
      }),
      422,
      "validation_failed",
    );
    expect(details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: "template.fields.0.max" })]),
    );
    expectApiError(await lead.post("/projects", { name: "Neither" }), 422, "validation_failed");
    expectApiError(
      await experts[0].post("/projects", { name: "Not a lead", preset: "pairwise-clinical" }),
      403,
      "forbidden",
    );
  });

  it("refuses a template change that would invalidate existing labels, and archives", async () => {
    const projectId = await createProject({ overlap: 1 });
    await addMembers(projectId);
    await addItems(projectId, 1);
    await next(experts[0], projectId);
    const [item] = await server.context.db
      .selectFrom("items")
      .select("id")
      .where("project_id", "=", projectId)
      .execute();
    expect((await experts[0].post(`/items/${item.id}/annotations`, label(2, 5))).status).toBe(201);

    const narrower = {
      template: {
        fields: [
          { id: "preference", type: "preference", label: "Preference", scale: 1, required: true },
          { id: "accuracy", type: "rating", label: "Accuracy", min: 1, max: 5, required: true },
        ],
      },
    };
    const details = expectApiError(
      await lead.patch(`/projects/${projectId}`, narrower),
      409,
      "conflict",
    );
    expect(details).toEqual([
      expect.objectContaining({ source: "annotation", field: "preference" }),
    ]);

    const wider = {
      template: { fields: [...template.fields, { id: "notes", type: "text", label: "Notes" }] },
    };
    expect((await lead.patch(`/projects/${projectId}`, wider)).status).toBe(200);

    const archived = await lead.patch<{ project: { archived: boolean } }>(
      `/projects/${projectId}`,
      { archived: true },
    );
    expect(archived.body.project.archived).toBe(true);
    expectApiError(
      await experts[0].patch(`/projects/${projectId}`, { name: "x" }),
      403,
      "forbidden",
    );
    expectApiError(await outsider.get(`/projects/${projectId}`), 404, "not_found");
  });

  it("manages members and keeps at least one lead", async () => {
    const projectId = await createProject({});
    const members = await lead.get<{ members: Array<{ email: string; role: string }> }>(
      `/projects/${projectId}/members`,
    );
    expect(members.body.members).toEqual([
      expect.objectContaining({ email: "lead@example.test", role: "lead" }),
    ]);
    const leadId = (await lead.get<{ user: { id: number } }>("/me")).body.user.id;
    expectApiError(
      await lead.delete(`/projects/${projectId}/members/${leadId}`),
      400,
      "bad_request",
    );
    expectApiError(
      await lead.post(`/projects/${projectId}/members`, {
        email: "nobody@example.test",
        role: "annotator",
      }),
      422,
      "validation_failed",
    );
    expect(
      (
        await lead.post(`/projects/${projectId}/members`, {
          email: "expert1@example.test",
          role: "annotator",
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await lead.post(`/projects/${projectId}/members`, {
          email: "expert1@example.test",
          role: "client",
        })
      ).status,
    ).toBe(200);
  });
});

describe("routing", () => {
  it("gives each item `overlap` distinct annotators and never the same item twice", async () => {
    const projectId = await createProject({ overlap: 2 });
    await addMembers(projectId);
    const itemIds = await addItems(projectId, 3);
    const seen = new Map<number, number[]>();
    for (let round = 0; round < 3; round++) {
      for (const [index, annotator] of experts.entries()) {
        const { assignment } = await next(annotator, projectId);
        if (!assignment) continue;
        seen.set(assignment.itemId, [...(seen.get(assignment.itemId) ?? []), index]);
        expect(
          (await annotator.post(`/items/${assignment.itemId}/annotations`, label(1, 4))).status,
        ).toBe(201);
      }
    }
    expect([...seen.keys()].sort()).toEqual(itemIds);
    for (const annotators of seen.values()) {
      expect(annotators).toHaveLength(2);
      expect(new Set(annotators).size).toBe(2);
    }
    for (const annotator of experts)
      expect((await next(annotator, projectId)).assignment).toBeNull();
  });

  it("routes by domain", async () => {
    const projectId = await createProject({ overlap: 1 });
    await addMembers(projectId);
    const [legalItem] = await addItems(projectId, 1, { domain: "legal" });
    expect((await next(experts[0], projectId)).assignment).toBeNull();
    expect((await next(legalExpert, projectId)).assignment?.itemId).toBe(legalItem);
  });

  it("returns the held reservation, and frees it when it expires", async () => {
    const projectId = await createProject({ overlap: 1 });
    await addMembers(projectId);
    const [itemId] = await addItems(projectId, 1);
    expect((await next(experts[0], projectId)).assignment?.itemId).toBe(itemId);
    expect((await next(experts[0], projectId)).assignment?.itemId).toBe(itemId);
    expect((await next(experts[1], projectId)).assignment).toBeNull();

    await server.context.db
      .updateTable("assignments")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("item_id", "=", itemId)
      .execute();
    expect((await next(experts[1], projectId)).assignment?.itemId).toBe(itemId);
    expectApiError(
      await experts[0].post(`/items/${itemId}/annotations`, label(1, 3)),
      409,
      "conflict",
    );
    expect((await experts[1].post(`/items/${itemId}/annotations`, label(1, 3))).status).toBe(201);
  });

  it("never overfills an item when two annotators ask at once", async () => {
    const projectId = await createProject({ overlap: 1 });
    await addMembers(projectId);
    const [itemId] = await addItems(projectId, 1);
    const results = await Promise.all(experts.map((annotator) => next(annotator, projectId)));
    const winners = results.filter((result) => result.assignment?.itemId === itemId);
    expect(winners).toHaveLength(1);
    const { count } = await server.context.db
      .selectFrom("assignments")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("item_id", "=", itemId)
      .executeTakeFirstOrThrow();
    expect(count).toBe(1);
  });

  it("keeps the last place for an expert when the project requires one", async () => {
    const projectId = await createProject({ overlap: 2, settings: { requireExpert: true } });
    await addMembers(projectId);
    await server.context.db
      .insertInto("project_members")
      .values({ project_id: projectId, user_id: await junior2Id(), role: "annotator" })
      .execute();
    const [itemId] = await addItems(projectId, 1);
    expect((await next(junior, projectId)).assignment?.itemId).toBe(itemId);
    const secondJunior = apiClient(server.url, junior2Token!);
    expect((await next(secondJunior, projectId)).assignment).toBeNull();
    expect((await next(experts[0], projectId)).assignment?.itemId).toBe(itemId);
  });

  it("does not serve a skipped item again", async () => {
    const projectId = await createProject({ overlap: 1 });
    await addMembers(projectId);
    const [itemId] = await addItems(projectId, 1);
    await next(experts[0], projectId);
    expectApiError(
      await experts[0].post(`/items/${itemId}/skip`, { reason: "" }),
      422,
      "validation_failed",
    );
    expect(
      (await experts[0].post(`/items/${itemId}/skip`, { reason: "outside my expertise" })).status,
    ).toBe(204);
    expect((await next(experts[0], projectId)).assignment).toBeNull();
    expect((await next(experts[1], projectId)).assignment?.itemId).toBe(itemId);
  });

  it("refuses outsiders and clients", async () => {
    const projectId = await createProject({});
    await addMembers(projectId);
    expectApiError(await outsider.get(`/queue/next?project=${projectId}`), 404, "not_found");
    expectApiError(await client.get(`/queue/next?project=${projectId}`), 403, "forbidden");
  });
});

let junior2Token: string | undefined;
async function junior2Id() {
  const created = await server.createUserWithToken({
    email: "junior2@example.test",
    level: "junior",
    domains: ["medical"],
  });
  junior2Token = created.token;
  return created.userId;
}

describe("submitting labels", () => {
  it("validates the label against the template and the item's responses", async () => {
    const projectId = await createProject({ overlap: 1 });
    await addMembers(projectId);
    const [itemId] = await addItems(projectId, 1);
    await next(experts[0], projectId);
    const details = expectApiError(
      await experts[0].post(`/items/${itemId}/annotations`, {
        label: {
          preference: 3,
          errors: [{ responseId: "a", start: 10, end: 500, category: "dosage", severity: "major" }],
          extra: true,
        },
      }),
      422,
      "validation_failed",
    );
    const fields = details!.map((detail) => detail.field);
    expect(fields).toEqual(
      expect.arrayContaining(["preference", "accuracy", "errors.0.end", "(root)"]),
    );
    expect((await experts[0].post(`/items/${itemId}/annotations`, label(-1, 2))).status).toBe(201);
    // The same label again is a retry, answered as the first time; another label is a conflict.
    expect((await experts[0].post(`/items/${itemId}/annotations`, label(-1, 2))).status).toBe(200);
    expectApiError(
      await experts[0].post(`/items/${itemId}/annotations`, label(1, 4)),
      409,
      "conflict",
    );
    expectApiError(
      await experts[1].post(`/items/${itemId}/annotations`, label(-1, 2)),
      403,
      "forbidden",
    );
  });

  it("keeps drafts until the label is submitted", async () => {
    const projectId = await createProject({ overlap: 1 });
    await addMembers(projectId);
    const [itemId] = await addItems(projectId, 1);
    await next(experts[0], projectId);
    expect(
      (await experts[0].put(`/items/${itemId}/draft`, { label: { accuracy: 4 }, elapsedMs: 1500 }))
        .status,
    ).toBe(200);
    const view = await experts[0].get<{ draft: { label: unknown; elapsedMs: number } }>(
      `/items/${itemId}`,
    );
    expect(view.body.draft).toMatchObject({ label: { accuracy: 4 }, elapsedMs: 1500 });
    expectApiError(await experts[1].put(`/items/${itemId}/draft`, { label: {} }), 409, "conflict");
  });
});

describe("blindness and dispute detection", () => {
  it("hides other labels until the annotator has submitted and the item is disputed", async () => {
    const projectId = await createProject({ overlap: 3 });
    await addMembers(projectId);
    const [itemId] = await addItems(projectId, 1);
    const secret = "The warfarin dose is dangerous";

    expect((await next(experts[0], projectId)).assignment?.itemId).toBe(itemId);
    expect(
      (await experts[0].post(`/items/${itemId}/annotations`, label(-2, 1, { critique: secret })))
        .status,
    ).toBe(201);

    const before = await next(experts[1], projectId);
    expect(before.assignment?.itemId).toBe(itemId);
    expect(JSON.stringify(before)).not.toContain(secret);
    expect(before.item).not.toHaveProperty("status");
    expect(before.item).not.toHaveProperty("metadata");
    expect(before.annotations).toEqual([]);
    const direct = await experts[1].get(`/items/${itemId}`);
    expect(JSON.stringify(direct.body)).not.toContain(secret);
    const listed = await experts[1].get(`/projects/${projectId}/items`);
    expect(JSON.stringify(listed.body)).not.toContain("annotating");

    expect((await experts[1].post(`/items/${itemId}/annotations`, label(2, 5))).status).toBe(201);
    expect(JSON.stringify((await experts[1].get(`/items/${itemId}`)).body)).not.toContain(secret);

    await next(experts[2], projectId);
    expect((await experts[2].post(`/items/${itemId}/annotations`, label(2, 4))).status).toBe(201);

    const after = await experts[1].get<{
      item: { status: string };
      annotations: Array<{
        annotator: { id: number | null; name: string; own: boolean };
        label: unknown;
      }>;
      outcome: { disputed: boolean; fields: Array<{ fieldId: string; disputed: boolean }> };
    }>(`/items/${itemId}`);
    expect(after.body.item.status).toBe("disputed");
    expect(JSON.stringify(after.body)).toContain(secret);
    const others = after.body.annotations.filter((annotation) => !annotation.annotator.own);
    expect(others).toHaveLength(2);
    for (const other of others) {
      expect(other.annotator.id).toBeNull();
      expect(other.annotator.name).toMatch(/^Annotator [A-Z]+$/);
    }
    expect(
      after.body.outcome.fields.filter((field) => field.disputed).map((field) => field.fieldId),
    ).toEqual(["preference", "accuracy"]);

    const disputed = await lead.get<{ items: Array<{ id: number; disputedFields: string[] }> }>(
      `/projects/${projectId}/items?status=disputed`,
    );
    expect(disputed.body.items).toEqual([
      expect.objectContaining({ id: itemId, disputedFields: ["preference", "accuracy"] }),
    ]);
    const clientView = await client.get<{ annotations: Array<{ annotator: { name: string } }> }>(
      `/items/${itemId}`,
    );
    expect(clientView.body.annotations.map((annotation) => annotation.annotator.name)).toEqual([
      "Annotator A",
      "Annotator B",
      "Annotator C",
    ]);
    expectApiError(await outsider.get(`/items/${itemId}`), 404, "not_found");
  });

  it("aggregates consensus items with provenance, and publishes them when the project says so", async () => {
    const projectId = await createProject({ overlap: 3, autoPublishConsensus: true });
    await addMembers(projectId);
    const [itemId] = await addItems(projectId, 1);
    const values = [label(1, 4), label(2, 5), label(2, 4)];
    for (const [index, annotator] of experts.entries()) {
      await next(annotator, projectId);
      expect((await annotator.post(`/items/${itemId}/annotations`, values[index])).status).toBe(
        201,
      );
    }
    const view = await lead.get<{
      item: { status: string };
      outcome: { disputed: boolean; aggregatedLabel: unknown };
      versions: Array<{ version: number; label: unknown }>;
    }>(`/items/${itemId}`);
    expect(view.body.item.status).toBe("published");
    expect(view.body.outcome).toMatchObject({
      disputed: false,
      aggregatedLabel: { preference: 2, accuracy: 4 },
    });
    expect(view.body.versions, JSON.stringify(view.body.versions)).toEqual([
      expect.objectContaining({ version: 1, label: { preference: 2, accuracy: 4 } }),
    ]);
    const progress = await lead.get<{
      byStatus: Record<string, number>;
      labels: { given: number; needed: number };
    }>(`/projects/${projectId}/progress`);
    expect(progress.body.byStatus.published).toBe(1);
    expect(progress.body.labels).toEqual({ given: 3, needed: 3 });
  });
});

describe("gold items", () => {
  it("serves gold items like any other and never settles them", async () => {
    const projectId = await createProject({ overlap: 1, settings: { goldRate: 1 } });
    await addMembers(projectId);
    const [goldId] = await addItems(projectId, 1, { gold: { preference: 2, accuracy: 5 } });
    const [regularId] = await addItems(projectId, 1);

    const gold = await next(experts[0], projectId);
    expect(gold.assignment?.itemId).toBe(goldId);
    expect(gold.item).not.toHaveProperty("gold");
    expect(Object.keys(gold.item!).sort()).toEqual(
      Object.keys(
        (await lead.get<{ item: Record<string, unknown> }>(`/items/${regularId}`)).body.item,
      )
        .filter((key) => !["status", "metadata", "gold"].includes(key))
        .sort(),
    );
    expect((await experts[0].post(`/items/${goldId}/annotations`, label(1, 3))).status).toBe(201);
    const after = await experts[0].get(`/items/${goldId}`);
    expect(JSON.stringify(after.body)).not.toMatch(/gold/i);

    expect((await next(experts[0], projectId)).assignment?.itemId).toBe(regularId);
    const goldRow = await server.context.db
      .selectFrom("items")
      .select("status")
      .where("id", "=", goldId)
      .executeTakeFirstOrThrow();
    expect(goldRow.status).toBe("queued");
    expect((await next(experts[1], projectId)).assignment?.itemId).toBe(goldId);
  });
});

describe("quality", () => {
  it("reports gold accuracy per annotator and field, to leads and clients only", async () => {
    const projectId = await createProject({ overlap: 1, settings: { goldRate: 1 } });
    await addMembers(projectId);
    const [goldId] = await addItems(projectId, 1, { gold: { preference: 2, accuracy: 5 } });
    await next(experts[0], projectId);
    expect((await experts[0].post(`/items/${goldId}/annotations`, label(1, 2))).status).toBe(201);

    const quality = await lead.get<{
      quality: { goldAccuracy: Array<{ annotator: { name: string }; fields: unknown }> };
    }>(`/projects/${projectId}/quality`);
    expect(quality.status).toBe(200);
    // Gold: preference 2, accuracy 5; given: preference 1 (same direction), accuracy 2 (off by 3).
    expect(quality.body.quality.goldAccuracy).toEqual([
      expect.objectContaining({
        annotator: expect.objectContaining({ name: "expert1" }),
        fields: expect.arrayContaining([
          { fieldId: "preference", accuracy: 1, count: 1 },
          { fieldId: "accuracy", accuracy: 0, count: 1 },
        ]),
      }),
    ]);
    const clientView = await client.get(`/projects/${projectId}/quality`);
    expect(clientView.status).toBe(200);
    expect(JSON.stringify(clientView.body)).not.toContain("expert1");
    expectApiError(await experts[0].get(`/projects/${projectId}/quality`), 403, "forbidden");
  });
});

describe("junior review", () => {
  it("samples a junior's first annotations for review; the lead decides; the junior sees it", async () => {
    const projectId = await createProject({
      overlap: 2,
      settings: { juniorReview: { firstN: 1, rate: 0 } },
    });
    await addMembers(projectId);
    const itemIds = await addItems(projectId, 2);
    for (const itemId of itemIds) {
      expect((await next(junior, projectId)).assignment?.itemId).toBe(itemId);
      expect((await junior.post(`/items/${itemId}/annotations`, label(1, 3))).status).toBe(201);
    }
    const pending = await lead.get<{ reviews: Array<{ id: number; item: { id: number } }> }>(
      `/projects/${projectId}/reviews`,
    );
    expect(pending.body.reviews.map((review) => review.item.id)).toEqual([itemIds[0]]);
    expectApiError(await junior.get(`/projects/${projectId}/reviews`), 403, "forbidden");
    expectApiError(
      await lead.post(`/reviews/${pending.body.reviews[0].id}`, {
        verdict: "reject",
        comments: [],
      }),
      422,
      "validation_failed",
    );
    const comment = {
      fieldId: "accuracy",
      text: "The dose in A is ten times too high: accuracy 1",
    };
    expect(
      (
        await lead.post(`/reviews/${pending.body.reviews[0].id}`, {
          verdict: "correct",
          correctedLabel: { preference: 2, accuracy: 1 },
          comments: [
            comment,
            { fieldId: "errors", span: { responseId: "a", start: 5, end: 9 }, text: "here" },
          ],
        })
      ).status,
    ).toBe(200);
    expectApiError(
      await lead.post(`/reviews/${pending.body.reviews[0].id}`, { verdict: "accept" }),
      409,
      "conflict",
    );
    const history = await junior.get<{
      annotations: Array<{
        item: { id: number };
        review: { verdict: string; comments: unknown[]; correctedLabel: unknown } | null;
      }>;
    }>(`/projects/${projectId}/annotations/mine`);
    const reviewed = history.body.annotations.find(
      (annotation) => annotation.item.id === itemIds[0],
    );
    expect(reviewed?.review).toMatchObject({
      verdict: "corrected",
      correctedLabel: { preference: 2, accuracy: 1 },
    });
    expect(reviewed?.review?.comments).toEqual(
      expect.arrayContaining([expect.objectContaining(comment)]),
    );
  });

  it("sends a rejected annotation's item back to the queue", async () => {
    const projectId = await createProject({
      overlap: 1,
      settings: { juniorReview: { firstN: 5, rate: 0 } },
    });
    await addMembers(projectId);
    const [itemId] = await addItems(projectId, 1);
    await next(junior, projectId);
    await junior.post(`/items/${itemId}/annotations`, label(1, 3));
    const itemAfterJunior = await lead.get<{ item: { status: string } }>(`/items/${itemId}`);
    expect(itemAfterJunior.body.item.status).toBe("consensus");
    const [review] = (
      await lead.get<{ reviews: Array<{ id: number }> }>(`/projects/${projectId}/reviews`)
    ).body.reviews;
    expect(
      (
        await lead.post(`/reviews/${review.id}`, {
          verdict: "reject",
          comments: [{ text: "Not a real rating" }],
        })
      ).status,
    ).toBe(200);
    expect(
      (await lead.get<{ item: { status: string } }>(`/items/${itemId}`)).body.item.status,
    ).toBe("annotating");
    expect((await next(junior, projectId)).assignment).toBeNull();
    expect((await next(experts[0], projectId)).assignment?.itemId).toBe(itemId);
  });
});
