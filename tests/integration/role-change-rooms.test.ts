import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setProjectMember } from "../../server/services/project-admin.ts";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import type { ProjectRole } from "../../db/schema.ts";
import { apiClient } from "../setup/api-client.ts";
import { postPageForm, signInCookie } from "../setup/page-session.ts";
import { insertRoomItem, type RoomMember } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import {
  closeSyncClientsAfterEach,
  connectSyncClient,
  draftText,
  typeInDraft,
  waitFor,
  within,
} from "../setup/sync-client.ts";

const { track } = closeSyncClientsAfterEach();

const roleChanged = {
  code: SyncCloseCode.accessRevoked,
  reason: "Your role in this project has changed; open the room again",
};

/** A word for each way of changing a role, so that each case has people of its own. */
const slug = (where: string) => where.toLowerCase().replace(/[^a-z]+/g, "-");

/** Resolves after `ms`, for checks that something did not happen in that time. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a room connection may write, and whether it sees names, is decided from the user's role
 * when it opens. A role changed while it is open closes it, so that it is opened again under the
 * new role. Rechecks are long here: anything closing within seconds was closed by the change.
 */
describe("a role changed while its rooms are open", { timeout: 60_000 }, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SYNC_ACCESS_RECHECK_SECONDS: "300" });
  });
  afterAll(() => server?.stop());

  /** How a lead changes a member's role: through the API, or on the project's Members page. */
  const changes: Record<
    string,
    (lead: RoomMember, projectId: number, email: string, role: ProjectRole) => Promise<void>
  > = {
    "the API": async (lead, projectId, email, role) => {
      const answer = await apiClient(server.url, lead.token).post(
        `/projects/${projectId}/members`,
        { email, role },
      );
      expect(answer.status).toBe(200);
    },
    "the Members page": async (lead, projectId, email, role) => {
      const leadEmail = (
        await server.context.db
          .selectFrom("users")
          .select("email")
          .where("id", "=", lead.userId)
          .executeTakeFirstOrThrow()
      ).email;
      const cookie = await signInCookie(server.url, leadEmail, "correct horse battery staple");
      const answer = await postPageForm(server.url, cookie, `/projects/${projectId}/members`, {
        intent: "add",
        email,
        role,
      });
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain(`is now ${role}.`);
    },
  };

  for (const [where, change] of Object.entries(changes)) {
    it(`closes a lead's room at once when ${where} makes them a client, who then only watches`, async () => {
      const keeper = `keeper-${slug(where)}@example.com`;
      const demoted = `demoted-${slug(where)}@example.com`;
      const { projectId, docName, people } = await insertRoomItem(server, {
        [keeper]: "lead",
        [demoted]: "lead",
      });
      const watcher = track(
        connectSyncClient(server.url, docName, { token: people[keeper]!.token }),
      );
      const editor = track(
        connectSyncClient(server.url, docName, { token: people[demoted]!.token }),
      );
      await Promise.all([watcher.synced, editor.synced]);
      typeInDraft(editor.doc, 0, "as a lead");
      await waitFor(() => draftText(watcher.doc) === "as a lead", "the lead's edit to arrive");

      const started = Date.now();
      await change(people[keeper]!, projectId, demoted, "client");
      expect(await within(editor.refused, "the demoted lead's room to close", 5_000)).toEqual(
        roleChanged,
      );
      expect(Date.now() - started, "closed by the change, not a periodic recheck").toBeLessThan(
        5_000,
      );

      // Opened again, the room is the client's: it shows the label, and keeps none of its edits.
      const client = track(
        connectSyncClient(server.url, docName, { token: people[demoted]!.token }),
      );
      await client.synced;
      expect(draftText(client.doc)).toBe("as a lead");
      typeInDraft(client.doc, 0, "as a client ");
      await pause(1_000);
      expect(draftText(watcher.doc)).toBe("as a lead");
    });
  }

  it("leaves rooms open when a member is given the role they already have", async () => {
    const { projectId, docName, people } = await insertRoomItem(server, {
      "same-lead@example.com": "lead",
      "same-member@example.com": "lead",
    });
    const room = track(
      connectSyncClient(server.url, docName, { token: people["same-member@example.com"]!.token }),
    );
    await room.synced;
    const answer = await apiClient(server.url, people["same-lead@example.com"]!.token).post(
      `/projects/${projectId}/members`,
      { email: "same-member@example.com", role: "lead" },
    );
    expect(answer.status).toBe(200);
    const closed = await Promise.race([room.refused, pause(1_500).then(() => null)]);
    expect(closed).toBeNull();
    expect(room.provider.wsconnected).toBe(true);
  });

  it("closes an admin's rooms at once when their admin right is taken away", async () => {
    const { docName } = await insertRoomItem(server, {});
    const remaining = await server.createUserWithToken({
      email: "remaining-admin@example.com",
      isAdmin: true,
    });
    const demoted = await server.createUserWithToken({
      email: "demoted-admin@example.com",
      isAdmin: true,
    });
    const room = track(connectSyncClient(server.url, docName, { token: demoted.token }));
    await room.synced;
    const answer = await apiClient(server.url, remaining.token).patch(`/users/${demoted.userId}`, {
      isAdmin: false,
    });
    expect(answer.status).toBe(200);
    expect(await within(room.refused, "the former admin's room to close", 5_000)).toEqual({
      code: SyncCloseCode.accessRevoked,
      reason: "You are no longer a member of this project",
    });
  });
});

describe("a role changed by another process", { timeout: 60_000 }, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SYNC_ACCESS_RECHECK_SECONDS: "1" });
  });
  afterAll(() => server?.stop());

  it("closes the rooms opened under the old role at the next recheck", async () => {
    const { projectId, docName, people } = await insertRoomItem(server, {
      "cli-lead@example.com": "lead",
      "cli-annotator@example.com": "lead",
    });
    const room = track(
      connectSyncClient(server.url, docName, { token: people["cli-annotator@example.com"]!.token }),
    );
    await room.synced;
    // As `quorum members add` would from another process: this server is not told.
    const lead = await server.context.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", people["cli-lead@example.com"]!.userId)
      .executeTakeFirstOrThrow();
    await setProjectMember(server.context.db, lead, projectId, {
      email: "cli-annotator@example.com",
      role: "annotator",
    });
    expect(await within(room.refused, "the room to close at the recheck", 5_000)).toEqual(
      roleChanged,
    );
  });
});
