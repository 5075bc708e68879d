import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemRoomName, readMeta, reviewRoomName } from "../../app/domain/room.ts";
import { logIn } from "../../server/services/auth.ts";
import {
  createCast,
  createProject,
  disputedItem,
  labelledItem,
  type Cast,
} from "../setup/adjudication.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { closeSyncClientsAfterEach, connectSyncClient, waitFor } from "../setup/sync-client.ts";

let server: TestServer;
let cast: Cast;
const clients = closeSyncClientsAfterEach();

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server?.stop());

async function sessionCookie(email: string): Promise<string> {
  const { sessionToken } = await logIn(
    server.context.db,
    { email, password: "correct horse battery staple", ip: null, userAgent: null },
    { maxFailures: 10, maxFailuresPerIp: 100, sessionTtlMs: 60_000 },
  );
  return (await server.context.sessionCookie.serialize(sessionToken)).split(";")[0];
}

async function storedRows(docName: string): Promise<number> {
  const row = await server.context.db
    .selectFrom("room_updates")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("doc_name", "=", docName)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function itemState(itemId: number) {
  return server.context.db
    .selectFrom("items")
    .select(["status", "adjudication_started_at"])
    .where("id", "=", itemId)
    .executeTakeFirstOrThrow();
}

describe("opening a room page", () => {
  it("only reads: the room is prepared when the page's client connects", async () => {
    const { itemId } = await disputedItem(cast);
    const cookie = await sessionCookie(cast.lead.email);
    // As a link followed from anywhere would open it, over and over.
    for (let visit = 0; visit < 3; visit++) {
      const page = await fetch(`${server.url}/items/${itemId}/room`, {
        headers: { Cookie: cookie },
      });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Adjudication room");
    }
    expect(await itemState(itemId)).toEqual({ status: "disputed", adjudication_started_at: null });
    expect(await storedRows(itemRoomName(itemId))).toBe(0);

    // The page's own client connects with the session cookie from our origin: now it opens.
    const browser = clients.track(
      connectSyncClient(server.url, itemRoomName(itemId), {
        headers: { Cookie: cookie, Origin: server.url },
      }),
    );
    await browser.synced;
    await waitFor(() => readMeta(browser.doc).version === 1, "the pre-filled room");
    expect((await itemState(itemId)).status).toBe("adjudicating");
    expect(await storedRows(itemRoomName(itemId))).toBeGreaterThan(0);
  });

  it("only reads for a review room too", async () => {
    const projectId = await createProject(cast, { overlap: 1 }, { withJunior: true });
    const itemId = await labelledItem(cast, projectId, [
      [cast.junior, { preference: 1, accuracy: 3 }],
    ]);
    const { id: annotationId } = await server.context.db
      .selectFrom("annotations")
      .select("id")
      .where("item_id", "=", itemId)
      .executeTakeFirstOrThrow();
    const page = await fetch(`${server.url}/reviews/${annotationId}/room`, {
      headers: { Cookie: await sessionCookie(cast.junior.email) },
    });
    expect(page.status).toBe(200);
    expect(await storedRows(reviewRoomName(annotationId))).toBe(0);
  });
});
