import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

let server: TestServer;
let admin: ApiClient;
let people = 0;

beforeAll(async () => {
  server = await startTestServer();
  admin = apiClient(
    server.url,
    (await server.createUserWithToken({ email: "admin@example.test", isAdmin: true })).token,
  );
});
afterAll(() => server?.stop());

const template = {
  fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] }],
};

async function annotator(): Promise<{ email: string; api: ApiClient }> {
  people += 1;
  const email = `annotator${people}@example.test`;
  const { token } = await server.createUserWithToken({ email, level: "expert" });
  return { email, api: apiClient(server.url, token) };
}

/**
 * A project of `normal` items and `gold` gold items, the gold ones imported in a batch of their
 * own with telling external ids, and an annotator who has labelled `labelled` of the items the
 * queue gave them and holds the next one.
 */
async function projectWithGold(normal: number, gold: number, labelled: number) {
  const created = await admin.post<{ project: { id: number } }>("/projects", {
    name: `Gold ${people}`,
    template,
    overlap: 1,
    settings: { goldRate: 0.5 },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const projectId = created.body.project.id;
  const worker = await annotator();
  await admin.post(`/projects/${projectId}/members`, { email: worker.email, role: "annotator" });
  const item = (externalId: string) => ({
    externalId,
    prompt: "Is this dose safe?",
    responses: [{ id: "a", text: `Yes (${externalId.length}).` }],
  });
  const normalImport = await admin.post(
    `/projects/${projectId}/items`,
    Array.from({ length: normal }, (_, index) => item(`case-${index}`)),
  );
  expect(normalImport.status, JSON.stringify(normalImport.body)).toBe(201);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const goldImport = await admin.post(
    `/projects/${projectId}/items`,
    Array.from({ length: gold }, (_, index) => ({
      ...item(`GOLD-answer-key-${index}`),
      gold: { label: { verdict: "safe" } },
    })),
  );
  expect(goldImport.status, JSON.stringify(goldImport.body)).toBe(201);
  for (let done = 0; done < labelled; done++) {
    const next = await worker.api.get<{ assignment: { itemId: number } | null }>(
      `/queue/next?project=${projectId}`,
    );
    if (!next.body.assignment) break;
    const submitted = await worker.api.post(`/items/${next.body.assignment.itemId}/annotations`, {
      label: { verdict: "unsafe" },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  }
  const held = await worker.api.get<Record<string, unknown>>(`/queue/next?project=${projectId}`);
  const goldIds = new Set(
    (
      await server.context.db
        .selectFrom("items")
        .select("id")
        .where("project_id", "=", projectId)
        .where("gold_label", "is not", null)
        .execute()
    ).map((row) => row.id),
  );
  return { projectId, worker, held: held.body, goldIds };
}

/** An item as the annotator sees it, without what differs between any two items. */
function shapeOf(view: Record<string, unknown>): string {
  const item = view.item as Record<string, unknown>;
  const assignment = view.assignment as Record<string, unknown> | null;
  const annotations = view.annotations as Array<Record<string, unknown>>;
  return JSON.stringify({
    item: Object.keys(item).sort(),
    externalId: item.externalId,
    status: item.status,
    assignment: assignment?.status ?? null,
    annotations: annotations.map((annotation) => Object.keys(annotation).sort()),
    outcome: view.outcome,
    versions: view.versions,
    draft: view.draft === null ? null : "draft",
  });
}

describe("gold items, as annotators see them", () => {
  it("look like any other item in counts, lists, item views, the queue and the history", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 6 }),
        async (normal, gold, labelled) => {
          const { projectId, worker, held, goldIds } = await projectWithGold(
            normal,
            gold,
            labelled,
          );

          // No counts by status: gold items would be the items never settled, and the counts
          // would move on reserving an ordinary item and not on reserving a gold one.
          const project = await worker.api.get<{ project: { itemCounts: Record<string, number> } }>(
            `/projects/${projectId}`,
          );
          expect(project.body.project.itemCounts).toEqual({});
          const listed = await worker.api.get<{
            projects: Array<{ id: number; itemCounts: Record<string, number> }>;
          }>("/projects");
          expect(listed.body.projects.find((entry) => entry.id === projectId)?.itemCounts).toEqual(
            {},
          );

          // The item list and each item view: no external id, import time or status, and for
          // every item in the same state (labelled, or held), gold or not, the same shape.
          const list = await worker.api.get<{ items: Array<Record<string, unknown>> }>(
            `/projects/${projectId}/items`,
          );
          const shapesByState = new Map<string, Set<string>>();
          const goldSeen = { gold: 0, other: 0 };
          for (const entry of list.body.items) {
            expect(entry.externalId).toBeNull();
            expect(entry.createdAt).toBeNull();
            expect(entry).not.toHaveProperty("status");
            const { id, domain: _domain, ...rest } = entry;
            const view = await worker.api.get<Record<string, unknown>>(`/items/${String(id)}`);
            expect(view.status).toBe(200);
            expect(JSON.stringify(view.body)).not.toContain("GOLD");
            const state = String(entry.submittedByYou);
            const shapes = shapesByState.get(state) ?? new Set<string>();
            shapes.add(`${JSON.stringify(rest)} ${shapeOf(view.body)}`);
            shapesByState.set(state, shapes);
            goldSeen[goldIds.has(Number(id)) ? "gold" : "other"] += 1;
          }
          for (const shapes of shapesByState.values()) expect(shapes.size).toBe(1);
          expect(goldSeen.gold + goldSeen.other).toBe(list.body.items.length);

          if (held.assignment !== null) {
            expect(JSON.stringify(held)).not.toContain("GOLD");
            expect((held.item as Record<string, unknown>).externalId).toBeNull();
          }
          const history = await worker.api.get<{
            annotations: Array<{ item: { externalId: string | null } }>;
          }>(`/projects/${projectId}/annotations/mine`);
          for (const entry of history.body.annotations) expect(entry.item.externalId).toBeNull();
        },
      ),
      { numRuns: 5, endOnFailure: true },
    );
  });

  it("leave no trace in the counts: 10 gold items among 10 settled ones", async () => {
    const { projectId, worker } = await projectWithGold(10, 10, 30);
    const project = await worker.api.get<{ project: { itemCounts: Record<string, number> } }>(
      `/projects/${projectId}`,
    );
    expect(project.body.project.itemCounts).toEqual({});
    const lead = await admin.get<{ project: { itemCounts: Record<string, number> } }>(
      `/projects/${projectId}`,
    );
    expect(Object.values(lead.body.project.itemCounts).reduce((a, b) => a + b, 0)).toBe(20);
  });
});
