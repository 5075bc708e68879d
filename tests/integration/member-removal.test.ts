import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import { apiClient } from "../setup/api-client.ts";
import { postPageForm, signInCookie } from "../setup/page-session.ts";
import { insertRoomItem, type RoomMember } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { closeSyncClientsAfterEach, connectSyncClient, within } from "../setup/sync-client.ts";

const { track } = closeSyncClientsAfterEach();

/** A word for each way of removing, so that each case has people of its own. */
const slug = (where: string) => where.toLowerCase().replace(/[^a-z]+/g, "-");

/**
 * Removing a member ends what they hold open in the project at once, as disabling them does.
 * Rechecks and polls are long here, so that anything closing within seconds of the removal was
 * closed by the removal itself, not by the periodic recheck.
 */
describe("removing a member", { timeout: 60_000 }, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      SYNC_ACCESS_RECHECK_SECONDS: "300",
      EVENTS_POLL_SECONDS: "300",
    });
  });
  afterAll(() => server?.stop());

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
      const email = (
        await server.context.db
          .selectFrom("users")
          .select("email")
          .where("id", "=", lead.userId)
          .executeTakeFirstOrThrow()
      ).email;
      const cookie = await signInCookie(server.url, email, "correct horse battery staple");
      const answer = await postPageForm(server.url, cookie, `/projects/${projectId}/members`, {
        intent: "remove",
        memberId: String(memberId),
      });
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain("Member removed.");
    },
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
