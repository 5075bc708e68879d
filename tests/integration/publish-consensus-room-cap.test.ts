import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemRoomName } from "../../app/domain/room.ts";
import { CONSENSUS_BATCH_SIZE } from "../../server/services/publish-consensus.ts";
import { createCast, createProject, responses, type Cast } from "../setup/adjudication.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * Publishing every consensus of a project goes on past an item whose room the server would take
 * past its size cap: that item is skipped with the reason, its room left as it was, and every
 * other item, in its batch and the later ones, is published.
 */

const maxDocumentBytes = 16 * 1024;

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer({ SYNC_MAX_DOCUMENT_BYTES: String(maxDocumentBytes) });
  cast = await createCast(server);
});
afterAll(() => server?.stop());

interface Publication {
  published: number;
  skipped: Array<{ itemId: number; reason: string }>;
}

const agreedLabel = { preference: 1, accuracy: 4, errors: [] };
/** Two critiques of 10,000 characters: the room's votes would hold 20,000 of them. */
const oversized = (expert: number) => ({ ...agreedLabel, critique: `${expert}`.repeat(10_000) });

describe("POST /projects/:id/publish-consensus with rooms over the size cap", () => {
  it("publishes every other item, in every batch, and reports the oversized ones with the reason", async () => {
    const count = CONSENSUS_BATCH_SIZE + 5;
    const tooLarge = new Set([1, 3, CONSENSUS_BATCH_SIZE + 2]);
    const projectId = await createProject(cast, { overlap: 2, settings: { goldRate: 0 } });
    const rows = Array.from({ length: count }, (_, index) => ({
      externalId: `consensus-${index}`,
      prompt: "Warfarin with an antibiotic?",
      responses,
      annotations: cast.experts.slice(0, 2).map((expert, position) => ({
        annotator: expert.email,
        label: tooLarge.has(index) ? oversized(position) : agreedLabel,
      })),
    }));
    const imported = await cast.lead.api.post(`/projects/${projectId}/items`, rows);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const db = server.context.db;
    const items = await db
      .selectFrom("items")
      .select(["id", "status"])
      .where("project_id", "=", projectId)
      .orderBy("id")
      .execute();
    expect(items.map((item) => item.status)).toEqual(items.map(() => "consensus"));
    const refusedIds = items.filter((_, index) => tooLarge.has(index)).map((item) => item.id);
    const skippedAsOversized = refusedIds.map((itemId) => ({
      itemId,
      reason: `its room cannot be prepared: The document ${itemRoomName(itemId)} would exceed its size limit of ${maxDocumentBytes} bytes`,
    }));

    const response = await cast.lead.api.post<Publication>(
      `/projects/${projectId}/publish-consensus`,
    );
    expect(response.status, JSON.stringify(response.body).slice(0, 500)).toBe(200);
    expect(response.body).toEqual({
      published: count - refusedIds.length,
      skipped: skippedAsOversized,
    });

    const after = await db
      .selectFrom("items")
      .select(["id", "status"])
      .where("project_id", "=", projectId)
      .execute();
    for (const { id, status } of after) {
      expect(status, `item ${id}`).toBe(refusedIds.includes(id) ? "consensus" : "published");
    }
    const versions = await db
      .selectFrom("adjudications")
      .select("item_id")
      .where("item_id", "in", refusedIds)
      .execute();
    expect(versions).toEqual([]);
    // The oversized rooms were not written at all.
    const stored = await db
      .selectFrom("room_updates")
      .select("doc_name")
      .where("doc_name", "in", refusedIds.map(itemRoomName))
      .execute();
    expect(stored).toEqual([]);
    // Each batch's audit entry names what it skipped.
    const audits = await db
      .selectFrom("audit_log")
      .select("details")
      .where("project_id", "=", projectId)
      .where("action", "=", "project.publishConsensus")
      .orderBy("id")
      .execute();
    expect(audits.map((entry) => (entry.details as Pick<Publication, "skipped">).skipped)).toEqual([
      skippedAsOversized.slice(0, 2),
      skippedAsOversized.slice(2),
    ]);

    // Again: nothing else is left, and the oversized items are reported once more.
    const again = await cast.lead.api.post<Publication>(`/projects/${projectId}/publish-consensus`);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual({ published: 0, skipped: skippedAsOversized });
  }, 120_000);

  it("leaves a skipped item exactly as it was: no adjudication started, nothing updated", async () => {
    const projectId = await createProject(cast, { overlap: 2, settings: { goldRate: 0 } });
    const rows = [agreedLabel, oversized].map((label, index) => ({
      externalId: `as-it-was-${index}`,
      prompt: "Warfarin with an antibiotic?",
      responses,
      annotations: cast.experts.slice(0, 2).map((expert, position) => ({
        annotator: expert.email,
        label: typeof label === "function" ? label(position) : label,
      })),
    }));
    const imported = await cast.lead.api.post(`/projects/${projectId}/items`, rows);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const db = server.context.db;
    const itemRows = () =>
      db
        .selectFrom("items")
        .select(["id", "status", "adjudication_started_at", "updated_at"])
        .where("project_id", "=", projectId)
        .orderBy("id")
        .execute();
    const [, before] = await itemRows();
    expect(before).toMatchObject({ status: "consensus", adjudication_started_at: null });

    const response = await cast.lead.api.post<Publication>(
      `/projects/${projectId}/publish-consensus`,
    );
    expect(response.status, JSON.stringify(response.body).slice(0, 500)).toBe(200);
    expect(response.body.published).toBe(1);
    expect(response.body.skipped.map((skip) => skip.itemId)).toEqual([before.id]);

    const [published, after] = await itemRows();
    expect(published.status).toBe("published");
    expect(after).toEqual(before);
  });
});
