import { sql } from "kysely";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createCast, createProject, responses, type Cast } from "../setup/adjudication.ts";
import { holdTable } from "../setup/row-lock.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
const settled = { timeout: 10_000 };
const postgres = Boolean(process.env.DATABASE_URL);

/** What the elements say, at once: none is no text rather than a wait for one to appear. */
const textOf = async (locator: Locator) => (await locator.allTextContents()).join(" ");

/**
 * The overview's Download says in words what the export left out and why the server refused
 * one, instead of a file that is silently shorter or a page that does nothing.
 */
describe.skipIf(skipBrowserTests)("the overview's export, in Chromium", () => {
  vi.setConfig({ testTimeout: 60_000 });
  let server: TestServer;
  let browser: Browser;
  let cast: Cast;
  let projectId: number;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ EXPORT_MAX_CONCURRENT_PER_USER: "1" }),
      launchBrowser(),
    ]);
    cast = await createCast(server);
    projectId = await createProject(cast, { overlap: 2, settings: { goldRate: 0 } });
    const agreed = { preference: 1, accuracy: 4, errors: [] };
    const prompts = [
      "Warfarin with an antibiotic?",
      [
        { role: "user", content: "Warfarin with an antibiotic?" },
        { role: "tool", content: '{"interactions": ["warfarin", "ciprofloxacin"]}' },
      ],
    ];
    const imported = await cast.lead.api.post(
      `/projects/${projectId}/items`,
      prompts.map((prompt, index) => ({
        externalId: `export-${index}`,
        prompt,
        responses,
        annotations: cast.experts.slice(0, 2).map((expert) => ({
          annotator: expert.email,
          label: agreed,
        })),
      })),
    );
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Statements of this test's database waiting for a lock: the held export's, once it reads. */
  async function exportsWaitingOnLock(): Promise<number> {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock'`.execute(server.context.db);
    return rows[0]?.waiting ?? 0;
  }

  async function overview(): Promise<Page> {
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: cast.client.email, password: PASSWORD },
      `/projects/${projectId}`,
    );
    const exportCard = page.getByRole("region", { name: "Export" });
    await exportCard.getByLabel("Format").selectOption({ label: "Preference pairs for DPO" });
    return page;
  }

  test("downloads the file and says how many items it left out for their roles", async () => {
    const page = await overview();
    const exportCard = page.getByRole("region", { name: "Export" });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      exportCard.getByRole("button", { name: "Download" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/-dpo\.jsonl$/);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const lines = Buffer.concat(chunks).toString("utf8").trim().split("\n");
    expect(lines.map((line) => (JSON.parse(line) as { externalId: string }).externalId)).toEqual([
      "export-0",
    ]);
    await expect
      .poll(() => textOf(exportCard.getByRole("status")), settled)
      .toMatch(
        /1 item was left out: its conversation has roles other than system, user, assistant/,
      );
    expect(new URL(page.url()).pathname).toBe(`/projects/${projectId}`);
    await page.context().close();
  });

  test.skipIf(!postgres)(
    "says in words that too many exports are running, and downloads once one has ended",
    async () => {
      const page = await overview();
      const exportCard = page.getByRole("region", { name: "Export" });
      // Another export of the same person, held on the table every export reads.
      const table = await holdTable(server.context.db, "version_flags");
      const other = fetch(`${server.url}/api/v1/projects/${projectId}/export?format=jsonl`, {
        headers: { Authorization: `Bearer ${cast.client.token}` },
      });
      try {
        await expect.poll(() => exportsWaitingOnLock(), settled).toBe(1);
        await exportCard.getByRole("button", { name: "Download" }).click();
        await expect
          .poll(() => textOf(exportCard.getByRole("alert")), settled)
          .toMatch(/Too many of your exports are running at once\..*\bTry again in \d+ s\./);
      } finally {
        await table.release();
      }
      expect((await other).status).toBe(200);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        exportCard.getByRole("button", { name: "Download" }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/-dpo\.jsonl$/);
      await expect.poll(() => textOf(exportCard.getByRole("alert")), settled).toBe("");
      await page.context().close();
    },
  );
});
