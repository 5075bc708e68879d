import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn, logOut, revokeApiToken } from "../../server/services/auth.ts";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  draftText,
  requestUpgrade,
  typeInDraft,
  waitFor,
  within,
} from "../setup/sync-client.ts";
import { insertLeadRoom, insertRoomItem } from "../setup/room-item.ts";

const { track } = closeSyncClientsAfterEach();

/**
 * Access is decided at the upgrade; these check that an open connection does not outlive it.
 * The server rechecks every 0.2 s here (30 s by default), so each refusal comes within seconds.
 */
describe("sync access of open connections", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SYNC_ACCESS_RECHECK_SECONDS: "0.2" });
  });
  afterAll(() => server.stop());

  it("closes a connection whose API token is revoked with 4401, and no other", async () => {
    const { docName, people } = await insertRoomItem(server, {
      "revoked-lead@example.com": "lead",
      "kept-lead@example.com": "lead",
    });
    const doomed = track(
      connectSyncClient(server.url, docName, { token: people["revoked-lead@example.com"].token }),
    );
    const kept = track(
      connectSyncClient(server.url, docName, { token: people["kept-lead@example.com"].token }),
    );
    await Promise.all([doomed.synced, kept.synced]);
    const { userId } = people["revoked-lead@example.com"];
    const tokenRow = await server.context.db
      .selectFrom("api_tokens")
      .select("id")
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    await revokeApiToken(server.context.db, userId, tokenRow.id);

    const refusal = await within(doomed.refused, "the revoked token's connection to close");
    expect(refusal.code).toBe(SyncCloseCode.accessRevoked);
    expect(refusal.reason).toMatch(/sign in again/);
    // Several rechecks later the other lead is still connected and still syncing.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(kept.provider.wsconnected).toBe(true);
    typeInDraft(kept.doc, 0, "still here");
    const witness = track(
      connectSyncClient(server.url, docName, { token: people["kept-lead@example.com"].token }),
    );
    await witness.synced;
    await waitFor(
      () => draftText(witness.doc) === "still here",
      "the kept lead's edit to reach another client",
    );
  });

  it("closes a connection whose session logs out", async () => {
    const sessionUser = await server.createUserWithToken({ email: "session@example.com" });
    const docName = await insertLeadRoom(server, [sessionUser]);
    const { sessionToken } = await logIn(
      server.context.db,
      {
        email: "session@example.com",
        password: "correct horse battery staple",
        ip: null,
        userAgent: null,
      },
      { maxFailures: 10, maxFailuresPerIp: 100, sessionTtlMs: 60_000 },
    );
    const cookie = (await server.context.sessionCookie.serialize(sessionToken)).split(";")[0];
    const browser = track(
      connectSyncClient(server.url, docName, {
        headers: { Cookie: cookie, Origin: server.url },
      }),
    );
    await browser.synced;
    await logOut(server.context.db, sessionToken);
    const refusal = await within(browser.refused, "the logged-out session's connection to close");
    expect(refusal.code).toBe(SyncCloseCode.accessRevoked);
  });

  it("closes the connection of a member removed from the project, and not an admin's", async () => {
    const { projectId, docName, people } = await insertRoomItem(server, {
      "leaving@example.com": "client",
    });
    const { token: adminToken } = await server.createUserWithToken({
      email: "watching-admin@example.com",
      isAdmin: true,
    });
    const leaving = track(
      connectSyncClient(server.url, docName, { token: people["leaving@example.com"].token }),
    );
    const admin = track(connectSyncClient(server.url, docName, { token: adminToken }));
    await Promise.all([leaving.synced, admin.synced]);
    await server.context.db
      .deleteFrom("project_members")
      .where("project_id", "=", projectId)
      .where("user_id", "=", people["leaving@example.com"].userId)
      .execute();

    const refusal = await within(leaving.refused, "the former member's connection to close");
    expect(refusal).toEqual({
      code: SyncCloseCode.accessRevoked,
      reason: "You are no longer a member of this project",
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(admin.provider.wsconnected).toBe(true);
  });

  it("refuses a removed annotator their review room, at the upgrade and once connected", async () => {
    const { projectId, itemId, people } = await insertRoomItem(
      server,
      { "reviewing-lead@example.com": "lead", "removed-junior@example.com": "annotator" },
      { status: "annotating" },
    );
    const junior = people["removed-junior@example.com"];
    const annotation = await server.context.db
      .insertInto("annotations")
      .values({ item_id: itemId, user_id: junior.userId, label: JSON.stringify({}) })
      .returning("id")
      .executeTakeFirstOrThrow();
    const docName = `review:${annotation.id}`;
    const connected = track(connectSyncClient(server.url, docName, { token: junior.token }));
    await connected.synced;
    await server.context.db
      .deleteFrom("project_members")
      .where("project_id", "=", projectId)
      .where("user_id", "=", junior.userId)
      .execute();

    const refusal = await within(connected.refused, "the removed author's connection to close");
    expect(refusal.code).toBe(SyncCloseCode.accessRevoked);
    const again = await requestUpgrade(server.url, `/sync/${docName}?token=${junior.token}`);
    expect(again.status).toBe(403);
    expect(JSON.parse(again.body).error.code).toBe("forbidden");
    const lead = await requestUpgrade(
      server.url,
      `/sync/${docName}?token=${people["reviewing-lead@example.com"].token}`,
    );
    expect(lead.status).toBe(101);
  });
});
