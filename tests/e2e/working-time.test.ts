import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { itemRoomName, reviewRoomName } from "../../app/domain/room.ts";
import { prepareItemRoom } from "../../server/services/room.ts";
import {
  createCast,
  createProject,
  disputedItem,
  responses,
  type Cast,
  type Person,
} from "../setup/adjudication.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { connectSyncClient, waitFor, within } from "../setup/sync-client.ts";
import { launchBrowser, logInThroughForm, skipBrowserTests, waitForHydration } from "./browser.ts";

const PASSWORD = "correct horse battery staple";

describe.skipIf(skipBrowserTests)("the pages tell the server when someone works", () => {
  let server: TestServer;
  let browser: Browser;
  let cast: Cast;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    cast = await createCast(server);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    context = await browser.newContext({ baseURL: server.url });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  async function signIn(person: Person) {
    await page.goto("/login");
    await logInThroughForm(page, person.email, PASSWORD);
  }

  function heartbeatTo(path: string) {
    return page.waitForResponse(
      (response) =>
        response.request().method() === "POST" && new URL(response.url()).pathname === path,
    );
  }

  async function roomTime(docName: string, userId: number) {
    return server.context.db
      .selectFrom("room_time")
      .select(["active_ms", "last_active_at"])
      .where("doc_name", "=", docName)
      .where("user_id", "=", userId)
      .executeTakeFirst();
  }

  test("the labeling page sends heartbeats while the annotator only reads", async () => {
    const projectId = await createProject(cast, { overlap: 1 });
    const imported = await cast.lead.api.post(`/projects/${projectId}/items`, [
      { externalId: "reading", prompt: "Warfarin with an antibiotic?", responses },
    ]);
    expect(imported.status).toBeLessThan(300);
    const [expert] = cast.experts;
    const next = await expert.api.get<{ assignment: { itemId: number } }>(
      `/queue/next?project=${projectId}`,
    );
    const { itemId } = next.body.assignment;

    await signIn(expert);
    const heartbeat = heartbeatTo(`/api/v1/items/${itemId}/heartbeat`);
    await page.goto(`/projects/${projectId}/label`);
    await waitForHydration(page);
    expect((await heartbeat).status()).toBe(204);
    await page.mouse.move(200, 300);
    await page.mouse.wheel(0, 400);

    const assignment = await server.context.db
      .selectFrom("assignments")
      .select(["last_active_at", "reserved_at"])
      .where("item_id", "=", itemId)
      .where("user_id", "=", expert.id)
      .executeTakeFirstOrThrow();
    expect(assignment.last_active_at!.getTime()).toBeGreaterThan(assignment.reserved_at.getTime());
    // Nothing was typed: no draft save, the heartbeat alone recorded the reading.
    const drafts = await server.context.db
      .selectFrom("drafts")
      .select("item_id")
      .where("item_id", "=", itemId)
      .execute();
    expect(drafts).toEqual([]);
  });

  test("the room page changes its presence while the member is at it", async () => {
    const { itemId } = await disputedItem(cast);
    await prepareItemRoom(server.context, itemId);
    const watcher = connectSyncClient(server.url, itemRoomName(itemId), {
      token: cast.admin.token,
    });
    try {
      await within(watcher.synced, "the watcher to sync");
      await signIn(cast.lead);
      await page.goto(`/items/${itemId}/room`);
      await waitForHydration(page);
      const leadActivity = () =>
        [...watcher.provider.awareness.getStates().values()].find(
          (state) => (state.user as { id?: number } | undefined)?.id === cast.lead.id,
        )?.activity;
      await waitFor(() => typeof leadActivity() === "number", "the lead's activity signal");
      await page.close();
      await waitFor(
        async () => (await roomTime(itemRoomName(itemId), cast.lead.id)) !== undefined,
        "the lead's time in the room to be stored",
      );
    } finally {
      watcher.destroy();
    }
  });

  test("the review page sends heartbeats for the review's time", async () => {
    const projectId = await createProject(cast, { overlap: 1 }, { withJunior: true });
    await cast.lead.api.post(`/projects/${projectId}/items`, [
      { externalId: "to-review", prompt: "Warfarin with an antibiotic?", responses },
    ]);
    const next = await cast.junior.api.get<{ assignment: { itemId: number } }>(
      `/queue/next?project=${projectId}`,
    );
    const submitted = await cast.junior.api.post<{ annotation: { id: number } }>(
      `/items/${next.body.assignment.itemId}/annotations`,
      { label: { preference: 1, accuracy: 4 } },
    );
    const annotationId = submitted.body.annotation.id;
    const review = await server.context.db
      .selectFrom("reviews")
      .select("id")
      .where("annotation_id", "=", annotationId)
      .executeTakeFirstOrThrow();

    await signIn(cast.lead);
    const heartbeat = heartbeatTo(`/api/v1/reviews/${review.id}/heartbeat`);
    await page.goto(`/projects/${projectId}/reviews/${review.id}`);
    await waitForHydration(page);
    expect((await heartbeat).status()).toBe(204);
    expect(await roomTime(reviewRoomName(annotationId), cast.lead.id)).toBeDefined();
  });
});
