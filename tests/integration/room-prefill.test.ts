import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  commentsToJson,
  itemRoomName,
  labelMap,
  labelToJson,
  readMeta,
  reviewRoomName,
  spansOf,
  votesToJson,
} from "../../app/domain/room.ts";
import { isPanelMember } from "../../server/services/panel.ts";
import { prepareItemRoom, prepareReviewRoom } from "../../server/services/room.ts";
import {
  createCast,
  createProject,
  disputedItem,
  disputedLabels,
  doseSpan,
  labelledItem,
  type Cast,
} from "../setup/adjudication.ts";
import { expectApiError } from "../setup/api-client.ts";
import { participantKeyFor } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  requestUpgrade,
  waitFor,
} from "../setup/sync-client.ts";

let server: TestServer;
let cast: Cast;
const clients = closeSyncClientsAfterEach();

/** The disputed labels as stored: their spans quote the response text at their offsets. */
const quotedLabels = disputedLabels.map((label) => ({
  ...label,
  errors: label.errors.map((span) => ({ ...span, text: "5 mg" })),
}));

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

async function storedUpdates(docName: string): Promise<number> {
  const { count } = await server.context.db
    .selectFrom("room_updates")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("doc_name", "=", docName)
    .executeTakeFirstOrThrow();
  return Number(count);
}

async function readRoom(docName: string): Promise<Y.Doc> {
  return server.context.rooms.read(docName);
}

async function itemRow(itemId: number) {
  return server.context.db
    .selectFrom("items")
    .select(["status", "adjudication_started_at"])
    .where("id", "=", itemId)
    .executeTakeFirstOrThrow();
}

describe("an item's room", () => {
  it("opens pre-filled with the aggregated suggestion, each annotator's vote and meta", async () => {
    const { itemId } = await disputedItem(cast);
    expect((await itemRow(itemId)).status).toBe("disputed");

    expect(await prepareItemRoom(server.context, itemId)).toBe("updated");

    const doc = await readRoom(itemRoomName(itemId));
    const label = labelMap(doc);
    // Median of -1, 1, 2 and lower median of 2, 4, 4; the span two of three marked.
    expect(label.get("preference")).toBe(1);
    expect(label.get("accuracy")).toBe(4);
    expect(label.get("errors")).toBeInstanceOf(Y.Array);
    expect((label.get("errors") as Y.Array<unknown>).get(0)).toBeInstanceOf(Y.Map);
    expect(label.get("critique")).toBeInstanceOf(Y.Text);
    const [span] = spansOf(doc, "errors");
    expect(span).toEqual({
      ...doseSpan,
      text: "5 mg",
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
    });
    expect(labelToJson(doc)).toEqual({
      preference: 1,
      accuracy: 4,
      errors: [span],
      critique: "",
    });
    const keys = await Promise.all(
      cast.experts.map((expert) => participantKeyFor(server, itemId, expert.id)),
    );
    expect(votesToJson(doc)).toEqual(
      Object.fromEntries(keys.map((key, index) => [key, quotedLabels[index]])),
    );
    // Participant keys, not user ids: nothing in the room tells who is behind a vote.
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(readMeta(doc)).toEqual({
      status: "open",
      version: 1,
      publishedBy: null,
      publishedAt: null,
      approvals: [],
      approvedLabels: {},
    });
    doc.destroy();

    const row = await itemRow(itemId);
    expect(row.status).toBe("adjudicating");
    expect(row.adjudication_started_at).toBeInstanceOf(Date);
  });

  it("is filled once, however often and however concurrently it is prepared", async () => {
    const { itemId } = await disputedItem(cast);
    const docName = itemRoomName(itemId);
    const states = await Promise.all([1, 2, 3].map(() => prepareItemRoom(server.context, itemId)));
    expect(states.filter((state) => state === "updated")).toHaveLength(1);
    const updates = await storedUpdates(docName);
    const startedAt = (await itemRow(itemId)).adjudication_started_at;

    expect(await prepareItemRoom(server.context, itemId)).toBe("up to date");
    expect(await storedUpdates(docName)).toBe(updates);
    expect((await itemRow(itemId)).adjudication_started_at).toEqual(startedAt);
    const doc = await readRoom(docName);
    expect(Object.keys(votesToJson(doc))).toHaveLength(3);
    expect(spansOf(doc, "errors")).toHaveLength(1);
    doc.destroy();
  });

  it("reaches a stock y-websocket client that joins the room", async () => {
    const { itemId } = await disputedItem(cast);
    await prepareItemRoom(server.context, itemId);
    const client = clients.track(
      connectSyncClient(server.url, itemRoomName(itemId), { token: cast.experts[0].token }),
    );
    await client.synced;
    await waitFor(() => readMeta(client.doc).version === 1, "the pre-filled room to arrive");
    expect(labelToJson(client.doc)).toMatchObject({ preference: 1, accuracy: 4 });
    const key = await participantKeyFor(server, itemId, cast.experts[1].id);
    expect(votesToJson(client.doc)[key]).toEqual(quotedLabels[1]);
  });

  it("is prepared by the sync server when an editor joins, before the first sync", async () => {
    const { itemId } = await disputedItem(cast);
    const client = clients.track(
      connectSyncClient(server.url, itemRoomName(itemId), { token: cast.lead.token }),
    );
    await client.synced;
    expect(readMeta(client.doc)).toMatchObject({ status: "open", version: 1 });
    const key = await participantKeyFor(server, itemId, cast.experts[2].id);
    expect(votesToJson(client.doc)[key]).toEqual(disputedLabels[2]);
    expect((await itemRow(itemId)).status).toBe("adjudicating");
  });

  it("lets a panel member the lead invited edit the room", async () => {
    const { itemId } = await disputedItem(cast);
    const refused = await requestUpgrade(
      server.url,
      `/sync/${itemRoomName(itemId)}?token=${cast.invited.token}`,
    );
    expect(refused.status).toBe(403);
    expect(
      (await cast.lead.api.post(`/items/${itemId}/panel`, { email: cast.invited.email })).status,
    ).toBe(201);
    const lead = clients.track(
      connectSyncClient(server.url, itemRoomName(itemId), { token: cast.lead.token }),
    );
    const invited = clients.track(
      connectSyncClient(server.url, itemRoomName(itemId), { token: cast.invited.token }),
    );
    await Promise.all([lead.synced, invited.synced]);
    labelMap(invited.doc).set("accuracy", 2);
    await waitFor(
      () => labelMap(lead.doc).get("accuracy") === 2,
      "the invited member's edit to reach the lead",
    );
  });

  it("catches up with a publish whose room write was lost", async () => {
    const { itemId } = await disputedItem(cast);
    await prepareItemRoom(server.context, itemId);
    const published = { preference: 2, accuracy: 5, errors: [], critique: "Settled offline." };
    // What a publish commits, without the room write that follows it (the process died).
    await server.context.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("adjudications")
        .values({
          item_id: itemId,
          version: 1,
          label: JSON.stringify(published),
          published_by: cast.lead.id,
        })
        .execute();
      await trx
        .updateTable("items")
        .set({ status: "published" })
        .where("id", "=", itemId)
        .execute();
    });

    expect(await prepareItemRoom(server.context, itemId)).toBe("updated");
    const doc = await readRoom(itemRoomName(itemId));
    expect(readMeta(doc)).toMatchObject({
      status: "published",
      version: 1,
      publishedBy: await participantKeyFor(server, itemId, cast.lead.id),
    });
    expect(labelToJson(doc)).toEqual(published);
    doc.destroy();
    expect(await prepareItemRoom(server.context, itemId)).toBe("up to date");
  });

  it("leaves the room of an item still labelled blind empty", async () => {
    const projectId = await createProject(cast, { overlap: 3 });
    const itemId = await labelledItem(cast, projectId, [[cast.experts[0], disputedLabels[0]]]);
    expect(await prepareItemRoom(server.context, itemId)).toBe("not ready");
    expect(await storedUpdates(itemRoomName(itemId))).toBe(0);
    expect((await itemRow(itemId)).status).toBe("annotating");
  });

  it("shows a consensus published automatically as published, at its version", async () => {
    const projectId = await createProject(cast, { overlap: 1, autoPublishConsensus: true });
    const itemId = await labelledItem(cast, projectId, [[cast.experts[0], disputedLabels[0]]]);
    expect((await itemRow(itemId)).status).toBe("published");

    await prepareItemRoom(server.context, itemId);
    const doc = await readRoom(itemRoomName(itemId));
    expect(readMeta(doc)).toMatchObject({ status: "published", version: 1 });
    expect(labelToJson(doc)).toMatchObject({ preference: -1, accuracy: 2 });
    doc.destroy();
  });
});

describe("the panel", () => {
  it("is the item's annotators plus the experts a lead adds", async () => {
    const { itemId } = await disputedItem(cast);
    const [first] = cast.experts;
    expect(await isPanelMember(server.context.db, first.id, itemId)).toBe(true);
    expect(await isPanelMember(server.context.db, cast.invited.id, itemId)).toBe(false);
    expect(await isPanelMember(server.context.db, cast.client.id, itemId)).toBe(false);

    expectApiError(
      await first.api.post(`/items/${itemId}/panel`, { email: cast.invited.email }),
      403,
      "forbidden",
    );
    expectApiError(
      await cast.lead.api.post(`/items/${itemId}/panel`, { email: cast.outsider.email }),
      422,
      "validation_failed",
    );
    expectApiError(
      await cast.outsider.api.post(`/items/${itemId}/panel`, { email: cast.invited.email }),
      404,
      "not_found",
    );
    const added = await cast.lead.api.post<{
      panel: Array<{ userId: number; source: string }>;
    }>(`/items/${itemId}/panel`, { email: cast.invited.email.toUpperCase() });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.panel).toEqual([
      ...cast.experts.map((expert) =>
        expect.objectContaining({ userId: expert.id, source: "annotator" }),
      ),
      expect.objectContaining({ userId: cast.invited.id, source: "invited" }),
    ]);
    expect(await isPanelMember(server.context.db, cast.invited.id, itemId)).toBe(true);
    // Adding a panel opens the room: the item is in adjudication now.
    expect((await itemRow(itemId)).status).toBe("adjudicating");

    const item = await cast.invited.api.get<{ annotations: Array<{ annotator: { id: null } }> }>(
      `/items/${itemId}`,
    );
    expect(item.status).toBe(200);
    expect(item.body.annotations).toHaveLength(3);
    expect(item.body.annotations.every((annotation) => annotation.annotator.id === null)).toBe(
      true,
    );

    const view = await cast.invited.api.get<{
      adjudication: { panel: Array<{ name: string; own: boolean }>; may: Record<string, boolean> };
    }>(`/items/${itemId}/adjudication`);
    expect(view.status).toBe(200);
    expect(view.body.adjudication.may).toEqual({
      publish: false,
      approve: true,
      reopen: false,
      managePanel: false,
    });
    expect(view.body.adjudication.panel.filter((member) => !member.own).map((m) => m.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Annotator [A-Z]$/)]),
    );
  });

  it("refuses a panel on an item still labelled blind", async () => {
    const projectId = await createProject(cast, { overlap: 3 });
    const itemId = await labelledItem(cast, projectId, [[cast.experts[0], disputedLabels[0]]]);
    expectApiError(
      await cast.lead.api.post(`/items/${itemId}/panel`, { email: cast.invited.email }),
      409,
      "conflict",
    );
    expect(await isPanelMember(server.context.db, cast.experts[0].id, itemId)).toBe(false);
    for (const blind of [cast.experts[0], cast.experts[1], cast.invited, cast.outsider]) {
      expectApiError(await blind.api.get(`/items/${itemId}/adjudication`), 404, "not_found");
    }
    expect((await cast.lead.api.get(`/items/${itemId}/adjudication`)).status).toBe(200);
  });
});

describe("a review room", () => {
  it("opens with the junior's label and the lead's anchored comments", async () => {
    const projectId = await createProject(cast, { overlap: 1 }, { withJunior: true });
    const juniorLabel = { preference: 1, accuracy: 3, errors: [doseSpan] };
    const itemId = await labelledItem(cast, projectId, [[cast.junior, juniorLabel]]);
    const { id: annotationId } = await server.context.db
      .selectFrom("annotations")
      .select("id")
      .where("item_id", "=", itemId)
      .executeTakeFirstOrThrow();
    const docName = reviewRoomName(annotationId);

    expect(await prepareReviewRoom(server.context, annotationId)).toBe("updated");
    let doc = await readRoom(docName);
    const [span] = spansOf(doc, "errors");
    expect(labelToJson(doc)).toEqual({ ...juniorLabel, errors: [span], critique: "" });
    expect(commentsToJson(doc)).toEqual([]);
    doc.destroy();

    const reviews = await cast.lead.api.get<{ reviews: Array<{ id: number }> }>(
      `/projects/${projectId}/reviews`,
    );
    expect(reviews.status, JSON.stringify(reviews.body)).toBe(200);
    const decided = await cast.lead.api.post(`/reviews/${reviews.body.reviews[0].id}`, {
      verdict: "accept",
      comments: [
        { fieldId: "errors", span: { responseId: "a", start: 5, end: 9 }, text: "Right call" },
        { fieldId: "accuracy", text: "3 is generous" },
      ],
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);

    expect(await prepareReviewRoom(server.context, annotationId)).toBe("updated");
    expect(await prepareReviewRoom(server.context, annotationId)).toBe("up to date");
    doc = await readRoom(docName);
    expect(commentsToJson(doc)).toEqual([
      expect.objectContaining({
        author: await participantKeyFor(server, itemId, cast.lead.id),
        text: "Right call",
        fieldId: "errors",
        spanId: span.id,
        resolved: false,
      }),
      expect.objectContaining({ text: "3 is generous", fieldId: "accuracy" }),
    ]);
    expect(commentsToJson(doc)[1]).not.toHaveProperty("spanId");
    expect(labelToJson(doc).accuracy).toBe(3);
    doc.destroy();
  });
});
