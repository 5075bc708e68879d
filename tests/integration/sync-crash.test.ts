import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { createUser } from "../../server/services/users.ts";
import { createTestDatabase, type TestDatabase } from "../setup/database.ts";
import {
  killQuorumProcess,
  startQuorumProcess,
  type QuorumProcess,
} from "../setup/quorum-process.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  draftText,
  typeInDraft,
  waitFor,
  type SyncClient,
} from "../setup/sync-client.ts";

/**
 * Kills the server the moment the reader has received more than `length` characters, from
 * within the update handler, so that the update it has just received is the freshest there is.
 * Resolves with the text the reader had then.
 */
function killWhenReceived(
  reader: SyncClient,
  server: QuorumProcess,
  length: number,
): Promise<string> {
  return new Promise((resolve) => {
    const onUpdate = () => {
      const text = draftText(reader.doc);
      if (text.length <= length) return;
      server.child.kill("SIGKILL");
      reader.doc.off("update", onUpdate);
      resolve(text);
    };
    reader.doc.on("update", onUpdate);
  });
}

/**
 * Types a numbered token at the end of the document every few milliseconds, as fast as a
 * server may relay it, until stopped. The text is then always a prefix of "0;1;2;…".
 */
function keepTyping(client: SyncClient): { stop(): void } {
  let next = 0;
  const timer = setInterval(() => {
    typeInDraft(client.doc, draftText(client.doc).length, `${next};`);
    next += 1;
  }, 2);
  return { stop: () => clearInterval(timer) };
}

const { track } = closeSyncClientsAfterEach();
const processes: QuorumProcess[] = [];
afterEach(async () => {
  await Promise.all(processes.splice(0).map(killQuorumProcess));
});

let database: TestDatabase;
let environment: Record<string, string>;
let token: string;
/** Item rooms the typist edits as the lead of their project, one per test. */
let rooms: string[];

beforeAll(async () => {
  database = await createTestDatabase();
  environment = {
    PORT: "0",
    HOST: "127.0.0.1",
    QUORUM_DATA_DIR: database.dataDir,
    QUORUM_SEED: "none",
    SESSION_SECRET: "test-secret-test-secret-test-secret-0123",
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
  };
  // PGlite is one process's: the token is made before any server opens the data directory.
  const handle = await openDatabase({
    databaseUrl: database.databaseUrl,
    pgliteDataDir: path.join(database.dataDir, "pgdata"),
  });
  await migrateToLatest(handle.db);
  const user = await createUser(handle.db, {
    email: "typist@example.com",
    name: "Typist",
    password: "correct horse battery staple",
  });
  ({ token } = await createApiToken(handle.db, user.id, "crash test"));
  const project = await handle.db
    .insertInto("projects")
    .values({
      name: "Crash",
      template: JSON.stringify({ fields: [{ id: "body", type: "text", label: "Body" }] }),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await handle.db
    .insertInto("project_members")
    .values({ project_id: project.id, user_id: user.id, role: "lead" })
    .execute();
  const items = await handle.db
    .insertInto("items")
    .values(
      ["crash", "two-instances"].map((externalId) => ({
        project_id: project.id,
        external_id: externalId,
        prompt: JSON.stringify("Type"),
        responses: JSON.stringify([{ id: "a", text: "…" }]),
        content_hash: externalId,
      })),
    )
    .returning("id")
    .execute();
  rooms = items.map((item) => `item:${item.id}`);
  await handle.close();
});

afterAll(async () => {
  await database?.drop();
});

async function launch(extra: Record<string, string> = {}): Promise<QuorumProcess> {
  const quorum = await startQuorumProcess({ ...environment, ...extra });
  processes.push(quorum);
  return quorum;
}

describe("a server killed mid-edit", () => {
  it("keeps every edit another client had received, after SIGKILL and a restart", async () => {
    const docName = rooms[0];
    const first = await launch();
    const writer = track(connectSyncClient(first.url, docName, { token }));
    const reader = track(connectSyncClient(first.url, docName, { token }));
    await Promise.all([writer.synced, reader.synced]);

    const typing = keepTyping(writer);
    const relayed = await killWhenReceived(reader, first, 600);
    typing.stop();
    // Neither client may bring its copy to the restarted server: only the database counts.
    writer.destroy();
    reader.destroy();
    await first.exited;

    const second = await launch();
    const fresh = track(connectSyncClient(second.url, docName, { token }));
    await fresh.synced;
    const recovered = draftText(fresh.doc);
    expect(recovered.length).toBeGreaterThanOrEqual(relayed.length);
    expect(recovered.startsWith(relayed)).toBe(true);
  });

  const redisUrl = process.env.REDIS_URL;
  const sharedDatabase = Boolean(process.env.DATABASE_URL);
  describe.skipIf(!redisUrl || !sharedDatabase)(
    "with two instances over Redis (needs REDIS_URL and DATABASE_URL; skipped otherwise)",
    () => {
      it("loses nothing a client of the other instance had received when one is killed", async () => {
        const docName = rooms[1];
        const [doomed, survivor] = await Promise.all([
          launch({ REDIS_URL: redisUrl ?? "" }),
          launch({ REDIS_URL: redisUrl ?? "" }),
        ]);
        const writer = track(connectSyncClient(doomed.url, docName, { token }));
        const reader = track(connectSyncClient(survivor.url, docName, { token }));
        await Promise.all([writer.synced, reader.synced]);

        const typing = keepTyping(writer);
        const relayed = await killWhenReceived(reader, doomed, 600);
        typing.stop();
        await doomed.exited;

        const fresh = track(connectSyncClient(survivor.url, docName, { token }));
        await fresh.synced;
        const recovered = draftText(fresh.doc);
        expect(recovered.startsWith(relayed)).toBe(true);

        // The writer reconnects to the survivor and brings what never reached the database.
        const written = draftText(writer.doc);
        writer.provider.destroy();
        const reconnected = track(
          connectSyncClient(survivor.url, docName, { token, doc: writer.doc }),
        );
        await reconnected.synced;
        await waitFor(
          () => draftText(fresh.doc) === written,
          "the writer's unsaved typing to reach the survivor",
        );
        expect(draftText(reader.doc)).toBe(written);
      });
    },
  );
});
