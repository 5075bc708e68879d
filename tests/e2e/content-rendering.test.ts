import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { plainTextNotices } from "../../app/components/markdown/content-formats.ts";
import type { User } from "../../db/schema.ts";
import { getDraft } from "../../server/services/annotate.ts";
import { createProject, setProjectMember } from "../../server/services/project-admin.ts";
import { nextAssignment } from "../../server/services/queue.ts";
import { itemContentHash } from "../../server/services/seed.ts";
import { createUser } from "../../server/services/users.ts";
import { markdownShapes } from "../fixtures/markdown-shapes.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
const shape = (prefix: string) => markdownShapes.find((each) => each.name.startsWith(prefix))!;
/** 80 KB of emphasis delimiters: over the size cap, and minutes of parsing for remark. */
const prompt = shape("emphasis delimiters, 80").source;
/** Words to mark, then 20,000 nested quotes, which overflow the parser's stack. */
const plainResponse = `Take 500 mg of warfarin daily.\n\n${shape("20,000 nested").source}`;
const markdownResponse = "Check the **INR** within three days.";

/** The longest task the page's main thread has run, in milliseconds, since it loaded. */
const longestTaskMs = (page: Page) =>
  page.evaluate(() => (window as unknown as { longestTaskMs: number }).longestTaskMs);

describe.skipIf(skipBrowserTests)("item content too complex to format, in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let expert: User;
  let projectId: number;
  let itemId: number;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const { db } = server.context;
    const admin = await createUser(db, {
      email: "admin@content.test",
      name: "Admin",
      password: PASSWORD,
      isAdmin: true,
    });
    expert = await createUser(db, {
      email: "expert@content.test",
      name: "Dr Expert",
      password: PASSWORD,
      level: "expert",
      domains: ["medical"],
    });
    const project = await createProject(db, admin, {
      name: "Anticoagulation",
      domain: "medical",
      template: {
        fields: [{ id: "errors", type: "spans", label: "Errors", categories: ["dosing error"] }],
      },
      overlap: 1,
      settings: { goldRate: 0 },
    });
    projectId = project.id;
    await setProjectMember(db, admin, projectId, { email: expert.email, role: "annotator" });
    const responses = [
      { id: "a", text: plainResponse },
      { id: "b", text: markdownResponse },
    ];
    ({ id: itemId } = await db
      .insertInto("items")
      .values({
        project_id: projectId,
        external_id: "pathological",
        prompt: JSON.stringify(prompt),
        responses: JSON.stringify(responses),
        domain: "medical",
        content_hash: itemContentHash(prompt, responses),
      })
      .returning("id")
      .executeTakeFirstOrThrow());
    expect((await nextAssignment(db, expert, projectId))?.itemId).toBe(itemId);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the labeling page is usable at once: plain text shown, spans marked on it, no frozen tab", async () => {
    const errors: string[] = [];
    const started = Date.now();
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: expert.email, password: PASSWORD },
      `/projects/${projectId}/label`,
      async (context) => {
        await context.addInitScript(() => {
          const record = window as unknown as { longestTaskMs: number };
          record.longestTaskMs = 0;
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) {
              record.longestTaskMs = Math.max(record.longestTaskMs, entry.duration);
            }
          }).observe({ type: "longtask", buffered: true });
        });
        // Hydration failures are reported as errors on the page (React's onRecoverableError).
        context.on("weberror", (error) => errors.push(String(error.error())));
      },
    );
    const reader = (id: string) => page.locator(`[data-reader="${id}"]`);

    // Signed in, on the page and hydrated within seconds, on a busy machine; the tab never froze.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await longestTaskMs(page)).toBeLessThan(1_000);
    await expect(reader("a").locator(".md-plain-notice").textContent()).resolves.toBe(
      plainTextNotices["too-complex"],
    );
    await expect(page.locator(".prompt .md-plain-notice").textContent()).resolves.toMatch(
      /^Shown as plain text: too large to format\.$/,
    );
    await expect(reader("a").locator(".md-plain-text").textContent()).resolves.toBe(plainResponse);
    await expect(reader("b").locator("strong").textContent()).resolves.toBe("INR");

    // Mark "500" in the plain response with the keyboard, as on any response.
    await page.keyboard.press("a");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Shift+ArrowLeft");
    await expect(page.evaluate(() => window.getSelection()?.toString())).resolves.toBe("500");
    await page.keyboard.press("1");
    const mark = reader("a").locator("mark.md-highlight");
    await expect(mark.textContent()).resolves.toBe("500");
    await expect(mark.getAttribute("data-source-start")).resolves.toBe("5");
    await expect(mark.getAttribute("data-source-end")).resolves.toBe("8");

    // And "INR" in the formatted one: React takes over the server's HTML in place.
    await page.keyboard.press("b");
    for (let word = 0; word < 3; word++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Shift+ArrowLeft");
    await expect(page.evaluate(() => window.getSelection()?.toString())).resolves.toBe("INR");
    await page.keyboard.press("1");
    await expect(reader("b").locator("strong mark.md-highlight").textContent()).resolves.toBe(
      "INR",
    );
    await expect(reader("b").locator("strong").count()).resolves.toBe(1);
    expect(
      await page.evaluate(() => document.activeElement?.getAttribute("data-reader") ?? null),
    ).toBe("b");

    await expect
      .poll(async () => (await getDraft(server.context.db, expert.id, itemId))?.label, {
        timeout: 10_000,
      })
      .toMatchObject({
        errors: [
          { responseId: "a", start: 5, end: 8 },
          { responseId: "b", start: 12, end: 15 },
        ],
      });
    expect(await longestTaskMs(page)).toBeLessThan(1_000);
    expect(errors).toEqual([]);
  });
});
