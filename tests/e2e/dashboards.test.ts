import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createCast,
  createProject,
  responses,
  type Cast,
  type Person,
} from "../setup/adjudication.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";

describe.skipIf(skipBrowserTests)("the overview's live dashboard", () => {
  let server: TestServer;
  let browser: Browser;
  let cast: Cast;

  beforeAll(async () => {
    // Streams read the progress every 200 ms, so a change reaches the page quickly.
    [server, browser] = await Promise.all([
      startTestServer({ EVENTS_POLL_SECONDS: "0.2" }),
      launchBrowser(),
    ]);
    cast = await createCast(server);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function labelNext(person: Person, projectId: number) {
    const next = await person.api.get<{ assignment: { itemId: number } | null }>(
      `/queue/next?project=${projectId}`,
    );
    expect(next.body.assignment, person.email).not.toBeNull();
    const submitted = await person.api.post(`/items/${next.body.assignment!.itemId}/annotations`, {
      label: { preference: 1, accuracy: 4 },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  }

  const todaysRow = (page: Page) =>
    page.locator(
      `[data-table="throughput"] tr[data-day="${new Date().toISOString().slice(0, 10)}"]`,
    );

  test("draws the daily chart, offers it as a table and follows new labels without a reload", async () => {
    const projectId = await createProject(cast, { overlap: 2, settings: { goldRate: 0 } });
    const imported = await cast.lead.api.post(
      `/projects/${projectId}/items`,
      ["one", "two"].map((externalId) => ({ externalId, prompt: "Warfarin?", responses })),
    );
    expect(imported.status).toBeLessThan(300);
    await labelNext(cast.experts[0], projectId);
    await labelNext(cast.experts[1], projectId);

    const problems: string[] = [];
    let streamOpened!: () => void;
    const streaming = new Promise<void>((resolve) => (streamOpened = resolve));
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: cast.lead.email, password: PASSWORD },
      `/projects/${projectId}`,
      async (context) => {
        context.on("page", (opened) => {
          opened.on("pageerror", (error) => problems.push(error.message));
          opened.on("console", (message) => {
            if (message.type() === "error") problems.push(message.text());
          });
        });
        context.on("response", (response) => {
          if (new URL(response.url()).pathname === `/api/v1/projects/${projectId}/events`) {
            streamOpened();
          }
        });
      },
    );

    const chart = page.getByRole("img", { name: /^Labels submitted and versions published/ });
    await chart.locator("canvas").waitFor();
    expect(await chart.getAttribute("aria-label")).toContain("2 labels and 0 published in all");

    await page.getByText("Show as table").click();
    const rows = page.locator('[data-table="throughput"] tbody tr');
    expect(await rows.count()).toBe(30);
    await todaysRow(page).waitFor();
    expect(await todaysRow(page).locator("td").allTextContents()).toEqual(["2", "0"]);
    expect(await page.locator('[data-figure="eta"]').textContent()).toMatch(
      /^2 labels still needed at 0\.3 a day/,
    );

    // The page stays the same document: a reload would lose this mark.
    await page.evaluate(() => Object.assign(window, { dashboardMark: true }));
    // The stream's first event is the state the page was loaded with; wait for it to be open.
    await streaming;
    await labelNext(cast.experts[2], projectId);
    await expect
      .poll(() => todaysRow(page).locator("td").first().textContent(), { timeout: 10_000 })
      .toBe("3");
    expect(await page.locator('[data-figure="eta"]').textContent()).toMatch(
      /^1 label still needed at 0\.4 a day/,
    );
    expect(await chart.getAttribute("aria-label")).toContain("3 labels and 0 published in all");
    expect(await chart.locator("canvas").count()).toBe(1);
    expect(await page.evaluate(() => "dashboardMark" in window)).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  test("draws quality over time, offers it as a table and follows new labels without a reload", async () => {
    const projectId = await createProject(cast, { overlap: 2, settings: { goldRate: 0 } });
    const imported = await cast.lead.api.post(
      `/projects/${projectId}/items`,
      ["one", "two"].map((externalId) => ({ externalId, prompt: "Warfarin?", responses })),
    );
    expect(imported.status).toBeLessThan(300);
    // Two agreeing labels settle the first item: a final label each answer is judged against.
    await labelNext(cast.experts[0], projectId);
    await labelNext(cast.experts[1], projectId);

    let streamOpened!: () => void;
    const streaming = new Promise<void>((resolve) => (streamOpened = resolve));
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: cast.client.email, password: PASSWORD },
      `/projects/${projectId}`,
      async (context) => {
        context.on("response", (response) => {
          if (new URL(response.url()).pathname === `/api/v1/projects/${projectId}/events`) {
            streamOpened();
          }
        });
      },
    );

    const chart = page.getByRole("img", {
      name: /^Agreement and accuracy against the final label/,
    });
    await chart.locator("canvas").waitFor();
    expect(await chart.getAttribute("aria-label")).toContain("1 items");

    await page.getByText("Show quality as table").click();
    const table = page.locator('[data-table="quality-over-time"]');
    expect(await table.locator("tbody tr").count()).toBe(30);
    const today = table.locator(`tr[data-day="${new Date().toISOString().slice(0, 10)}"]`);
    await today.waitFor();
    expect(await today.locator("td").first().textContent()).toBe("1");
    expect(await today.locator('[data-figure="accuracy-vs-final"]').textContent()).toBe("1.00");
    // Every value the same: alpha is undefined and says why, never NaN or "null".
    const text = (await table.textContent()) ?? "";
    expect(text).toContain("no variation");
    expect(text).not.toMatch(/NaN|null/);

    await page.evaluate(() => Object.assign(window, { dashboardMark: true }));
    await streaming;
    await labelNext(cast.experts[2], projectId);
    await expect
      .poll(() => today.locator("td").first().textContent(), { timeout: 10_000 })
      .toBe("2");
    expect(await chart.getAttribute("aria-label")).toContain("2 items");
    expect(await page.evaluate(() => "dashboardMark" in window)).toBe(true);
    await page.context().close();
  });
});
