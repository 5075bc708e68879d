import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import { apiClient } from "../setup/api-client.ts";
import { runQuorumCli } from "../setup/cli.ts";
import { postPageForm, signInCookie } from "../setup/page-session.ts";
import { insertRoomItem, type RoomMember } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { closeSyncClientsAfterEach, connectSyncClient, within } from "../setup/sync-client.ts";

const { track } = closeSyncClientsAfterEach();

/** A word for each way of removing, so that each case has people of its own. */
const slug = (where: string) => where.toLowerCase().replace(/[^a-z]+/g, "-");

/**
 * Removing a member ends what they hold open in the project at once, as disabling them does,
 * wherever the removal was made. Rechecks and polls are long here, so that anything closing
 * within seconds of the removal was closed by the removal itself, not by the periodic recheck.
 */
describe("removing a member", { timeout: 60_000 }, () => {
  const slowRechecks = { SYNC_ACCESS_RECHECK_SECONDS: "300", EVENTS_POLL_SECONDS: "300" };
  const databaseUrl = process.env.DATABASE_URL;
  let server: TestServer;
  /** A second instance over the same database (PostgreSQL only: PGlite is one process's). */
  let otherInstance: TestServer | undefined;

  beforeAll(async () => {
    server = await startTestServer(slowRechecks);
    if (databaseUrl) {
      otherInstance = await startTestServer({
        ...slowRechecks,
        DATABASE_URL: server.context.config.databaseUrl ?? "",
      });
    }
  });
  afterAll(async () => {
    await otherInstance?.stop();
    await server?.stop();
  });

  const emailOf = async (userId: number) =>
    (
      await server.context.db
        .selectFrom("users")
        .select("email")
        .where("id", "=", userId)
        .executeTakeFirstOrThrow()
    ).email;

  /** How a lead removes a member: through the API, or on the project's Members page. */
  const removals: Record<
    string,
    (lead: RoomMember, projectId: number, memberId: number) => Promise<void>
  > = {
    "the API": async (lead, projectId, memberId) => {
      const answer = await apiClient(server.url, lead.token).delete(
        `/projects/${projectId}/members/${memberId}`,
      );
      expect(answer.status).toBe(204);
    },
    "the Members page": async (lead, projectId, memberId) => {
      const email = await emailOf(lead.userId);
      const cookie = await signInCookie(server.url, email, "correct horse battery staple");
      const answer = await postPageForm(server.url, cookie, `/projects/${projectId}/members`, {
        intent: "remove",
        memberId: String(memberId),
      });
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain("Member removed.");
    },
    // A process of its own, which tells the server nothing: on PGlite it writes through the
    // server's socket, on PostgreSQL to the database directly.
    "the quorum CLI": async (lead, projectId, memberId) => {
      const { dataDir, databaseUrl: url } = server.context.config;
      const run = await runQuorumCli({ dataDir, databaseUrl: url, drop: async () => {} }, [
        "members",
        "remove",
        "--project",
        String(projectId),
        "--email",
        await emailOf(memberId),
        "--as",
        await emailOf(lead.userId),
      ]);
      expect(run.code, run.stderr).toBe(0);
    },
    // Nothing of Quorum's runs: on PostgreSQL another connection deletes the row, on PGlite the
    // server's own connection does, past every service.
    "a statement on the database": async (_lead, projectId, memberId) => {
      const removal = sql`delete from project_members
        where project_id = ${projectId} and user_id = ${memberId}`;
      if (!databaseUrl) {
        await removal.execute(server.context.db);
        return;
      }
      const client = new pg.Client({ connectionString: server.context.config.databaseUrl });
      await client.connect();
      try {
        const compiled = removal.compile(server.context.db);
        await client.query(compiled.sql, [...compiled.parameters]);
      } finally {
        await client.end();
      }
    },
    ...(databaseUrl
      ? {
          "another instance": async (lead: RoomMember, projectId: number, memberId: number) => {
            const answer = await apiClient(otherInstance!.url, lead.token).delete(
              `/projects/${projectId}/members/${memberId}`,
            );
            expect(answer.status).toBe(204);
          },
        }
      : {}),
  };

  for (const [where, remove] of Object.entries(removals)) {
    it(`closes their open rooms and event streams at once, through ${where}`, async () => {
      const { projectId, docName, people } = await insertRoomItem(server, {
        [`remover-${slug(where)}@example.com`]: "lead",
        [`removed-${slug(where)}@example.com`]: "lead",
      });
      const removed = people[`removed-${slug(where)}@example.com`]!;
      const room = track(connectSyncClient(server.url, docName, { token: removed.token }));
      await room.synced;
      const stream = await fetch(`${server.url}/api/v1/projects/${projectId}/events`, {
        headers: { Authorization: `Bearer ${removed.token}` },
      });
      expect(stream.status).toBe(200);
      const streamText = stream.text();

      const started = Date.now();
      await remove(people[`remover-${slug(where)}@example.com`]!, projectId, removed.userId);
      const refusal = await within(room.refused, "the removed member's room to close", 5_000);
      expect(refusal).toEqual({
        code: SyncCloseCode.accessRevoked,
        reason: "You are no longer a member of this project",
      });
      const events = await within(streamText, "the removed member's event stream to end", 5_000);
      expect(events).toMatch(/event: error\ndata: /);
      expect(Date.now() - started, "closed by the removal, not a periodic recheck").toBeLessThan(
        5_000,
      );
    });
  }
});
