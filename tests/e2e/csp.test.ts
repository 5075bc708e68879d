import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, skipBrowserTests, waitForHydration } from "./browser.ts";

const DEMO_PASSWORD = "quorum-demo";

interface PageProblems {
  violations: string[];
  errors: string[];
}

/**
 * Records every Content-Security-Policy violation a page reports (the browser fires
 * `securitypolicyviolation` for each blocked script, style, font, image or connection) and
 * every console error and uncaught exception.
 */
async function watchProblems(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { violations: [], errors: [] };
  await page.exposeFunction("reportCspViolation", (violation: string) => {
    problems.violations.push(violation);
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { reportCspViolation: (text: string) => void })
        .reportCspViolation;
      void report(
        `${event.violatedDirective} blocked ${event.blockedURI} on ${location.pathname} (${event.sourceFile}:${event.lineNumber}) ${event.sample}`,
      );
    });
  });
  page.on("console", (message) => {
    // The browser asks for /favicon.ico on its own; Quorum has none, which is no page's error.
    if (message.type() === "error" && !message.location().url.endsWith("/favicon.ico")) {
      problems.errors.push(`${message.text()} (${message.location().url})`);
    }
  });
  page.on("pageerror", (error) => problems.errors.push(error.message));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.errors.push(`${response.status()} ${response.url()}`);
  });
  return problems;
}

describe.skipIf(skipBrowserTests)("the Content-Security-Policy in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let projectId: number;
  let mathItemId: number;
  let disputedItemId: number;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ QUORUM_SEED: "demo" }),
      launchBrowser(),
    ]);
    const { db } = server.context;
    const disputed = await db
      .selectFrom("items")
      .select(["id", "project_id"])
      .where("external_id", "=", "clin-0001")
      .executeTakeFirstOrThrow();
    disputedItemId = disputed.id;
    projectId = disputed.project_id;
    const withMath = await db
      .selectFrom("items")
      .select("id")
      .where("project_id", "=", projectId)
      .where((eb) => eb(eb.cast("responses", "text"), "like", "%$$%"))
      .orderBy("id")
      .executeTakeFirstOrThrow();
    mathItemId = withMath.id;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the lead's pages load, hydrate, render math and open a room without a violation", async () => {
    const { page, problems } = await openWatched("lead@demo.quorum", "/projects");
    const paths = [
      `/projects/${projectId}`,
      `/projects/${projectId}/items`,
      `/projects/${projectId}/items/${mathItemId}`,
      `/projects/${projectId}/quality`,
      `/projects/${projectId}/reviews`,
      `/projects/${projectId}/history`,
      `/projects/${projectId}/members`,
      `/projects/${projectId}/settings`,
      `/projects/${projectId}/import`,
      "/settings",
      "/settings/shortcuts",
    ];
    for (const path of paths) {
      await page.goto(`${server.url}${path}`);
      await waitForHydration(page);
      if (path.endsWith(`/items/${mathItemId}`)) await page.locator(".katex").first().waitFor();
    }
    await page.goto(`${server.url}/items/${disputedItemId}/room`);
    await page.locator(".room[data-room-loaded='true']").waitFor();
    await expect.poll(() => page.locator(".save-status").textContent()).toBe("Saved");
    expect(problems.violations).toEqual([]);
    expect(problems.errors).toEqual([]);
  });

  test("an annotator's labeling page gets its item by a POST and shows it", async () => {
    const { page, problems } = await openWatched(
      "expert1@demo.quorum",
      `/projects/${projectId}/label`,
    );
    await page.locator(".labeling").waitFor();
    expect(problems.violations).toEqual([]);
    expect(problems.errors).toEqual([]);
  });

  test("no page of Quorum can be framed", async () => {
    const { page } = await openWatched("lead@demo.quorum", "/projects");
    await page.setContent(`<iframe src="${server.url}/login" title="framed"></iframe>`);
    await expect.poll(() => page.frames()[1]?.url() ?? "").toMatch(/^chrome-error:/);
  });

  /** A signed-in page that reports its problems from the first document on. */
  async function openWatched(email: string, path: string) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const problems = await watchProblems(page);
    await page.goto(`${server.url}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname !== "/login");
    await page.goto(`${server.url}${path}`);
    await waitForHydration(page);
    return { page, problems };
  }
});
