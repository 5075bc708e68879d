import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

let server: TestServer;
let browser: Browser;

/**
 * The room of the demo's disputed clin-0001, whose experts preferred answer A (−2, −1) and whose
 * junior preferred B (+1): beside the votes, the lead sees the majority and Dawid–Skene's answer.
 */
describe.skipIf(skipBrowserTests)("suggestions in the room", () => {
  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ QUORUM_SEED: "demo" }),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the lead sees the majority and Dawid–Skene's answer for the preference", async () => {
    const item = await server.context.db
      .selectFrom("items")
      .select("id")
      .where("external_id", "=", "clin-0001")
      .executeTakeFirstOrThrow();
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: "lead@demo.quorum", password: "quorum-demo" },
      `/items/${item.id}/room`,
    );
    const row = page.locator('[data-testid="suggestions"] tr[data-field="preference"]');
    await row.waitFor({ timeout: 15_000 });
    const cells = await row.locator("td").allTextContents();
    expect(cells[0]).toBe("A is better");
    expect(cells[1]).toMatch(/^A is better \(\d+ %\)$/);
    await page.context().close();
  });
});
