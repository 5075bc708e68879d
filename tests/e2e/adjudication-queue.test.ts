import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { itemRoomName } from "../../app/domain/room.ts";
import { createCast, disputedItem, type Cast } from "../setup/adjudication.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { connectSyncClient, within, type SyncClient } from "../setup/sync-client.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

/**
 * A lead's overview lists the items waiting for adjudication with who is in each room, so the
 * lead can join the panel member already there.
 */
describe.skipIf(skipBrowserTests)("the adjudication queue in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let cast: Cast;
  let expert: SyncClient | undefined;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    cast = await createCast(server);
  });

  afterAll(async () => {
    expert?.destroy();
    await browser?.close();
    await server?.stop();
  });

  test("a lead sees a panel member in an item's room and joins them there", async () => {
    const { projectId, itemId } = await disputedItem(cast);
    expert = connectSyncClient(server.url, itemRoomName(itemId), {
      token: cast.experts[0].token,
    });
    await within(expert.synced, "the expert to join the room");

    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: cast.lead.email, password: "correct horse battery staple" },
      `/projects/${projectId}`,
    );
    const queue = page.getByTestId("adjudication-queue");
    await queue.getByRole("heading", { name: /Adjudication queue/ }).waitFor();
    const entry = queue.locator(`[data-item-id="${itemId}"]`);
    await expect(entry.locator(".status-badge").textContent()).resolves.toBe("Adjudicating");
    await expect(entry.getByTestId("in-room").textContent()).resolves.toContain("expert1");
    await expect(entry.textContent()).resolves.toMatch(/waiting under a minute/);
    // Every entry reads the same way: the fields in dispute, then on a line below them who is in
    // the room, with the way in at the right edge.
    const [rowBox, fieldsBox, linkBox] = await Promise.all([
      entry.boundingBox(),
      entry.getByRole("group", { name: "Fields in dispute" }).boundingBox(),
      entry.getByRole("link", { name: "Join the room" }).boundingBox(),
    ]);
    expect(linkBox!.y).toBeGreaterThanOrEqual(fieldsBox!.y + fieldsBox!.height);
    expect(Math.abs(linkBox!.x + linkBox!.width - (rowBox!.x + rowBox!.width))).toBeLessThan(2);

    await entry.getByRole("link", { name: "Join the room" }).click();
    await page.locator(".room[data-room-loaded='true']").waitFor();
    await page.locator('.presence [data-presence-name="expert1"]').waitFor();
    await page.context().close();
  });
});
