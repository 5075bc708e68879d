import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { listVisibleProjects } from "../../server/services/projects.ts";
import { findUserByEmail } from "../../server/services/users.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, logInThroughForm, skipBrowserTests, waitForHydration } from "./browser.ts";

const DEMO_PASSWORD = "quorum-demo";
const LEAD = "lead@demo.quorum";
const ANNOTATOR = "expert2@demo.quorum";
const CLIENT = "client@demo.quorum";

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * axe-core over the whole page as it stands, WCAG 2.1 A and AA rules: the serious and critical
 * violations, each with the elements it found. The app's content security policy forbids the
 * injected script, so the contexts here bypass it (only here: csp.test.ts checks the policy).
 */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...args: unknown[]) => Promise<unknown> } })
      .axe;
    const result = (await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    })) as { violations: Violation[] };
    return result.violations;
  });
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
          .slice(0, 3)
          .map((node) => JSON.stringify(node.target))
          .join(", ")}`,
    );
}

describe.skipIf(skipBrowserTests)("accessibility of the main pages (axe-core)", () => {
  let server: TestServer;
  let browser: Browser;
  let projectId: number;
  let disputedItemId: number;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ QUORUM_SEED: "demo" }),
      launchBrowser(),
    ]);
    const lead = await findUserByEmail(server.context.db, LEAD);
    const projects = await listVisibleProjects(server.context.db, lead!);
    projectId = projects.find((project) => /clinical/i.test(project.name))!.id;
    const disputed = await server.context.db
      .selectFrom("items")
      .select("id")
      .where("project_id", "=", projectId)
      .where("external_id", "=", "clin-0001")
      .executeTakeFirstOrThrow();
    disputedItemId = disputed.id;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signedIn(email: string): Promise<Page> {
    const context = await browser.newContext({
      baseURL: server.url,
      bypassCSP: true,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    await page.goto("/login");
    await logInThroughForm(page, email, DEMO_PASSWORD);
    return page;
  }

  async function check(page: Page, path: string, ready?: string): Promise<string[]> {
    await page.goto(path);
    await waitForHydration(page);
    if (ready) await page.locator(ready).first().waitFor();
    return (await seriousViolations(page)).map((violation) => `${path}: ${violation}`);
  }

  test("the sign-in page", { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ baseURL: server.url, bypassCSP: true });
    const page = await context.newPage();
    expect(await check(page, "/login")).toEqual([]);
    await context.close();
  });

  test("a lead's pages, the room included", { timeout: 120_000 }, async () => {
    const page = await signedIn(LEAD);
    const base = `/projects/${projectId}`;
    const found: string[] = [];
    for (const path of [
      "/projects",
      base,
      `${base}/items`,
      `${base}/items?q=warfarin&sort=-updated`,
      `${base}/items/${disputedItemId}`,
      `${base}/quality`,
      `${base}/members`,
      `${base}/settings`,
      `${base}/guidelines`,
      `${base}/flags`,
      `${base}/reviews`,
      `${base}/import`,
      "/settings",
      "/admin/users",
    ]) {
      found.push(...(await check(page, path)));
    }
    found.push(
      ...(await check(page, `/items/${disputedItemId}/room`, ".room[data-room-loaded='true']")),
    );
    expect(found).toEqual([]);
    await page.context().close();
  });

  test("an annotator's labeling page and a client's overview", { timeout: 120_000 }, async () => {
    const annotator = await signedIn(ANNOTATOR);
    const found = await check(annotator, `/projects/${projectId}/label`);
    await annotator.context().close();
    const client = await signedIn(CLIENT);
    found.push(...(await check(client, `/projects/${projectId}`)));
    found.push(...(await check(client, `/projects/${projectId}/quality`)));
    await client.context().close();
    expect(found).toEqual([]);
  });
});
