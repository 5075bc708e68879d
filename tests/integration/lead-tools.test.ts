import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../../app/domain/canonical-json.ts";
import { validateFinalLabel } from "../../app/domain/final-label.ts";
import { itemRoomName, labelToJson, setLabelValue } from "../../app/domain/room.ts";
import { templateSchema, type Label } from "../../app/domain/template.ts";
import type { ItemStatus } from "../../db/schema.ts";
import {
  CONSENSUS_BATCH_SIZE,
  decideConsensusPublish,
} from "../../server/services/publish-consensus.ts";
import { prepareItemRoom } from "../../server/services/room.ts";
import {
  createCast,
  createProject,
  disputedItem,
  responses,
  template,
  type Cast,
} from "../setup/adjudication.ts";
import { expectApiError } from "../setup/api-client.ts";
import { signInCookie } from "../setup/page-session.ts";
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

const agreedLabel = { preference: 1, accuracy: 4, errors: [] };

interface Publication {
  published: number;
  skipped: Array<{ itemId: number; reason: string }>;
}

/** A project whose `count` items two experts labelled alike: each is a consensus. */
async function consensusProject(count: number): Promise<{ projectId: number; itemIds: number[] }> {
  const projectId = await createProject(cast, { overlap: 2, settings: { goldRate: 0 } });
  const rows = Array.from({ length: count }, (_, index) => ({
    externalId: `consensus-${index}`,
    prompt: "Warfarin with an antibiotic?",
    responses,
    annotations: cast.experts
      .slice(0, 2)
      .map((expert) => ({ annotator: expert.email, label: agreedLabel })),
  }));
  const imported = await cast.lead.api.post(`/projects/${projectId}/items`, rows);
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  const items = await server.context.db
    .selectFrom("items")
    .select(["id", "status"])
    .where("project_id", "=", projectId)
    .orderBy("id")
    .execute();
  expect(items.map((item) => item.status)).toEqual(items.map(() => "consensus"));
  return { projectId, itemIds: items.map((item) => item.id) };
}

/** Every version of the items, by item. */
async function versionsOf(itemIds: ReadonlyArray<number>) {
  const rows = await server.context.db
    .selectFrom("adjudications")
    .select(["item_id", "version", "label", "published_by", "rationale"])
    .where("item_id", "in", [...itemIds])
    .orderBy("version")
    .execute();
  const byItem = new Map<number, typeof rows>();
  for (const row of rows) byItem.set(row.item_id, [...(byItem.get(row.item_id) ?? []), row]);
  return byItem;
}

async function statuses(itemIds: ReadonlyArray<number>): Promise<Map<number, ItemStatus>> {
  const rows = await server.context.db
    .selectFrom("items")
    .select(["id", "status"])
    .where("id", "in", [...itemIds])
    .execute();
  return new Map(rows.map((row) => [row.id, row.status]));
}

/** Writes a value into an item room's draft, as a panel member's edit would. */
async function editDraft(itemId: number, fieldId: string, value: number) {
  await server.context.rooms.applyServerUpdate(itemRoomName(itemId), (doc) =>
    setLabelValue(doc, fieldId, value),
  );
}

async function draftOf(itemId: number): Promise<Label> {
  const doc = await server.context.rooms.read(itemRoomName(itemId));
  try {
    return labelToJson(doc);
  } finally {
    doc.destroy();
  }
}

describe("POST /projects/:id/publish-consensus", () => {
  it("publishes every consensus in batches, skips an edited room with its reason, audits", async () => {
    const { projectId, itemIds } = await consensusProject(CONSENSUS_BATCH_SIZE + 3);
    const edited = itemIds[7]!;
    // The lead opened this item's room and changed the accuracy: it is published from the room.
    await prepareItemRoom(server.context, edited);
    await editDraft(edited, "accuracy", 2);

    const response = await cast.lead.api.post<Publication>(
      `/projects/${projectId}/publish-consensus`,
    );
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.published).toBe(itemIds.length - 1);
    expect(response.body.skipped).toEqual([
      {
        itemId: edited,
        reason: "the room's draft differs from the consensus; publish it from the room",
      },
    ]);

    const versions = await versionsOf(itemIds);
    const status = await statuses(itemIds);
    for (const itemId of itemIds) {
      if (itemId === edited) {
        expect(versions.get(itemId)).toBeUndefined();
        expect(status.get(itemId)).toBe("consensus");
        // Nothing lost: the edit is still the room's draft.
        expect((await draftOf(itemId)).accuracy).toBe(2);
        continue;
      }
      expect(status.get(itemId)).toBe("published");
      const [only, ...more] = versions.get(itemId) ?? [];
      expect(more).toEqual([]);
      expect(only).toMatchObject({ version: 1, published_by: cast.lead.id });
      expect(only!.label).toMatchObject(agreedLabel);
    }
    const audits = await server.context.db
      .selectFrom("audit_log")
      .select(["action", "subject_id"])
      .where("project_id", "=", projectId)
      .where("action", "in", ["project.publishConsensus", "item.publish"])
      .execute();
    expect(audits.filter((entry) => entry.action === "project.publishConsensus")).toHaveLength(2);
    expect(audits.filter((entry) => entry.action === "item.publish")).toHaveLength(
      itemIds.length - 1,
    );

    // Again: nothing is left to publish, and the edited item is skipped once more.
    const again = await cast.lead.api.post<Publication>(`/projects/${projectId}/publish-consensus`);
    expect(again.body.published).toBe(0);
    expect(again.body.skipped.map((entry) => entry.itemId)).toEqual([edited]);
  });

  it("refuses non-leads as the permission model does, and bad bodies", async () => {
    const { projectId, itemIds } = await consensusProject(2);
    const path = `/projects/${projectId}/publish-consensus`;
    expectApiError(await cast.experts[0].api.post(path), 403, "forbidden");
    expectApiError(await cast.client.api.post(path), 403, "forbidden");
    expectApiError(await cast.outsider.api.post(path), 404, "not_found");
    expectApiError(await cast.lead.api.post(path, { everything: true }), 422, "validation_failed");
    expect([...(await statuses(itemIds)).values()]).toEqual(["consensus", "consensus"]);
    expect((await versionsOf(itemIds)).size).toBe(0);
  });

  it("races single publishes, reopens and room edits: one consistent version each, no 500", async () => {
    const { projectId, itemIds } = await consensusProject(12);
    const singles = itemIds.slice(0, 4);
    const reopened = itemIds.slice(4, 6);
    const editedDuring = itemIds.slice(6, 9);
    for (const itemId of [...singles, ...reopened, ...editedDuring]) {
      await prepareItemRoom(server.context, itemId);
    }
    // Two are published by hand first, to be reopened while the bulk publish runs.
    for (const itemId of reopened) {
      const published = await cast.lead.api.post(`/items/${itemId}/publish`, {});
      expect(published.status, JSON.stringify(published.body)).toBe(201);
    }

    const [bulk, ...others] = await Promise.all([
      cast.lead.api.post<Publication>(`/projects/${projectId}/publish-consensus`),
      ...singles.map((itemId) => cast.lead.api.post(`/items/${itemId}/publish`, {})),
      ...reopened.map((itemId) => cast.lead.api.post(`/items/${itemId}/reopen`, {})),
      ...editedDuring.map((itemId) => editDraft(itemId, "accuracy", 1).then(() => null)),
    ]);
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
    for (const other of others) {
      if (other === null) continue;
      // The loser of a publish gets a conflict, never a server error.
      expect([200, 201, 409], JSON.stringify(other.body)).toContain(other.status);
    }

    const versions = await versionsOf(itemIds);
    const status = await statuses(itemIds);
    const skipped = new Map(bulk.body.skipped.map((entry) => [entry.itemId, entry.reason]));
    let publishedByBulk = 0;
    for (const itemId of itemIds) {
      const itemVersions = versions.get(itemId) ?? [];
      expect(
        itemVersions.map((version) => version.version),
        `item ${itemId}`,
      ).toEqual(itemVersions.map((_, index) => index + 1));
      if (reopened.includes(itemId)) {
        // Published once by hand, then reopened: no second version came from the bulk publish.
        expect(itemVersions).toHaveLength(1);
        expect(status.get(itemId)).toBe("adjudicating");
        continue;
      }
      if (status.get(itemId) === "consensus") {
        // Skipped, with the reason, and the room keeps what was written in it.
        expect(skipped.get(itemId), `item ${itemId}`).toMatch(/\S/);
        expect(itemVersions).toEqual([]);
        expect(editedDuring).toContain(itemId);
        expect((await draftOf(itemId)).accuracy).toBe(1);
        continue;
      }
      expect(status.get(itemId)).toBe("published");
      expect(itemVersions, `item ${itemId}`).toHaveLength(1);
      const [version] = itemVersions;
      if (version!.rationale?.includes("in bulk")) {
        publishedByBulk++;
        expect(skipped.has(itemId)).toBe(false);
        // The bulk publish publishes the consensus and nothing else.
        expect(version!.label).toMatchObject(agreedLabel);
      } else {
        expect(singles).toContain(itemId);
      }
    }
    expect(publishedByBulk).toBe(bulk.body.published);
    expect(publishedByBulk + bulk.body.skipped.length).toBeLessThanOrEqual(itemIds.length);
  });
});

describe("the items page's bulk publish", () => {
  async function postItemsPage(email: string, projectId: number) {
    const cookie = await signInCookie(server.url, email, "correct horse battery staple");
    return fetch(`${server.url}/projects/${projectId}/items`, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Origin: server.url,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ intent: "publish-consensus" }),
    });
  }

  it("shows leads how many wait, publishes on confirmation, and refuses annotators", async () => {
    const { projectId, itemIds } = await consensusProject(3);
    const cookie = await signInCookie(server.url, cast.lead.email, "correct horse battery staple");
    const listed = await fetch(`${server.url}/projects/${projectId}/items`, {
      headers: { Cookie: cookie },
    });
    await expect(listed.text()).resolves.toContain("Publish 3 consensus items");

    const byAnnotator = await postItemsPage(cast.experts[0].email, projectId);
    expect(byAnnotator.status).toBe(403);
    expect([...(await statuses(itemIds)).values()]).toEqual(itemIds.map(() => "consensus"));

    const published = await postItemsPage(cast.lead.email, projectId);
    expect(published.status).toBe(200);
    await expect(published.text()).resolves.toContain("Published 3; skipped 0.");
    expect([...(await statuses(itemIds)).values()]).toEqual(itemIds.map(() => "published"));
  });
});

describe("the rule deciding what a bulk publish publishes", () => {
  const parsedTemplate = templateSchema.parse(template);
  const labelArbitrary = fc.record(
    {
      preference: fc.integer({ min: -3, max: 3 }),
      accuracy: fc.integer({ min: 0, max: 6 }),
      errors: fc.constant([]),
    },
    { requiredKeys: [] },
  );
  const statusArbitrary = fc.constantFrom<ItemStatus>(
    "queued",
    "annotating",
    "consensus",
    "disputed",
    "adjudicating",
    "published",
  );

  it("publishes exactly the stored, unchanged, valid consensus of an untouched room", () => {
    fc.assert(
      fc.property(
        statusArbitrary,
        fc.option(labelArbitrary, { nil: null }),
        fc.option(labelArbitrary, { nil: null }),
        labelArbitrary,
        fc.boolean(),
        (status, aggregate, aggregateRead, draft, roomMoved) => {
          const decision = decideConsensusPublish(parsedTemplate, responses, {
            status,
            aggregate: aggregate as Label | null,
            aggregateRead: aggregateRead as Label | null,
            draft: draft as Label,
            roomMoved,
          });
          const publishable =
            status === "consensus" &&
            aggregate !== null &&
            aggregateRead !== null &&
            canonicalJson(aggregate) === canonicalJson(aggregateRead) &&
            canonicalJson({ errors: [], ...draft }) ===
              canonicalJson({ errors: [], ...aggregate }) &&
            !roomMoved &&
            validateFinalLabel(parsedTemplate, responses, aggregate).valid;
          if (!publishable) {
            expect(decision).toHaveProperty("skip");
            expect((decision as { skip: string }).skip).toMatch(/\S/);
            return;
          }
          expect(decision).toEqual({
            publish: (validateFinalLabel(parsedTemplate, responses, aggregate) as { label: Label })
              .label,
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("adding a panel member from the room", () => {
  async function addFromRoom(email: string, itemId: number, body: Record<string, string>) {
    const cookie = await signInCookie(server.url, email, "correct horse battery staple");
    return fetch(`${server.url}/items/${itemId}/room`, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Origin: server.url,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(body),
    });
  }

  it("lets a lead add a project annotator, and refuses clearly otherwise", async () => {
    const { itemId } = await disputedItem(cast);
    const added = await addFromRoom(cast.lead.email, itemId, {
      intent: "add-panel-member",
      email: cast.invited.email,
    });
    expect(added.status).toBe(200);
    await expect(added.text()).resolves.toContain(`${cast.invited.email} is on the panel now`);
    const panel = await cast.lead.api.get<{
      adjudication: { panel: Array<{ name: string; source: string }> };
    }>(`/items/${itemId}/adjudication`);
    expect(
      panel.body.adjudication.panel.filter((member) => member.source === "invited"),
    ).toHaveLength(1);

    // Someone outside the project, an annotator asking, an item still blind: refused, in words.
    const outsider = await addFromRoom(cast.lead.email, itemId, {
      intent: "add-panel-member",
      email: cast.outsider.email,
    });
    expect(outsider.status).toBe(422);
    await expect(outsider.text()).resolves.toContain(
      "Only an annotator or lead of this project can join its panels",
    );
    const byAnnotator = await addFromRoom(cast.experts[0].email, itemId, {
      intent: "add-panel-member",
      email: cast.invited.email,
    });
    expect(byAnnotator.status).toBe(403);
    await expect(byAnnotator.text()).resolves.toContain(
      "Only a lead of this project may add panel members",
    );
    const { itemIds } = await consensusProject(1);
    const blind = await addFromRoom(cast.lead.email, itemIds[0]!, {
      intent: "add-panel-member",
      email: cast.invited.email,
    });
    expect(blind.status).toBe(409);
    await expect(blind.text()).resolves.toContain("this one is consensus");
    const after = await cast.lead.api.get<{ adjudication: { panel: unknown[] } }>(
      `/items/${itemId}/adjudication`,
    );
    expect(after.body.adjudication.panel).toHaveLength(panel.body.adjudication.panel.length);
  });
});
