import * as encoding from "lib0/encoding";
import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { ProjectRole } from "../../db/schema.ts";
import { logIn, logOut, revokeApiToken } from "../../server/services/auth.ts";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  draftText,
  openRawSyncSocket,
  requestUpgrade,
  typeInDraft,
  waitFor,
} from "../setup/sync-client.ts";
import { insertLeadRoom, insertRoomItem, type RoomMember } from "../setup/room-item.ts";

const { track, trackRaw } = closeSyncClientsAfterEach();

/** A sync update frame carrying one draft field, as the stock client would send it. */
function updateFrame(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap("label").set("note", text);
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeUpdate(encoder, Y.encodeStateAsUpdate(doc));
  return encoding.toUint8Array(encoder);
}

describe("sync endpoint", () => {
  let server: TestServer;
  let ada: RoomMember;
  let grace: RoomMember;
  let token: string;
  let otherToken: string;

  beforeAll(async () => {
    server = await startTestServer();
    ada = await server.createUserWithToken({ email: "ada@example.com" });
    grace = await server.createUserWithToken({ email: "grace@example.com" });
    ({ token } = ada);
    ({ token: otherToken } = grace);
  });
  afterAll(() => server.stop());

  async function createItemWithMembers(members: Record<string, ProjectRole>) {
    const { docName, itemId, people } = await insertRoomItem(server, members);
    const tokens = Object.fromEntries(Object.entries(people).map(([email, p]) => [email, p.token]));
    const userIds = Object.fromEntries(
      Object.entries(people).map(([email, p]) => [email, p.userId]),
    );
    return { docName, itemId, tokens, userIds };
  }

  /** Puts the item in dispute with a label by the given member, who may then join its room. */
  async function disputeWithLabelBy(itemId: number, userId: number) {
    const { db } = server.context;
    await db
      .insertInto("annotations")
      .values({ item_id: itemId, user_id: userId, label: JSON.stringify({}) })
      .execute();
    await db.updateTable("items").set({ status: "disputed" }).where("id", "=", itemId).execute();
  }

  it("syncs a document both ways between two stock y-websocket clients", async () => {
    const docName = await insertLeadRoom(server, [ada, grace]);
    const first = track(connectSyncClient(server.url, docName, { token }));
    const second = track(connectSyncClient(server.url, docName, { token: otherToken }));
    await Promise.all([first.synced, second.synced]);

    typeInDraft(first.doc, 0, "from the first client");
    await waitFor(
      () => draftText(second.doc) === "from the first client",
      "the first client's edit to reach the second",
    );
    second.doc.getMap("label").set("verdict", "unsafe");
    await waitFor(
      () => first.doc.getMap("label").get("verdict") === "unsafe",
      "the second client's edit to reach the first",
    );

    const late = track(connectSyncClient(server.url, docName, { token }));
    await late.synced;
    expect(draftText(late.doc)).toBe("from the first client");
    expect(late.doc.getMap("label").get("verdict")).toBe("unsafe");
  });

  it("relays presence between clients", async () => {
    const docName = await insertLeadRoom(server, [ada, grace]);
    const first = track(connectSyncClient(server.url, docName, { token }));
    const second = track(connectSyncClient(server.url, docName, { token: otherToken }));
    await Promise.all([first.synced, second.synced]);
    first.provider.awareness.setLocalStateField("cursor", 7);
    await waitFor(
      () =>
        [...second.provider.awareness.getStates().values()].some(
          (state) =>
            state.cursor === 7 && (state.user as { name?: string } | undefined)?.name === "ada",
        ),
      "Ada's presence, with the name the server stamped, to reach the second client",
    );
  });

  it("echoes presence to its sender, which keeps a client alone in a room connected", async () => {
    const raw = await openRawSyncSocket(server.url, await insertLeadRoom(server, [ada]), { token });
    trackRaw(raw);
    const presence = new Awareness(new Y.Doc());
    presence.setLocalStateField("user", { name: "Ada" });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(presence, [presence.clientID]));
    raw.socket.send(encoding.toUint8Array(encoder));
    await waitFor(() => raw.received.some((frame) => frame[0] === 1), "the presence echo");
    presence.destroy();
  });

  it("refuses an upgrade without credentials with 401 before switching protocols", async () => {
    const answer = await requestUpgrade(server.url, "/sync/item:1");
    expect(answer.status).toBe(401);
    expect(answer.headers["content-type"]).toMatch(/application\/json/);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: "unauthorized", message: expect.any(String) },
    });
  });

  it("refuses a forged or revoked token with 401", async () => {
    const forged = await requestUpgrade(server.url, "/sync/item:1?token=qrm_forged");
    expect(forged.status).toBe(401);

    const revokedUser = await server.createUserWithToken({ email: "revoked@example.com" });
    const { userId, token: doomed } = revokedUser;
    const docName = await insertLeadRoom(server, [revokedUser]);
    expect((await requestUpgrade(server.url, `/sync/${docName}?token=${doomed}`)).status).toBe(101);
    const tokenRow = await server.context.db
      .selectFrom("api_tokens")
      .select("id")
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    await revokeApiToken(server.context.db, userId, tokenRow.id);
    const revoked = await requestUpgrade(server.url, `/sync/${docName}?token=${doomed}`);
    expect(revoked.status).toBe(401);
    expect(JSON.parse(revoked.body).error.code).toBe("unauthorized");
  });

  it("accepts a bearer token in the Authorization header", async () => {
    const docName = await insertLeadRoom(server, [ada]);
    const answer = await requestUpgrade(server.url, `/sync/${docName}`, {
      Authorization: `Bearer ${token}`,
    });
    expect(answer.status).toBe(101);
  });

  it("refuses every document that is not an item's or a review's room with 400", async () => {
    for (const name of [
      "item:abc",
      "item:0",
      "item:01",
      "item:99999999999",
      "review:1:2",
      "Item:1",
      "ITEM:1",
      "item:1%20",
      "scratch:notes",
      "notes",
      "project:1",
      "a%20b",
      ".hidden",
      "%E0%A4%A",
      "x".repeat(201),
    ]) {
      const answer = await requestUpgrade(server.url, `/sync/${name}?token=${token}`);
      expect(answer.status, name).toBe(400);
      expect(JSON.parse(answer.body).error.code, name).toBe("bad_request");
    }
    for (const path of ["/sync/", "/sync/item:1/nested"]) {
      expect((await requestUpgrade(server.url, `${path}?token=${token}`)).status, path).toBe(400);
    }
    const stored = await server.context.db
      .selectFrom("room_updates")
      .select("doc_name")
      .where("doc_name", "not like", "item:%")
      .where("doc_name", "not like", "review:%")
      .execute();
    expect(stored).toEqual([]);
  });

  it("refuses an item room to outsiders with 403 and an unknown item with 404", async () => {
    const { docName } = await createItemWithMembers({ "lead-403@example.com": "lead" });
    const outsider = await requestUpgrade(server.url, `/sync/${docName}?token=${token}`);
    expect(outsider.status).toBe(403);
    expect(JSON.parse(outsider.body).error.code).toBe("forbidden");

    const missing = await requestUpgrade(server.url, `/sync/item:999999?token=${token}`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe("not_found");
  });

  it("keeps an annotator who has not labelled the item out of its room", async () => {
    const { docName, itemId, tokens, userIds } = await createItemWithMembers({
      "blind@example.com": "annotator",
      "other@example.com": "annotator",
    });
    const blind = await requestUpgrade(
      server.url,
      `/sync/${docName}?token=${tokens["blind@example.com"]}`,
    );
    expect(blind.status).toBe(403);
    await disputeWithLabelBy(itemId, userIds["other@example.com"]);
    const stillBlind = await requestUpgrade(
      server.url,
      `/sync/${docName}?token=${tokens["blind@example.com"]}`,
    );
    expect(stillBlind.status).toBe(403);
  });

  it("lets project members edit an item room and drops a client's updates", async () => {
    const { docName, itemId, tokens, userIds } = await createItemWithMembers({
      "lead@example.com": "lead",
      "annotator@example.com": "annotator",
      "client@example.com": "client",
    });
    await disputeWithLabelBy(itemId, userIds["annotator@example.com"]);
    const lead = track(
      connectSyncClient(server.url, docName, { token: tokens["lead@example.com"] }),
    );
    await lead.synced;
    lead.doc.getMap("label").set("verdict", "unsafe");

    // The observer's edit made before connecting travels in its sync-step-2 reply, the one
    // made after in an update frame; the server must apply neither.
    const observerDoc = new Y.Doc();
    observerDoc.getMap("label").set("before", "observer");
    const observer = track(
      connectSyncClient(server.url, docName, {
        token: tokens["client@example.com"],
        doc: observerDoc,
      }),
    );
    await observer.synced;
    expect(observer.doc.getMap("label").get("verdict")).toBe("unsafe");
    observer.doc.getMap("label").set("after", "observer");
    observer.provider.awareness.setLocalStateField("cursor", 1);
    await waitFor(
      () =>
        [...lead.provider.awareness.getStates().values()].some(
          (state) => (state.user as { role?: string } | undefined)?.role === "client",
        ),
      "the observer's presence to reach the lead",
    );

    const annotator = track(
      connectSyncClient(server.url, docName, { token: tokens["annotator@example.com"] }),
    );
    await annotator.synced;
    expect(annotator.doc.getMap("label").toJSON()).toEqual({ verdict: "unsafe" });
    annotator.doc.getMap("label").set("severity", "major");
    await waitFor(
      () => lead.doc.getMap("label").get("severity") === "major",
      "the annotator's edit to reach the lead",
    );
    await waitFor(
      () => observer.doc.getMap("label").get("severity") === "major",
      "the annotator's edit to reach the observer",
    );
    expect(lead.doc.getMap("label").toJSON()).toEqual({ verdict: "unsafe", severity: "major" });
  });

  it("closes only the connection that sends garbage or a truncated frame", async () => {
    const docName = await insertLeadRoom(server, [ada, grace]);
    const first = track(connectSyncClient(server.url, docName, { token }));
    const second = track(connectSyncClient(server.url, docName, { token: otherToken }));
    await Promise.all([first.synced, second.synced]);
    typeInDraft(first.doc, 0, "intact");
    await waitFor(() => draftText(second.doc) === "intact", "the first edit");

    const valid = updateFrame("should never land");
    const badFrames = {
      garbage: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x42, 0x13]),
      truncated: valid.slice(0, valid.length - 4),
      "unknown sync type": new Uint8Array([0, 9, 0]),
      "trailing bytes": new Uint8Array([...updateFrame("trailing"), 0]),
    };
    for (const [kind, frame] of Object.entries(badFrames)) {
      const raw = await openRawSyncSocket(server.url, docName, { token });
      trackRaw(raw);
      raw.socket.send(frame);
      const { code } = await raw.closed;
      expect(code, kind).toBe(SyncCloseCode.malformedMessage);
    }
    const textFrame = await openRawSyncSocket(server.url, docName, { token });
    trackRaw(textFrame);
    textFrame.socket.send("hello");
    expect((await textFrame.closed).code).toBe(SyncCloseCode.malformedMessage);

    typeInDraft(second.doc, 6, " and still syncing");
    await waitFor(
      () => draftText(first.doc) === "intact and still syncing",
      "the good clients to keep syncing",
    );
    const late = track(connectSyncClient(server.url, docName, { token }));
    await late.synced;
    expect(draftText(late.doc)).toBe("intact and still syncing");
  });

  describe("with the session cookie", () => {
    let cookie: string;
    let sessionToken: string;
    let docName: string;

    beforeAll(async () => {
      const browserUser = await server.createUserWithToken({ email: "browser@example.com" });
      docName = await insertLeadRoom(server, [browserUser, ada]);
      ({ sessionToken } = await logIn(
        server.context.db,
        {
          email: "browser@example.com",
          password: "correct horse battery staple",
          ip: null,
          userAgent: null,
        },
        { maxFailures: 10, maxFailuresPerIp: 100, sessionTtlMs: 60_000 },
      ));
      const serialized = await server.context.sessionCookie.serialize(sessionToken);
      cookie = serialized.split(";")[0];
    });

    it("syncs a stock client authenticated by the cookie from our own origin", async () => {
      const browser = track(
        connectSyncClient(server.url, docName, {
          headers: { Cookie: cookie, Origin: server.url },
        }),
      );
      const script = track(connectSyncClient(server.url, docName, { token }));
      await Promise.all([browser.synced, script.synced]);
      typeInDraft(browser.doc, 0, "typed in the browser");
      await waitFor(
        () => draftText(script.doc) === "typed in the browser",
        "the browser's edit to reach the script",
      );
    });

    it("refuses a cookie upgrade from another origin or without one with 403", async () => {
      const crossSite = await requestUpgrade(server.url, `/sync/${docName}`, {
        Cookie: cookie,
        Origin: "https://evil.example",
      });
      expect(crossSite.status).toBe(403);
      expect(JSON.parse(crossSite.body).error.code).toBe("forbidden");
      const noOrigin = await requestUpgrade(server.url, `/sync/${docName}`, { Cookie: cookie });
      expect(noOrigin.status).toBe(403);
      const sameOrigin = await requestUpgrade(server.url, `/sync/${docName}`, {
        Cookie: cookie,
        Origin: server.url,
      });
      expect(sameOrigin.status).toBe(101);
    });

    it("refuses the cookie of a session that has logged out with 401", async () => {
      await logOut(server.context.db, sessionToken);
      const answer = await requestUpgrade(server.url, `/sync/${docName}`, {
        Cookie: cookie,
        Origin: server.url,
      });
      expect(answer.status).toBe(401);
    });
  });
});

describe("sync endpoint limits and shutdown", () => {
  let server: TestServer;
  let token: string;
  let docName: string;

  beforeAll(async () => {
    server = await startTestServer({ SYNC_MAX_PAYLOAD_BYTES: "1024" });
    const ada = await server.createUserWithToken({ email: "ada@example.com" });
    ({ token } = ada);
    docName = await insertLeadRoom(server, [ada]);
  });
  afterAll(() => server.stop());

  it("closes a connection that sends a frame over maxPayload with 1009 and keeps serving", async () => {
    const first = track(connectSyncClient(server.url, docName, { token }));
    const second = track(connectSyncClient(server.url, docName, { token }));
    await Promise.all([first.synced, second.synced]);

    const raw = await openRawSyncSocket(server.url, docName, { token });
    trackRaw(raw);
    raw.socket.send(updateFrame("x".repeat(2048)));
    expect((await raw.closed).code).toBe(SyncCloseCode.messageTooBig);

    typeInDraft(first.doc, 0, "small edits still sync");
    await waitFor(
      () => draftText(second.doc) === "small edits still sync",
      "a small edit to sync after the oversized frame",
    );
    expect(JSON.stringify(second.doc.getMap("label").toJSON())).not.toContain("xxx");
  });

  it("closes open connections with 1001 when the server shuts down", async () => {
    const raw = await openRawSyncSocket(server.url, docName, { token });
    trackRaw(raw);
    await server.close();
    expect((await raw.closed).code).toBe(SyncCloseCode.goingAway);
  });
});
