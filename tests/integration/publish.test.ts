import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  approvalsHolding,
  draftDigest,
  itemRoomName,
  labelText,
  labelToJson,
  readMeta,
  setLabelValue,
  setVote,
  votesToJson,
} from "../../app/domain/room.ts";
import { templateSchema } from "../../app/domain/template.ts";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import { prepareItemRoom } from "../../server/services/room.ts";
import {
  createCast,
  createProject,
  disputedItem,
  disputedLabels,
  doseSpan,
  labelledItem,
  responses,
  template,
  type Cast,
} from "../setup/adjudication.ts";
import { expectApiError, type ApiClient } from "../setup/api-client.ts";
import { participantKeyFor } from "../setup/room-item.ts";
import { holdItemRow } from "../setup/row-lock.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  waitFor,
  within,
  type SyncClient,
} from "../setup/sync-client.ts";

let server: TestServer;
let cast: Cast;
const clients = closeSyncClientsAfterEach();

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

interface Published {
  version: number;
  label: Record<string, unknown>;
}

function join(itemId: number, token: string): SyncClient {
  return clients.track(
    connectSyncClient(server.url, itemRoomName(itemId), { token, persisted: true }),
  );
}

/** Changes the room as a participant would, through a stock client, and waits until stored. */
async function editAs(token: string, itemId: number, edit: (doc: Y.Doc) => void): Promise<void> {
  const client = join(itemId, token);
  await within(client.synced, "the client to sync");
  edit(client.doc);
  await waitFor(() => client.saved(), "the edit to be stored");
}

async function storedRoom(itemId: number): Promise<Y.Doc> {
  return server.context.rooms.read(itemRoomName(itemId));
}

async function versionsOf(itemId: number) {
  return server.context.db
    .selectFrom("adjudications")
    .selectAll()
    .where("item_id", "=", itemId)
    .orderBy("version")
    .execute();
}

async function statusOf(itemId: number) {
  const row = await server.context.db
    .selectFrom("items")
    .select("status")
    .where("id", "=", itemId)
    .executeTakeFirstOrThrow();
  return row.status;
}

const publish = (api: ApiClient, itemId: number, body: Record<string, unknown> = {}) =>
  api.post<Published>(`/items/${itemId}/publish`, body);

describe("publishing", () => {
  it("stores an immutable version with its provenance and locks the room", async () => {
    const { itemId } = await disputedItem(cast);
    await prepareItemRoom(server.context, itemId);
    const [first, second] = cast.experts;
    const firstKey = await participantKeyFor(server, itemId, first.id);
    await editAs(first.token, itemId, (doc) => {
      setLabelValue(doc, "accuracy", 3);
      labelText(doc, "critique")!.insert(0, "Dose must follow the INR.");
      setVote(doc, firstKey, "accuracy", 3);
    });

    const published = await publish(cast.lead.api, itemId, {
      expectedVersion: 1,
      rationale: "The INR check decides it.",
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.version).toBe(1);
    expect(published.body.label).toMatchObject({
      preference: 1,
      accuracy: 3,
      critique: "Dose must follow the INR.",
    });

    const [version] = await versionsOf(itemId);
    expect(version).toMatchObject({
      version: 1,
      label: published.body.label,
      rationale: "The INR check decides it.",
      published_by: cast.lead.id,
    });
    expect(version.panel).toEqual(cast.experts.map((expert) => expert.id));
    // The room names members by participant key; the version records them by user id. Their
    // labels were stored with the span's quoted text.
    const quotedDose = { ...doseSpan, text: "5 mg" };
    expect(version.votes).toEqual({
      [String(first.id)]: { ...disputedLabels[0], accuracy: 3, errors: [quotedDose] },
      [String(second.id)]: { ...disputedLabels[1], errors: [quotedDose] },
      [String(cast.experts[2].id)]: disputedLabels[2],
    });
    // Published preference 1 and accuracy 3: the first expert preferred the other response, the
    // other two rated 4.
    expect(version.minority).toEqual({
      preference: [
        { member: String(first.id), value: -1 },
        { member: String(cast.experts[2].id), value: 2 },
      ],
      accuracy: [
        { member: String(second.id), value: 4 },
        { member: String(cast.experts[2].id), value: 4 },
      ],
      errors: [{ member: String(cast.experts[2].id), value: [] }],
    });
    const snapshot = new Y.Doc();
    Y.applyUpdate(snapshot, version.room_snapshot!);
    expect(labelToJson(snapshot)).toEqual(published.body.label);
    expect(version.time_spent_ms).toBeGreaterThanOrEqual(0);
    expect(await statusOf(itemId)).toBe("published");
    const audit = await server.context.db
      .selectFrom("audit_log")
      .select(["actor_id", "details"])
      .where("action", "=", "item.publish")
      .where("subject_id", "=", String(itemId))
      .executeTakeFirst();
    expect(audit).toEqual({ actor_id: cast.lead.id, details: { version: 1, rule: "lead" } });

    const stored = await storedRoom(itemId);
    expect(readMeta(stored)).toMatchObject({
      status: "published",
      version: 1,
      publishedBy: await participantKeyFor(server, itemId, cast.lead.id),
    });
    stored.destroy();

    // A participant's later edit is refused and never stored.
    const late = join(itemId, second.token);
    await within(late.synced, "the late client to sync");
    expect(readMeta(late.doc).status).toBe("published");
    setLabelValue(late.doc, "accuracy", 5);
    expect((await within(late.refused, "the edit to be refused")).code).toBe(
      SyncCloseCode.documentPublished,
    );
    const after = await storedRoom(itemId);
    expect(labelToJson(after)).toEqual(published.body.label);
    after.destroy();
  });

  it("refuses an invalid draft with the fields in error and stores nothing", async () => {
    const { itemId } = await disputedItem(cast);
    await prepareItemRoom(server.context, itemId);
    await editAs(cast.experts[0].token, itemId, (doc) => {
      setLabelValue(doc, "accuracy", 9);
      setLabelValue(doc, "preference", undefined);
    });

    const details = expectApiError(await publish(cast.lead.api, itemId), 422, "validation_failed");
    expect(details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: "accuracy" }),
        expect.objectContaining({ field: "preference" }),
      ]),
    );
    expect(await versionsOf(itemId)).toEqual([]);
    expect(await statusOf(itemId)).toBe("adjudicating");
    const stored = await storedRoom(itemId);
    expect(readMeta(stored).status).toBe("open");
    // The draft itself may be invalid: it stays as the panel left it.
    expect(labelToJson(stored).accuracy).toBe(9);
    stored.destroy();

    expectApiError(
      await publish(cast.lead.api, itemId, { expectedVersion: 0 }),
      422,
      "validation_failed",
    );
  });

  it("lets exactly one of two concurrent publishes win", async () => {
    const { itemId } = await disputedItem(cast);
    await prepareItemRoom(server.context, itemId);
    const results = await Promise.all([
      publish(cast.lead.api, itemId, { expectedVersion: 1 }),
      publish(cast.admin.api, itemId, { expectedVersion: 1 }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual([201, 409]);
    const loser = results.find((result) => result.status === 409)!;
    expectApiError(loser, 409, "conflict");
    expect(await versionsOf(itemId)).toHaveLength(1);

    // Without an expected version the second publish is refused as well.
    const { itemId: other } = await disputedItem(cast);
    const racing = await Promise.all([
      publish(cast.lead.api, other),
      publish(cast.lead.api, other),
    ]);
    expect(racing.map((result) => result.status).sort()).toEqual([201, 409]);
    expect(await versionsOf(other)).toHaveLength(1);
  });

  it("puts every edit the server acknowledged into the version, or refuses it, however the publish and the edit interleave", async () => {
    const { itemId } = await disputedItem(cast);
    await prepareItemRoom(server.context, itemId);
    const [first] = cast.experts;
    const firstKey = await participantKeyFor(server, itemId, first.id);
    const editor = join(itemId, first.token);
    await within(editor.synced, "the editor to sync");
    let refusal: number | null = null;
    void editor.refused.then(({ code }) => {
      refusal = code;
    });

    // The item's row stays locked while the publish waits for it, and the edit is made then:
    // the publish has begun, the version is not yet written.
    const row = await holdItemRow(server.context.db, itemId);
    const publishing = publish(cast.lead.api, itemId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    editor.doc.transact(() => {
      setLabelValue(editor.doc, "accuracy", 1);
      setVote(editor.doc, firstKey, "accuracy", 1);
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await row.release();
    const published = await publishing;
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    await waitFor(() => editor.saved() || refusal !== null, "the edit to be stored or refused");

    const [version] = await versionsOf(itemId);
    const stored = await storedRoom(itemId);
    if (refusal === null) {
      expect(version.label).toMatchObject({ accuracy: 1 });
      expect((version.votes as Record<string, { accuracy: number }>)[first.id].accuracy).toBe(1);
    } else {
      expect(refusal).toBe(SyncCloseCode.documentPublished);
      expect(version.label).not.toMatchObject({ accuracy: 1 });
      expect(votesToJson(stored)[firstKey].accuracy).toBe(disputedLabels[0].accuracy);
    }
    // The room shows what was published, votes included.
    expect(labelToJson(stored)).toEqual(version.label);
    expect(votesToJson(stored)[firstKey].accuracy).toBe(
      (version.votes as Record<string, { accuracy: number }>)[first.id].accuracy,
    );
    stored.destroy();
  });

  it("leaves a disputed item as it was when its draft cannot be published", async () => {
    const projectId = await createProject(cast, {
      overlap: 3,
      template: {
        fields: [
          { id: "preference", type: "preference", label: "Preference", scale: 2, required: true },
          { id: "why", type: "text", label: "Why", required: true },
        ],
      },
    });
    const itemId = await labelledItem(
      cast,
      projectId,
      cast.experts.map((expert, index) => [
        expert,
        { preference: [-2, 0, 2][index], why: `Reason ${index}` },
      ]),
    );
    expect(await statusOf(itemId)).toBe("disputed");

    // Nobody has written the text the template requires: the draft is not valid.
    const details = expectApiError(await publish(cast.lead.api, itemId), 422, "validation_failed");
    expect(details).toEqual([expect.objectContaining({ field: "why" })]);
    const item = await server.context.db
      .selectFrom("items")
      .select(["status", "adjudication_started_at"])
      .where("id", "=", itemId)
      .executeTakeFirstOrThrow();
    expect(item).toEqual({ status: "disputed", adjudication_started_at: null });
    expect(await versionsOf(itemId)).toEqual([]);
  });

  it("reopens a published item for the next version and keeps the earlier one", async () => {
    const { itemId } = await disputedItem(cast);
    expect((await publish(cast.lead.api, itemId)).status).toBe(201);
    const [firstVersion] = await versionsOf(itemId);

    expectApiError(await cast.experts[0].api.post(`/items/${itemId}/reopen`), 403, "forbidden");
    const reopened = await cast.lead.api.post<{ status: string; draftVersion: number }>(
      `/items/${itemId}/reopen`,
    );
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    expect(reopened.body).toEqual({ status: "adjudicating", draftVersion: 2 });
    expectApiError(await cast.lead.api.post(`/items/${itemId}/reopen`), 409, "conflict");
    expect(await statusOf(itemId)).toBe("adjudicating");
    let stored = await storedRoom(itemId);
    expect(readMeta(stored)).toMatchObject({ status: "open", version: 2, publishedBy: null });
    stored.destroy();

    await editAs(cast.experts[1].token, itemId, (doc) => setLabelValue(doc, "accuracy", 5));
    expectApiError(await publish(cast.lead.api, itemId, { expectedVersion: 1 }), 409, "conflict");
    const second = await publish(cast.lead.api, itemId, { expectedVersion: 2 });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body).toMatchObject({ version: 2, label: { accuracy: 5 } });

    const versions = await versionsOf(itemId);
    expect(versions.map((version) => version.version)).toEqual([1, 2]);
    expect(versions[0]).toEqual(firstVersion);
    await expect(
      server.context.db
        .updateTable("adjudications")
        .set({ rationale: "rewritten" })
        .where("id", "=", firstVersion.id)
        .execute(),
    ).rejects.toThrow(/immutable/);
    stored = await storedRoom(itemId);
    expect(readMeta(stored)).toMatchObject({ status: "published", version: 2 });
    stored.destroy();
  });

  it("starts the next version from the published label, whatever the room held", async () => {
    const { itemId } = await disputedItem(cast);
    const published = await publish(cast.lead.api, itemId);
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    // A room that drifted from its version (as one stored by an earlier release could).
    await server.context.rooms.applyServerUpdate(itemRoomName(itemId), (doc) =>
      setLabelValue(doc, "accuracy", 1),
    );

    expect((await cast.lead.api.post(`/items/${itemId}/reopen`)).status).toBe(200);
    const stored = await storedRoom(itemId);
    expect(readMeta(stored)).toMatchObject({ status: "open", version: 2 });
    expect(labelToJson(stored)).toEqual(published.body.label);
    stored.destroy();
  });

  it("shows the versions to those who may see them, pseudonymised for clients", async () => {
    const { itemId } = await disputedItem(cast);
    expect((await publish(cast.lead.api, itemId, { rationale: "Settled." })).status).toBe(201);

    type Person = { id: number | null; name: string };
    type View = {
      versions: Array<{
        version: number;
        rationale: string;
        publishedBy?: Person;
        panel?: Person[];
        votes?: Array<{ member: Person; label: unknown }>;
        minority?: Record<string, Array<{ member: Person; value: unknown }>>;
      }>;
    };
    const asLead = await cast.lead.api.get<View>(`/items/${itemId}`);
    expect(asLead.status).toBe(200);
    const [leadView] = asLead.body.versions;
    expect(leadView).toMatchObject({ version: 1, rationale: "Settled." });
    expect(leadView.publishedBy).toEqual({ id: cast.lead.id, name: "lead" });
    expect(leadView.panel).toEqual(
      cast.experts.map((expert) => ({ id: expert.id, name: expert.email.split("@")[0] })),
    );
    expect(leadView.votes).toHaveLength(3);
    expect(leadView.minority?.accuracy).toEqual([
      { member: { id: cast.experts[0].id, name: "expert1" }, value: 2 },
    ]);

    const asClient = await cast.client.api.get<View>(`/items/${itemId}`);
    const [clientView] = asClient.body.versions;
    expect(clientView.panel?.every((member) => member.id === null)).toBe(true);
    expect(clientView.panel?.map((member) => member.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Annotator [A-Z]$/)]),
    );
    expect(JSON.stringify(clientView)).not.toContain("expert1");

    const asAnnotator = await cast.experts[0].api.get<View>(`/items/${itemId}`);
    expect(asAnnotator.body.versions).toEqual([
      expect.objectContaining({ version: 1, rationale: "Settled." }),
    ]);
    expect(asAnnotator.body.versions[0]).not.toHaveProperty("votes");
    expectApiError(await cast.invited.api.get(`/items/${itemId}`), 404, "not_found");
    expectApiError(await cast.outsider.api.get(`/items/${itemId}`), 404, "not_found");
  });
});

describe("who may publish", () => {
  it("is a lead under the default rule", async () => {
    const { itemId } = await disputedItem(cast);
    expectApiError(await publish(cast.experts[0].api, itemId), 403, "forbidden");
    expectApiError(await publish(cast.client.api, itemId), 403, "forbidden");
    expectApiError(await publish(cast.outsider.api, itemId), 404, "not_found");
    expectApiError(await publish(cast.lead.api, 2_000_000), 404, "not_found");
    expect(await versionsOf(itemId)).toEqual([]);
  });

  it("is a panel member once enough of the panel approved the very draft", async () => {
    const { itemId } = await disputedItem(cast, { publishRule: { kind: "quorum", approvals: 2 } });
    const [first, second, third] = cast.experts;
    const [firstKey, secondKey, thirdKey] = await Promise.all(
      [first, second, third].map((expert) => participantKeyFor(server, itemId, expert.id)),
    );
    const refusal = expectApiError(await publish(first.api, itemId), 409, "conflict");
    expect(refusal).toEqual({ required: 2, approvals: 0 });
    expectApiError(await publish(cast.client.api, itemId), 403, "forbidden");
    expectApiError(await cast.client.api.post(`/items/${itemId}/approve`), 403, "forbidden");
    expectApiError(await cast.invited.api.post(`/items/${itemId}/approve`), 403, "forbidden");

    const approved = await first.api.post<{ approval: { version: number; approvals: string[] } }>(
      `/items/${itemId}/approve`,
    );
    expect(approved.status, JSON.stringify(approved.body)).toBe(201);
    expect(approved.body.approval).toMatchObject({ version: 1, approvals: [firstKey] });
    expect(await publish(first.api, itemId).then((result) => result.status)).toBe(409);
    expect((await second.api.post(`/items/${itemId}/approve`)).status).toBe(201);
    // The room tells its readers which label each approval was of, so that they count as
    // publishing does: the approvals hold for the draft until it changes.
    const holding = async () => {
      const room = await storedRoom(itemId);
      try {
        return approvalsHolding(
          readMeta(room),
          draftDigest(templateSchema.parse(template), responses, labelToJson(room)),
        );
      } finally {
        room.destroy();
      }
    };
    const stored = await storedRoom(itemId);
    expect(readMeta(stored).approvals).toEqual([firstKey, secondKey]);
    stored.destroy();
    expect(await holding()).toEqual([firstKey, secondKey]);

    // A change to the draft after the approvals voids them until the panel approves again.
    await editAs(third.token, itemId, (doc) => setLabelValue(doc, "accuracy", 3));
    expect(await holding()).toEqual([]);
    expectApiError(await publish(third.api, itemId), 409, "conflict");
    expect((await first.api.post(`/items/${itemId}/approve`)).status).toBe(201);
    expect((await second.api.post(`/items/${itemId}/approve`)).status).toBe(201);
    const published = await publish(third.api, itemId);
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body).toMatchObject({ version: 1, label: { accuracy: 3 } });
    expect(votesToJson(await storedRoom(itemId))).toHaveProperty(thirdKey);
  });
});
