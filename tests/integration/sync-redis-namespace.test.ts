import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { channelNamespace } from "../../server/sync/fan-out.ts";
import { loadStoredRoom } from "../../server/sync/persistence.ts";
import { insertRoomItem } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { closeSyncClientsAfterEach, connectSyncClient, waitFor } from "../setup/sync-client.ts";

const redisUrl = process.env.REDIS_URL;
const postgres = Boolean(process.env.DATABASE_URL);

const { track } = closeSyncClientsAfterEach();

/** How long a message that should never come is waited for, after one that should has come. */
const silenceMs = 500;

/**
 * Two deployments, each on a database of its own, share one Redis; each has an item room named
 * `item:1`. On PostgreSQL the first deployment runs two instances, which must still hear each
 * other. (Instances of one deployment share a database only on PostgreSQL.)
 */
describe.skipIf(!redisUrl)("deployments sharing one Redis (needs REDIS_URL)", () => {
  const settings = { REDIS_URL: redisUrl ?? "" };
  let first: TestServer;
  let firstAgain: TestServer | null = null;
  let second: TestServer;
  let firstLead: string;
  let secondLead: string;
  let docName: string;
  let monitor: Redis;
  const channels = new Set<string>();

  beforeAll(async () => {
    first = await startTestServer(settings);
    second = await startTestServer(settings);
    if (postgres) {
      firstAgain = await startTestServer({
        ...settings,
        DATABASE_URL: first.context.config.databaseUrl ?? "",
      });
    }
    const firstRoom = await insertRoomItem(first, { "lead@first.test": "lead" });
    const secondRoom = await insertRoomItem(second, { "lead@second.test": "lead" });
    expect(firstRoom.docName).toBe("item:1");
    expect(secondRoom.docName).toBe("item:1");
    docName = firstRoom.docName;
    firstLead = firstRoom.people["lead@first.test"].token;
    secondLead = secondRoom.people["lead@second.test"].token;

    monitor = new Redis(redisUrl ?? "");
    monitor.on("pmessage", (_pattern: string, channel: string) => channels.add(channel));
    await monitor.psubscribe("quorum:*");
  });

  afterAll(async () => {
    monitor?.disconnect();
    await firstAgain?.stop();
    await second?.stop();
    await first?.stop();
  });

  it("derives one namespace per deployment, the same for all its instances and restarts", async () => {
    const ofFirst = await channelNamespace(first.context.db, undefined);
    const ofSecond = await channelNamespace(second.context.db, undefined);
    expect(ofFirst).toMatch(/^[0-9a-f]{16}$/);
    expect(ofSecond).not.toBe(ofFirst);
    expect(await channelNamespace(first.context.db, undefined)).toBe(ofFirst);
    if (firstAgain) expect(await channelNamespace(firstAgain.context.db, undefined)).toBe(ofFirst);
    expect(await channelNamespace(first.context.db, "configured")).toBe("configured");
  });

  it("never shows one deployment's edits or presence in the other's room of the same name", async () => {
    const onFirst = track(connectSyncClient(first.url, docName, { token: firstLead }));
    const onSecond = track(connectSyncClient(second.url, docName, { token: secondLead }));
    const onFirstAgain = firstAgain
      ? track(connectSyncClient(firstAgain.url, docName, { token: firstLead }))
      : null;
    await Promise.all([onFirst.synced, onSecond.synced, onFirstAgain?.synced]);

    onFirst.doc.getMap("label").set("verdict", "from the first deployment");
    onSecond.doc.getMap("label").set("note", "from the second deployment");
    onFirst.provider.awareness.setLocalStateField("cursor", 1);
    onSecond.provider.awareness.setLocalStateField("cursor", 2);

    const stored = async (server: TestServer) => {
      const doc = new Y.Doc();
      for (const update of (await loadStoredRoom(server.context.db, docName)).updates) {
        Y.applyUpdate(doc, update);
      }
      return doc.getMap("label").toJSON();
    };
    await waitFor(
      async () =>
        (await stored(first)).verdict !== undefined && (await stored(second)).note !== undefined,
      "both edits to be stored",
    );
    if (onFirstAgain) {
      // The first deployment's instances still hear each other, edits and presence alike.
      await waitFor(
        () =>
          onFirstAgain.doc.getMap("label").get("verdict") === "from the first deployment" &&
          onFirstAgain.provider.awareness.getStates().get(onFirst.doc.clientID)?.cursor === 1,
        "the first deployment's other instance to hear its edit and presence",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, silenceMs));

    expect(onSecond.doc.getMap("label").toJSON()).toEqual({ note: "from the second deployment" });
    expect(onFirst.doc.getMap("label").toJSON()).toEqual({ verdict: "from the first deployment" });
    expect(await stored(second)).toEqual({ note: "from the second deployment" });
    expect(await stored(first)).toEqual({ verdict: "from the first deployment" });
    expect(onSecond.provider.awareness.getStates().has(onFirst.doc.clientID)).toBe(false);
    expect(onFirst.provider.awareness.getStates().has(onSecond.doc.clientID)).toBe(false);

    const roomChannels = [...channels].filter((channel) => channel.endsWith(`:room:${docName}`));
    expect(roomChannels).toEqual(
      expect.arrayContaining([
        `quorum:${await channelNamespace(first.context.db, undefined)}:room:${docName}`,
        `quorum:${await channelNamespace(second.context.db, undefined)}:room:${docName}`,
      ]),
    );
  });
});
