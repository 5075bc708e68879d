import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { paths } from "../../client/quorum-api.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

/** A client typed by the generated client/quorum-api.ts, for one user's token. */
function clientFor(token: string) {
  return createClient<paths>({
    baseUrl: `${server.url}/api/v1`,
    headers: { Authorization: `Bearer ${token}` },
  });
}

describe("the generated client drives a whole workflow", () => {
  it("creates a project, imports items, labels them from the queue, publishes and exports", async () => {
    const lead = clientFor(
      (await server.createUserWithToken({ email: "lead@example.test", isAdmin: true })).token,
    );
    const expert = clientFor(
      (await server.createUserWithToken({ email: "expert@example.test", level: "expert" })).token,
    );

    const created = await lead.POST("/projects", {
      body: {
        name: "Typed workflow",
        overlap: 1,
        template: {
          fields: [{ id: "score", label: "Score", type: "rating", min: 1, max: 5, required: true }],
        },
      },
    });
    expect(created.response.status).toBe(201);
    const projectId = created.data!.project.id;
    const path = { id: projectId };

    const added = await lead.POST("/projects/{id}/members", {
      params: { path },
      body: { email: "expert@example.test", role: "annotator" },
    });
    expect(added.response.status).toBe(201);
    expect(added.data?.member.role).toBe("annotator");

    const imported = await lead.POST("/projects/{id}/items", {
      params: { path },
      body: ["one", "two"].map((externalId) => ({
        externalId,
        prompt: `Question ${externalId}?`,
        responses: [{ id: "a", text: `Answer ${externalId}.` }],
      })),
    });
    expect(imported.response.status).toBe(201);
    expect(imported.data).toEqual({ created: 2, unchanged: 0, annotations: 0 });

    const labelled: string[] = [];
    for (;;) {
      const next = await expert.GET("/queue/next", { params: { query: { project: projectId } } });
      expect(next.response.status).toBe(200);
      const assignment = next.data?.assignment;
      if (!assignment) break;
      const id = assignment.itemId;
      const draft = await expert.PUT("/items/{id}/draft", {
        params: { path: { id } },
        body: { label: { score: 3 }, elapsedMs: 1_000 },
      });
      expect(draft.response.status).toBe(200);
      const submitted = await expert.POST("/items/{id}/annotations", {
        params: { path: { id } },
        body: { label: { score: 4 } },
      });
      expect(submitted.response.status).toBe(201);
      expect(submitted.data?.annotation.label).toEqual({ score: 4 });
      const item = await expert.GET("/items/{id}", { params: { path: { id } } });
      labelled.push(String(item.data?.item.responses[0]?.text));
    }
    expect(labelled.sort()).toEqual(["Answer one.", "Answer two."]);

    const status = await expert.GET("/projects/{id}/queue/mine", { params: { path } });
    expect(status.data?.status).toMatchObject({ doneTotal: 2, remaining: 0 });

    const progress = await lead.GET("/projects/{id}/progress", { params: { path } });
    expect(progress.data?.labels).toEqual({ given: 2, needed: 2 });
    expect(progress.data?.done).toBe(2);

    const published = await lead.POST("/projects/{id}/publish-consensus", {
      params: { path },
      body: {},
    });
    expect(published.data).toEqual({ published: 2, skipped: [] });

    const exported = await lead.GET("/projects/{id}/export", {
      params: { path, query: { format: "jsonl" } },
      parseAs: "text",
    });
    expect(exported.response.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const lines = String(exported.data)
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { externalId: string; version?: number });
    expect(lines.map((line) => line.externalId).sort()).toEqual(["one", "two"]);
    expect(lines.map((line) => line.version)).toEqual([1, 1]);

    // Errors come typed in the one error shape.
    const refused = await expert.POST("/projects/{id}/items", { params: { path }, body: [] });
    expect(refused.response.status).toBe(403);
    expect(refused.error?.error.code).toBe("forbidden");
    const invalid = await lead.POST("/projects", { body: { name: "" } });
    expect(invalid.response.status).toBe(422);
    expect(invalid.error?.error.code).toBe("validation_failed");
  });
});
