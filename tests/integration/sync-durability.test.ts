import { sql } from "kysely";
import * as encoding from "lib0/encoding";
import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { ProjectRole } from "../../db/schema.ts";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import { loadStoredRoom } from "../../server/sync/persistence.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { addComment } from "../../app/domain/room.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  draftText,
  openRawSyncSocket,
  requestUpgrade,
  typeInDraft,
  waitFor,
  within,
  type SyncClient,
} from "../setup/sync-client.ts";
import { insertLeadRoom, insertRoomItem, type RoomMember } from "../setup/room-item.ts";

const { track, trackRaw } = closeSyncClientsAfterEach();

const compactAfterUpdates = 20;
const maxDocumentBytes = 64 * 1024;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    SYNC_COMPACT_AFTER_UPDATES: String(compactAfterUpdates),
    SYNC_MAX_DOCUMENT_BYTES: String(maxDocumentBytes),
  });
});
afterAll(() => server.stop());

/** The document as the database holds it: snapshot plus log. */
async function storedDocument(docName: string): Promise<Y.Doc> {
  const stored = await loadStoredRoom(server.context.db, docName);
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const update of stored.updates) Y.applyUpdate(doc, update);
  });
  return doc;
}

/** Whether everything in `update` is already in the stored document. */
async function isStored(docName: string, update: Uint8Array): Promise<boolean> {
  const doc = await storedDocument(docName);
  let added = false;
  doc.on("update", () => (added = true));
  Y.applyUpdate(doc, update);
  return !added;
}

async function countRows(table: "room_updates" | "room_snapshots", docName: string) {
  const row = await server.context.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("doc_name", "=", docName)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

let userCount = 0;

async function user(options: { admin?: boolean } = {}) {
  userCount += 1;
  const name = `User ${userCount}`;
  const { userId, token } = await server.createUserWithToken({
    email: `user${userCount}@example.com`,
    name,
    isAdmin: options.admin ?? false,
  });
  return { userId, token, name };
}

/** A disputed item whose labelled annotators may take part in its room, and its members. */
async function disputedItem(members: Record<string, ProjectRole>, labelledBy: string[]) {
  const { db } = server.context;
  const { itemId, docName, projectId, people } = await insertRoomItem(server, members, {
    status: "disputed",
    createMember: () => user(),
  });
  const labelled: Record<string, RoomMember & { annotationId?: number }> = people;
  for (const key of labelledBy) {
    const annotation = await db
      .insertInto("annotations")
      .values({ item_id: itemId, user_id: people[key].userId, label: JSON.stringify({}) })
      .returning("id")
      .executeTakeFirstOrThrow();
    labelled[key].annotationId = annotation.id;
  }
  return { docName, projectId, people: labelled };
}

describe("durable sync", () => {
  it("converges three clients, and a relayed edit is stored before anyone receives it", async () => {
    const [ada, grace, alan] = await Promise.all([user(), user(), user()]);
    const docName = await insertLeadRoom(server, [ada, grace, alan]);
    const first = track(connectSyncClient(server.url, docName, { token: ada.token }));
    const second = track(connectSyncClient(server.url, docName, { token: grace.token }));
    const third = track(connectSyncClient(server.url, docName, { token: alan.token }));
    await Promise.all([first.synced, second.synced, third.synced]);

    const storedOnArrival: Array<Promise<boolean>> = [];
    second.doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === second.provider) storedOnArrival.push(isStored(docName, update));
    });
    for (let round = 0; round < 5; round++) {
      typeInDraft(first.doc, 0, `a${round} `);
      third.doc.getMap("label").set(`third${round}`, round);
      second.doc.getMap("label").set(`field${round}`, round);
    }
    // A map lists its keys in the order this client received them: compared sorted.
    const contentOf = (doc: Y.Doc) => ({
      body: draftText(doc),
      label: Object.entries(doc.getMap("label").toJSON()).sort(([a], [b]) => a.localeCompare(b)),
    });
    const converged = () => {
      const content = contentOf(first.doc);
      return (
        content.label.length === 11 &&
        content.body.length === 15 &&
        JSON.stringify(contentOf(second.doc)) === JSON.stringify(content) &&
        JSON.stringify(contentOf(third.doc)) === JSON.stringify(content)
      );
    };
    await waitFor(converged, "the three clients to converge");
    expect(storedOnArrival.length).toBeGreaterThan(0);
    expect(await Promise.all(storedOnArrival)).toEqual(storedOnArrival.map(() => true));
    expect(contentOf(await storedDocument(docName))).toEqual(contentOf(first.doc));
  });

  it("tells a client that asks when its edits are saved, and only once they are", async () => {
    const writer = await user();
    const { token } = writer;
    const docName = await insertLeadRoom(server, [writer]);
    const client = track(connectSyncClient(server.url, docName, { token, persisted: true }));
    await client.synced;
    await waitFor(() => client.saved(), "the initial sync to be acknowledged");
    // Whenever the client reads itself as saved, its whole document must be in the database.
    const storedWhenSaved: Array<Promise<boolean>> = [];
    client.provider.ws?.addEventListener("message", () => {
      if (client.saved()) {
        storedWhenSaved.push(isStored(docName, Y.encodeStateAsUpdate(client.doc)));
      }
    });
    typeInDraft(client.doc, 0, "typed");
    expect(client.saved()).toBe(false);
    await waitFor(() => client.saved(), "the edit to be acknowledged");
    typeInDraft(client.doc, 5, " and more");
    await waitFor(() => client.saved(), "the second edit to be acknowledged");
    expect(storedWhenSaved.length).toBeGreaterThan(0);
    expect(await Promise.all(storedWhenSaved)).toEqual(storedWhenSaved.map(() => true));
    expect(draftText(await storedDocument(docName))).toBe("typed and more");
  });

  // PGlite is one connection whatever the pool: there, nothing can be held apart.
  it.skipIf(!process.env.DATABASE_URL)(
    "stores and relays edits while requests hold every pooled connection",
    async () => {
      const [ada, grace] = await Promise.all([user(), user()]);
      const docName = await insertLeadRoom(server, [ada, grace]);
      const writer = track(connectSyncClient(server.url, docName, { token: ada.token }));
      const reader = track(connectSyncClient(server.url, docName, { token: grace.token }));
      await Promise.all([writer.synced, reader.synced]);

      // Ten is the shared pool's size: every request query now waits for these.
      let holding = true;
      const held = Array.from({ length: 10 }, () =>
        sql`select pg_sleep(4)`.execute(server.context.db),
      );
      void Promise.race(held).then(() => (holding = false));
      typeInDraft(writer.doc, 0, "while busy");
      await waitFor(() => draftText(reader.doc) === "while busy", "the edit to be relayed");
      expect(holding, "relayed before any pooled connection was free again").toBe(true);
      await Promise.all(held);
      expect(draftText(await storedDocument(docName))).toBe("while busy");
    },
  );

  it("drops clients' and admins' edits and stores none of them", async () => {
    const { docName, people } = await disputedItem(
      { lead: "lead", client: "client", panelist: "annotator" },
      ["panelist"],
    );
    const admin = await user({ admin: true });
    const lead = track(connectSyncClient(server.url, docName, { token: people.lead.token }));
    await lead.synced;

    const observers: SyncClient[] = [];
    for (const token of [people.client.token, admin.token]) {
      // An edit made before connecting travels in the sync-step-2 reply, one made after in an
      // update frame: the server must store neither.
      const doc = new Y.Doc();
      doc.getMap("label").set("before", "observer");
      const observer = track(
        connectSyncClient(server.url, docName, { token, doc, persisted: true }),
      );
      await observer.synced;
      observer.doc.getMap("label").set("after", "observer");
      observers.push(observer);
    }
    const panelist = track(
      connectSyncClient(server.url, docName, { token: people.panelist.token }),
    );
    await panelist.synced;
    panelist.doc.getMap("label").set("severity", "major");
    lead.doc.getMap("label").set("verdict", "unsafe");
    for (const observer of observers) {
      await waitFor(
        () => observer.doc.getMap("label").get("verdict") === "unsafe",
        "the lead's edit to reach an observer",
      );
      await waitFor(
        () => observer.doc.getMap("label").get("severity") === "major",
        "the panelist's edit to reach an observer",
      );
      expect(observer.saved()).toBe(false);
    }
    await waitFor(() => lead.doc.getMap("label").get("severity") === "major", "the panelist");
    expect(lead.doc.getMap("label").toJSON()).toEqual({ verdict: "unsafe", severity: "major" });
    expect((await storedDocument(docName)).getMap("label").toJSON()).toEqual({
      verdict: "unsafe",
      severity: "major",
    });
  });

  it("lets the lead and the author comment on a review, admins watch it, and nobody else in", async () => {
    const { projectId, people } = await disputedItem(
      { lead: "lead", author: "annotator", other: "annotator", client: "client" },
      ["author", "other"],
    );
    const admin = await user({ admin: true });
    const docName = `review:${people.author.annotationId}`;
    for (const token of [people.other.token, people.client.token]) {
      expect((await requestUpgrade(server.url, `/sync/${docName}?token=${token}`)).status).toBe(
        403,
      );
    }
    const lead = track(connectSyncClient(server.url, docName, { token: people.lead.token }));
    const author = track(connectSyncClient(server.url, docName, { token: people.author.token }));
    const watcher = track(connectSyncClient(server.url, docName, { token: admin.token }));
    await Promise.all([lead.synced, author.synced, watcher.synced]);
    const keyOf = async (userId: number) =>
      (
        await server.context.db
          .selectFrom("project_participants")
          .select("key")
          .where("project_id", "=", projectId)
          .where("user_id", "=", userId)
          .executeTakeFirstOrThrow()
      ).key;
    addComment(author.doc, {
      author: await keyOf(people.author.userId),
      text: "I read the guideline differently",
    });
    addComment(lead.doc, { author: await keyOf(people.lead.userId), text: "Section 3 says so" });
    addComment(watcher.doc, { author: "admin", text: "an admin's aside" });
    await waitFor(
      () =>
        watcher.doc.getArray("comments").length === 3 && lead.doc.getArray("comments").length === 2,
      "the lead's and the author's comments to reach everyone",
    );
    expect(author.doc.getArray("comments").length).toBe(2);
    expect((await storedDocument(docName)).getArray("comments").length).toBe(2);
  });

  it("refuses an annotator of the project who has not labelled the item", async () => {
    const { docName, people } = await disputedItem(
      { labelled: "annotator", stranger: "annotator" },
      ["labelled"],
    );
    const refused = await requestUpgrade(
      server.url,
      `/sync/${docName}?token=${people.stranger.token}`,
    );
    expect(refused.status).toBe(403);
    const admitted = await requestUpgrade(
      server.url,
      `/sync/${docName}?token=${people.labelled.token}`,
    );
    expect(admitted.status).toBe(101);
  });

  it("compacts the log into one snapshot that a fresh client loads", async () => {
    const author = await user();
    const { token } = author;
    const docName = await insertLeadRoom(server, [author]);
    const writer = track(connectSyncClient(server.url, docName, { token, persisted: true }));
    await writer.synced;
    for (let index = 0; index < compactAfterUpdates * 2 + 5; index++) {
      typeInDraft(writer.doc, draftText(writer.doc).length, `${index};`);
      await waitFor(() => writer.saved(), "each edit to be saved");
    }
    await waitFor(
      async () => (await countRows("room_updates", docName)) < compactAfterUpdates,
      "the log to be compacted",
    );
    expect(await countRows("room_snapshots", docName)).toBe(1);
    const fresh = track(connectSyncClient(server.url, docName, { token }));
    await fresh.synced;
    expect(draftText(fresh.doc)).toBe(draftText(writer.doc));
  });

  it("refuses an update that would pass the size cap with 4413 and stores none of it", async () => {
    const [ada, grace] = await Promise.all([user(), user()]);
    const docName = await insertLeadRoom(server, [ada, grace]);
    const writer = track(connectSyncClient(server.url, docName, { token: ada.token }));
    const reader = track(connectSyncClient(server.url, docName, { token: grace.token }));
    await Promise.all([writer.synced, reader.synced]);
    typeInDraft(writer.doc, 0, "small");
    await waitFor(() => draftText(reader.doc) === "small", "the small edit");
    typeInDraft(writer.doc, 5, "x".repeat(maxDocumentBytes));
    expect((await within(writer.refused, "the refusal")).code).toBe(SyncCloseCode.documentTooLarge);

    typeInDraft(reader.doc, 0, "still ");
    await waitFor(
      async () => draftText(await storedDocument(docName)) === "still small",
      "the reader's edit to be stored",
    );
    expect(draftText(reader.doc)).toBe("still small");
  });

  it("refuses every client update to a published room with 4423 and stores none", async () => {
    const [ada, grace] = await Promise.all([user(), user()]);
    const docName = await insertLeadRoom(server, [ada, grace]);
    const editor = track(connectSyncClient(server.url, docName, { token: ada.token }));
    const watcher = track(connectSyncClient(server.url, docName, { token: grace.token }));
    await Promise.all([editor.synced, watcher.synced]);
    editor.doc.getMap("label").set("verdict", "unsafe");
    await waitFor(() => watcher.doc.getMap("label").get("verdict") === "unsafe", "the draft");

    await server.context.rooms.applyServerUpdate(docName, (doc) => {
      doc.getMap("meta").set("status", "published");
    });
    await waitFor(
      () => editor.doc.getMap("meta").get("status") === "published",
      "the published status to reach the editor",
    );
    editor.doc.getMap("label").set("verdict", "safe");
    expect((await within(editor.refused, "the refusal")).code).toBe(
      SyncCloseCode.documentPublished,
    );
    const stored = await storedDocument(docName);
    expect(stored.getMap("label").toJSON()).toEqual({ verdict: "unsafe" });
    expect(stored.getMap("meta").toJSON()).toEqual({ status: "published" });
    expect(watcher.doc.getMap("label").get("verdict")).toBe("unsafe");

    // Reconnecting with nothing new to send is no edit, and is not refused.
    const late = track(
      connectSyncClient(server.url, docName, { token: grace.token, persisted: true }),
    );
    await late.synced;
    await waitFor(() => late.saved(), "the late client's empty sync to be acknowledged");
  });

  it("refuses a client's write to meta with 4403", async () => {
    const writer = await user();
    const docName = await insertLeadRoom(server, [writer]);
    const client = track(connectSyncClient(server.url, docName, { token: writer.token }));
    await client.synced;
    client.doc.getMap("meta").set("status", "published");
    expect((await within(client.refused, "the refusal")).code).toBe(SyncCloseCode.forbiddenChange);
    expect(await countRows("room_updates", docName)).toBe(0);
  });
});

describe("presence", () => {
  /** A raw presence frame for one client id, as y-protocols encodes it. */
  function presenceFrame(clientId: number, clock: number, state: Record<string, unknown>) {
    const awareness = new Awareness(new Y.Doc());
    awareness.clientID = clientId;
    awareness.states.set(clientId, state);
    awareness.meta.set(clientId, { clock, lastUpdated: Date.now() });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(awareness, [clientId]));
    awareness.destroy();
    return encoding.toUint8Array(encoder);
  }

  it("shows everyone the identity the server stamped, whatever a client claims", async () => {
    const [ada, mallory, grace] = await Promise.all([user(), user(), user()]);
    const docName = await insertLeadRoom(server, [ada, mallory, grace]);
    const honest = track(connectSyncClient(server.url, docName, { token: ada.token }));
    const watcher = track(connectSyncClient(server.url, docName, { token: grace.token }));
    await Promise.all([honest.synced, watcher.synced]);
    honest.provider.awareness.setLocalStateField("cursor", 1);
    const honestId = honest.doc.clientID;
    await waitFor(
      () => watcher.provider.awareness.getStates().get(honestId)?.cursor === 1,
      "the honest client's presence",
    );

    const spoofer = await openRawSyncSocket(server.url, docName, { token: mallory.token });
    trackRaw(spoofer);
    // Tries to overwrite Ada's state, then claims to be Ada in a state of its own. Frames are
    // handled and relayed in order, so once the second arrives the first would have too.
    spoofer.socket.send(
      presenceFrame(honestId, 1_000, { user: { id: mallory.userId, name: "Ada" }, cursor: 99 }),
    );
    spoofer.socket.send(presenceFrame(4242, 1, { user: { id: ada.userId, name: ada.name } }));
    await waitFor(
      () => watcher.provider.awareness.getStates().has(4242),
      "the spoofer's own presence",
    );
    expect(watcher.provider.awareness.getStates().get(4242)?.user).toMatchObject({
      id: mallory.userId,
      name: mallory.name,
    });
    const honestState = watcher.provider.awareness.getStates().get(honestId);
    expect(honestState?.cursor).toBe(1);
    expect(honestState?.user).toMatchObject({ id: ada.userId, name: ada.name, role: "lead" });
    expect((honestState?.user as { colour?: string }).colour).toMatch(/^#[0-9a-f]{6}$/);
  });

  it("shows annotators pseudonymised to the panel and to clients, by name to the lead", async () => {
    const { docName, people } = await disputedItem(
      { lead: "lead", first: "annotator", second: "annotator", client: "client" },
      ["first", "second"],
    );
    const connect = (key: string) =>
      track(connectSyncClient(server.url, docName, { token: people[key].token }));
    const [lead, first, second, client] = ["lead", "first", "second", "client"].map(connect);
    await Promise.all([lead, first, second, client].map((each) => each.synced));
    first.provider.awareness.setLocalStateField("cursor", 5);
    const seenBy = (viewer: SyncClient) =>
      viewer.provider.awareness.getStates().get(first.doc.clientID) as
        | { cursor?: number; user?: { id: number | null; name: string; role: string | null } }
        | undefined;
    await waitFor(
      () => [lead, second, client].every((viewer) => seenBy(viewer)?.cursor === 5),
      "the annotator's presence to reach everyone",
    );
    const stored = await server.context.db
      .selectFrom("users")
      .select("name")
      .where("id", "=", people.first.userId)
      .executeTakeFirstOrThrow();
    expect(seenBy(lead)?.user).toMatchObject({ id: people.first.userId, name: stored.name });
    // Behind a pseudonym no role either: a lead's next to a letter would name them.
    for (const viewer of [second, client]) {
      expect(seenBy(viewer)?.user).toMatchObject({
        id: null,
        name: expect.stringMatching(/^Annotator [A-Z]+$/),
        role: null,
      });
    }
  });

  it("drops presence updates beyond the rate limit", async () => {
    const [ada, grace] = await Promise.all([user(), user()]);
    const docName = await insertLeadRoom(server, [ada, grace]);
    const watcher = track(connectSyncClient(server.url, docName, { token: grace.token }));
    await watcher.synced;
    const chatty = await openRawSyncSocket(server.url, docName, { token: ada.token });
    trackRaw(chatty);
    const relayed = new Set<unknown>();
    watcher.provider.awareness.on("change", () => {
      relayed.add(watcher.provider.awareness.getStates().get(5151)?.cursor);
    });
    const started = performance.now();
    for (let clock = 1; clock <= 100; clock++) {
      chatty.socket.send(presenceFrame(5151, clock, { cursor: clock }));
    }
    await waitFor(
      () => watcher.provider.awareness.getStates().has(5151),
      "the first presence updates",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    relayed.delete(undefined);
    // A second's worth at once (20), then 20 a second for as long as the frames took to arrive.
    const seconds = (performance.now() - started) / 1000;
    expect(relayed.size).toBeGreaterThanOrEqual(20);
    expect(relayed.size).toBeLessThanOrEqual(20 + Math.ceil(20 * seconds));
    expect(relayed.size).toBeLessThan(100);
  });
});
