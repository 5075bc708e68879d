import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareExport } from "../../server/services/export.ts";
import { createCast, createProject, type Cast } from "../setup/adjudication.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * A large export is read a page at a time, each page bounded by the bytes of its items' content
 * as well as by their number, and written an item at a time: one string per page of 500
 * long-context items passed V8's limit on a string's length and answered 500.
 */

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

const verdictTemplate = {
  fields: [
    {
      id: "verdict",
      type: "choice",
      label: "Verdict",
      options: ["safe", "unsafe"],
      required: true,
    },
  ],
};

describe("a version flagged for reopening", () => {
  it("is left out of the exports while it waits for a lead to reopen the item", async () => {
    const projectId = await createProject(cast, { overlap: 2, template: verdictTemplate });
    const imported = await cast.lead.api.post(
      `/projects/${projectId}/items`,
      ["kept", "flagged"].map((externalId) => ({
        externalId,
        prompt: `Is ${externalId} safe?`,
        responses: [{ id: "a", text: "Yes." }],
        annotations: cast.experts.slice(0, 2).map((expert) => ({
          annotator: expert.email,
          label: { verdict: "safe" },
        })),
      })),
    );
    expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
    const published = await cast.lead.api.post<{ published: number }>(
      `/projects/${projectId}/publish-consensus`,
      {},
    );
    expect(published.body.published, JSON.stringify(published.body)).toBe(2);
    const flagged = await server.context.db
      .selectFrom("items")
      .select("id")
      .where("project_id", "=", projectId)
      .where("external_id", "=", "flagged")
      .executeTakeFirstOrThrow();
    // As the recheck after an upgrade flags a version the current rules would not let through.
    await server.context.db
      .insertInto("version_flags")
      .values({ item_id: flagged.id, version: 1, reason: "consensus_changed", details: "[]" })
      .execute();

    for (const format of ["jsonl", "csv", "label-studio"] as const) {
      const prepared = await prepareExport(server.context.db, null, projectId, { format });
      let text = "";
      for await (const chunk of prepared.chunks()) text += chunk;
      expect(text, format).toContain("kept");
      expect(text, format).not.toContain("flagged");
    }
  });
});

describe("a large export", () => {
  it("writes every item once, in order, an item per chunk, across pages cut by size", async () => {
    const projectId = await createProject(cast, { overlap: 2, template: verdictTemplate });
    // 60 items of 50–190 thousand characters each, 7 MB in all: pages of a few megabytes
    // hold a dozen or two of them, so the pages end wherever the sizes fall.
    const items = Array.from({ length: 60 }, (_, index) => ({
      externalId: `long-${String(index).padStart(2, "0")}`,
      prompt: `${index} ${"context ".repeat((50_000 + ((index * 37_919) % 140_000)) / 8)}`,
      responses: [{ id: "a", text: "An answer." }],
      annotations: cast.experts.slice(0, 2).map((expert) => ({
        annotator: expert.email,
        label: { verdict: "safe" },
      })),
    }));
    for (let start = 0; start < items.length; start += 20) {
      const imported = await cast.lead.api.post(
        `/projects/${projectId}/items`,
        items.slice(start, start + 20),
      );
      expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
    }

    const prepared = await prepareExport(server.context.db, null, projectId, { format: "jsonl" });
    const chunks: string[] = [];
    for await (const chunk of prepared.chunks()) chunks.push(chunk);
    const exported = chunks.map((chunk) => {
      expect(chunk.endsWith("\n")).toBe(true);
      expect(chunk.slice(0, -1)).not.toContain("\n");
      return (JSON.parse(chunk) as { externalId: string; source: string }).externalId;
    });
    expect(exported).toEqual(items.map((item) => item.externalId));
  });
});
