/**
 * Takes the README's pictures (docs/images/*.png) from a real Quorum: a demo workspace on a
 * scratch PGlite directory, signed in through the login form in Debian's Chromium, as the people
 * the pictures show. `npm run screenshots`; CHROMIUM_PATH points at another Chromium.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { pino } from "pino";
import { ensureBuild } from "../server/build.ts";
import { loadConfig } from "../server/config.ts";
import { startQuorum } from "../server/index.ts";
import { launchChromium } from "./chromium.ts";

const projectRoot = path.resolve(import.meta.dirname, "..");
const imagesDir = path.join(projectRoot, "docs", "images");
const password = "quorum-demo";
const viewport = { width: 1280, height: 800 };

async function signedIn(browser: Browser, baseUrl: string, email: string): Promise<Page> {
  // A context of its own per person, so that nobody shares another's session cookie.
  const context = await browser.newContext({ viewport, colorScheme: "light" });
  const page = await context.newPage();
  // Two cores shared with a database and a server: the first pages can take a while.
  page.setDefaultTimeout(90_000);
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Sign in to Quorum" }).waitFor({ state: "detached" });
  return page;
}

/** Opens `pathname` once the page is interactive and its charts and rooms have drawn. */
async function visit(page: Page, baseUrl: string, pathname: string): Promise<void> {
  await page.goto(`${baseUrl}${pathname}`);
  await page.waitForFunction(() => "__remixRouter" in window);
  // Event streams and rooms stay open, so the network never idles: charts draw within this.
  await page.waitForTimeout(1_500);
}

async function capture(page: Page, name: string): Promise<void> {
  const file = path.join(imagesDir, `${name}.png`);
  await page.screenshot({ path: file, animations: "disabled", caret: "initial" });
  process.stdout.write(`${path.relative(projectRoot, file)}: ${statSync(file).size} bytes\n`);
}

async function main(): Promise<void> {
  ensureBuild((message) => process.stderr.write(`${message}\n`));
  const dataDir = mkdtempSync(path.join(tmpdir(), "quorum-screenshots-"));
  const server = await startQuorum({
    config: loadConfig({
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      QUORUM_DATA_DIR: dataDir,
      QUORUM_SEED: "demo",
    }),
    log: pino({ level: "warn" }),
  });
  const browser = await launchChromium();
  try {
    mkdirSync(imagesDir, { recursive: true });
    const baseUrl = server.url;
    const { db } = server.context;
    const clinical = await db
      .selectFrom("items")
      .select(["id", "project_id"])
      .where("external_id", "=", "clin-0001")
      .executeTakeFirstOrThrow();
    const projectPath = `/projects/${clinical.project_id}`;

    // A clinical expert, who labels this project's items and sits on the disputed item's panel.
    const panelist = await signedIn(browser, baseUrl, "expert1@demo.quorum");
    await visit(panelist, baseUrl, `${projectPath}/label`);
    await capture(panelist, "labeling");

    // The disputed item's room with the lead and one of its annotators in it.
    const lead = await signedIn(browser, baseUrl, "lead@demo.quorum");
    for (const page of [panelist, lead]) {
      await visit(page, baseUrl, `/items/${clinical.id}/room`);
      await page.locator(".room[data-room-loaded='true']").waitFor();
    }
    await lead.locator(".save-status", { hasText: "Saved" }).waitFor();
    await capture(lead, "room");

    // The annotators' accuracy and cost, below the agreement table.
    await visit(lead, baseUrl, `${projectPath}/quality`);
    await lead.locator("#annotators-heading").evaluate((heading) => heading.scrollIntoView());
    await capture(lead, "quality");
    await visit(lead, baseUrl, projectPath);
    await capture(lead, "overview");
    await visit(lead, baseUrl, `${projectPath}/import`);
    await capture(lead, "import");
  } finally {
    await browser.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
