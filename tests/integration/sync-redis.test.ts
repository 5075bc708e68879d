import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { loadStoredRoom } from "../../server/sync/persistence.ts";
import { holdItemRow } from "../setup/row-lock.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import { apiClient } from "../setup/api-client.ts";
import { insertLeadRoom, insertRoomItem } from "../setup/room-item.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  draftText,
  typeInDraft,
  waitFor,
} from "../setup/sync-client.ts";

const redisUrl = process.env.REDIS_URL;
const postgres = Boolean(process.env.DATABASE_URL);

const { track } = closeSyncClientsAfterEach();

/** Two instances share one database only on PostgreSQL (a PGlite directory is one process's). */
describe.skipIf(!redisUrl || !postgres)(
  "two instances over Redis (needs REDIS_URL and DATABASE_URL; skipped otherwise)",
  () => {
    const compactAfterUpdates = 10;
    let first: TestServer;
    let second: TestServer;
    let redis: Redis;
    let token: string;
    let otherToken: string;
    /** A new item room that both users edit as leads. */
    let room: () => Promise<string>;

    beforeAll(async () => {
      const settings = {
        REDIS_URL: redisUrl ?? "",
        SYNC_COMPACT_AFTER_UPDATES: String(compactAfterUpdates),
      };
      first = await startTestServer(settings);
      second = await startTestServer({
        ...settings,
        DATABASE_URL: first.context.config.databaseUrl ?? "",
      });
      const ada = await first.createUserWithToken({ email: "ada@example.com" });
      const grace = await first.createUserWithToken({ email: "grace@example.com" });
      ({ token } = ada);
      ({ token: otherToken } = grace);
      room = () => insertLeadRoom(first, [ada, grace]);
      redis = new Redis(redisUrl ?? "");
    });
    afterAll(async () => {
      redis?.disconnect();
      await second?.stop();
      await first?.stop();
    });

    async function storedDocument(docName: string): Promise<Y.Doc> {
      const stored = await loadStoredRoom(first.context.db, docName);
      const doc = new Y.Doc();
      for (const update of stored.updates) Y.applyUpdate(doc, update);
      return doc;
    }

    it("converges clients of different instances, presence included, while both compact", async () => {
      const docName = await room();
      const onFirst = track(connectSyncClient(first.url, docName, { token }));
      const onSecond = track(connectSyncClient(second.url, docName, { token: otherToken }));
      await Promise.all([onFirst.synced, onSecond.synced]);

      for (let index = 0; index < compactAfterUpdates * 4; index++) {
        onFirst.doc.getMap("label").set(`first ${index}`, index);
        onSecond.doc.getMap("label").set(`second ${index}`, index);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const all = compactAfterUpdates * 8;
      const fields = (doc: Y.Doc) => doc.getMap("label").size;
      await waitFor(
        () => fields(onFirst.doc) === all && fields(onSecond.doc) === all,
        "both clients to have every field",
      );
      expect(onSecond.doc.getMap("label").toJSON()).toEqual(onFirst.doc.getMap("label").toJSON());
      await waitFor(
        async () => fields(await storedDocument(docName)) === all,
        "every field to be stored",
      );

      onFirst.provider.awareness.setLocalStateField("cursor", 42);
      await waitFor(
        () => onSecond.provider.awareness.getStates().get(onFirst.doc.clientID)?.cursor === 42,
        "the first client's presence to reach the other instance",
      );
      expect(onSecond.provider.awareness.getStates().get(onFirst.doc.clientID)?.user).toMatchObject(
        { name: "ada" },
      );
      onFirst.provider.disconnect();
      await waitFor(
        () => !onSecond.provider.awareness.getStates().has(onFirst.doc.clientID),
        "the first client's presence to leave the other instance with it",
      );
    });

    it("catches up from the database after its Redis subscription was interrupted", async () => {
      const docName = await room();
      const onFirst = track(connectSyncClient(first.url, docName, { token }));
      await onFirst.synced;
      onFirst.doc.getMap("label").set("before", "the gap");
      await waitFor(
        async () => (await storedDocument(docName)).getMap("label").get("before") === "the gap",
        "the first edit to be stored",
      );

      // An update another instance stored while this one was not listening: its message is lost.
      const elsewhere = new Y.Doc();
      Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(onFirst.doc));
      const stateBefore = Y.encodeStateVector(elsewhere);
      elsewhere.getMap("label").set("during", "the gap");
      await first.context.db
        .insertInto("room_updates")
        .values({ doc_name: docName, update: Y.encodeStateAsUpdate(elsewhere, stateBefore) })
        .execute();
      const subscribers = (await redis.call("CLIENT", "LIST", "TYPE", "pubsub")) as string;
      for (const line of subscribers.split("\n")) {
        const id = /\bid=(\d+)\b/.exec(line)?.[1];
        if (id && line.includes("name=quorum-sync-subscriber")) {
          await redis.call("CLIENT", "KILL", "ID", id);
        }
      }
      await waitFor(
        () => onFirst.doc.getMap("label").get("during") === "the gap",
        "the update stored during the gap to reach the client",
      );
    });

    it("stores no edit for a published item on any instance, and reopens from the published label", async () => {
      const { itemId, docName, people } = await insertRoomItem(
        first,
        { "publisher@example.com": "lead", "editor@example.com": "lead" },
        { status: "adjudicating" },
      );
      const publisher = apiClient(first.url, people["publisher@example.com"].token);
      const editor = track(
        connectSyncClient(second.url, docName, {
          token: people["editor@example.com"].token,
          persisted: true,
        }),
      );
      await editor.synced;
      let refusal: number | null = null;
      void editor.refused.then(({ code }) => {
        refusal = code;
      });

      // The publish through the first instance waits for the item's row while the editor, on
      // the second, changes the draft.
      const row = await holdItemRow(first.context.db, itemId);
      const publishing = publisher.post<{ version: number; label: Record<string, unknown> }>(
        `/items/${itemId}/publish`,
        {},
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      editor.doc.getMap("label").set("verdict", "unsafe");
      await new Promise((resolve) => setTimeout(resolve, 500));
      await row.release();
      const published = await publishing;
      expect(published.status, JSON.stringify(published.body)).toBe(201);
      await waitFor(() => editor.saved() || refusal !== null, "the edit to be stored or refused");
      if (refusal === null) expect(published.body.label).toEqual({ verdict: "unsafe" });
      else expect(published.body.label).toEqual({});

      // Later edits through the second instance are refused and never stored.
      const late = track(
        connectSyncClient(second.url, docName, { token: people["editor@example.com"].token }),
      );
      await late.synced;
      late.doc.getMap("label").set("verdict", "safe");
      expect((await late.refused).code).toBe(SyncCloseCode.documentPublished);
      const stored = await storedDocument(docName);
      expect(stored.getMap("label").toJSON()).toEqual(published.body.label);

      expect((await publisher.post(`/items/${itemId}/reopen`)).status).toBe(200);
      const reopened = track(
        connectSyncClient(second.url, docName, { token: people["editor@example.com"].token }),
      );
      await reopened.synced;
      await waitFor(
        () => reopened.doc.getMap("meta").get("status") === "open",
        "the reopened room to reach the other instance",
      );
      expect(reopened.doc.getMap("label").toJSON()).toEqual(published.body.label);
    });

    // Runs last: it stops the second instance. (sync-crash.test.ts kills a process instead.)
    it("hands its clients over to the other instance when one stops, losing nothing", async () => {
      const docName = await room();
      const writer = track(connectSyncClient(second.url, docName, { token }));
      const reader = track(connectSyncClient(first.url, docName, { token: otherToken }));
      await Promise.all([writer.synced, reader.synced]);
      typeInDraft(writer.doc, 0, "written on the second instance");
      await waitFor(
        () => draftText(reader.doc) === "written on the second instance",
        "the edit to cross instances",
      );
      await second.stop();
      writer.provider.destroy();
      typeInDraft(writer.doc, 0, "Offline, then ");
      const reconnected = track(connectSyncClient(first.url, docName, { token, doc: writer.doc }));
      await reconnected.synced;
      await waitFor(
        () => draftText(reader.doc) === "Offline, then written on the second instance",
        "the writer's offline edit to reach the reader through the remaining instance",
      );
      const fresh = track(connectSyncClient(first.url, docName, { token }));
      await fresh.synced;
      expect(draftText(fresh.doc)).toBe(draftText(reader.doc));
    });
  },
);
