import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Template } from "../../app/domain/template.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { listVisibleProjects } from "../../server/services/projects.ts";
import { addPanelMember } from "../../server/services/publish.ts";
import { findUserByEmail } from "../../server/services/users.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, logInThroughForm, skipBrowserTests, waitForHydration } from "./browser.ts";

const DEMO_PASSWORD = "quorum-demo";
const LEAD = "lead@demo.quorum";
const ANNOTATOR = "expert1@demo.quorum";
const CLIENT = "client@demo.quorum";
/** An annotator of every demo project who labelled nothing in the clinical one. */
const OTHER_ANNOTATOR = "expert2@demo.quorum";

const itemsJsonl = [
  {
    externalId: "cardio-001",
    prompt: "Can a patient on warfarin take ibuprofen for back pain?",
    responses: [{ id: "a", text: "Avoid NSAIDs with warfarin: the bleeding risk rises." }],
    domain: "medical",
  },
  {
    externalId: "cardio-002",
    prompt: "What is a normal resting heart rate for an adult?",
    responses: [{ id: "a", text: "Usually 60 to 100 beats per minute." }],
    domain: "medical",
  },
]
  .map((item) => JSON.stringify(item))
  .join("\n");

describe.skipIf(skipBrowserTests)("project management in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      // The project's event stream reads progress ten times a second instead of every two.
      startTestServer({ QUORUM_SEED: "demo", EVENTS_POLL_SECONDS: "0.1" }),
      launchBrowser(),
    ]);
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

  async function signIn(email: string, path = "/projects") {
    await page.goto(path);
    await logInThroughForm(page, email, DEMO_PASSWORD);
    await waitForHydration(page);
  }

  async function demoProjectId(name: RegExp): Promise<number> {
    const lead = await findUserByEmail(server.context.db, LEAD);
    const projects = await listVisibleProjects(server.context.db, lead!);
    const project = projects.find((candidate) => name.test(candidate.name));
    expect(project, `a demo project matching ${name}`).toBeDefined();
    return project!.id;
  }

  /**
   * The preference pairs a project's final labels give, read from the database: for each item
   * with a final label (a published version, or the label a consensus settled on) and two
   * responses, by id: the prompt, the response the preference favours and the other one.
   */
  async function preferencePairsOfFinalLabels(projectId: number) {
    const { db } = server.context;
    const items = await db
      .selectFrom("items")
      .leftJoin("item_outcomes", "item_outcomes.item_id", "items.id")
      .select(["items.id", "items.external_id", "items.status", "items.prompt", "items.responses"])
      .select("item_outcomes.aggregated_label")
      .where("items.project_id", "=", projectId)
      .where("items.status", "in", ["published", "consensus"])
      .where("items.gold_label", "is", null)
      .orderBy("items.id")
      .execute();
    const versions = await db
      .selectFrom("adjudications")
      .innerJoin("items", "items.id", "adjudications.item_id")
      .select(["adjudications.item_id", "adjudications.label"])
      .where("items.project_id", "=", projectId)
      .orderBy("adjudications.version")
      .execute();
    // Ordered by version, so the latest of each item is the one kept.
    const publishedLabel = new Map(versions.map((version) => [version.item_id, version.label]));
    return items.flatMap((item) => {
      const label =
        item.status === "published" ? publishedLabel.get(item.id) : item.aggregated_label;
      const preference = (label as { preference?: number } | undefined)?.preference ?? 0;
      const responses = item.responses as Array<{ text: string }>;
      if (preference === 0 || responses.length !== 2) return [];
      const [first, second] = responses as [{ text: string }, { text: string }];
      const [chosen, rejected] = preference < 0 ? [first, second] : [second, first];
      // A conversation prompt pairs assistant messages rather than plain text.
      const completion = (text: string) =>
        Array.isArray(item.prompt) ? [{ role: "assistant", content: text }] : text;
      return [
        {
          externalId: item.external_id,
          prompt: item.prompt,
          chosen: completion(chosen.text),
          rejected: completion(rejected.text),
        },
      ];
    });
  }

  test("a lead creates a project from a preset, adds an annotator and imports items", async () => {
    await signIn(LEAD);
    await page.getByRole("link", { name: "New project" }).click();
    await page.getByRole("heading", { level: 1, name: "New project" }).waitFor();
    await waitForHydration(page);

    await page.getByLabel("Name").fill("Cardiology answers");
    await page
      .getByLabel("Description")
      .fill("Answers on anticoagulation, reviewed by cardiologists.");
    await page.getByRole("radio", { name: /Single-response rubric with error spans/ }).check();
    await page.getByLabel("Overlap").fill("2");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/projects\/\d+$/);
    await page.getByRole("heading", { level: 1, name: "Cardiology answers" }).waitFor();
    const projectId = Number(new URL(page.url()).pathname.split("/")[2]);
    const created = await server.context.db
      .selectFrom("projects")
      .select(["name", "overlap", "template"])
      .where("id", "=", projectId)
      .executeTakeFirstOrThrow();
    expect(created.overlap).toBe(2);
    expect((created.template as Template).fields.map((field) => field.id)).toContain("overall");

    await page
      .getByRole("navigation", { name: "Project" })
      .getByRole("link", { name: "Members" })
      .click();
    await page.getByRole("heading", { level: 1, name: "Members" }).waitFor();
    await waitForHydration(page);
    const addForm = page
      .locator("form")
      .filter({ has: page.getByRole("button", { name: "Add member" }) });
    const countMembers = async () =>
      (
        await server.context.db
          .selectFrom("project_members")
          .select((eb) => eb.fn.countAll<number>().as("count"))
          .where("project_id", "=", projectId)
          .executeTakeFirstOrThrow()
      ).count;
    const membersBefore = await countMembers();
    // An email without an account adds nobody: the page offers to invite the person instead.
    await addForm.getByLabel("Email").fill("nobody@demo.quorum");
    await addForm.getByRole("button", { name: "Add member" }).click();
    await page.getByRole("group", { name: "Invite nobody@demo.quorum?" }).waitFor();
    await expect(countMembers()).resolves.toBe(membersBefore);
    await expect(findUserByEmail(server.context.db, "nobody@demo.quorum")).resolves.toBeFalsy();

    await addForm.getByLabel("Email").fill(ANNOTATOR);
    await addForm.getByLabel("Role", { exact: true }).selectOption("annotator");
    await addForm.getByRole("button", { name: "Add member" }).click();
    await page.getByRole("status").filter({ hasText: "added as annotator" }).waitFor();
    const row = page.getByRole("row", { name: /Dr\. Amara Okafor/ });
    await expect(row.getByLabel("Role of Dr. Amara Okafor").inputValue()).resolves.toBe(
      "annotator",
    );

    await page
      .getByRole("navigation", { name: "Project" })
      .getByRole("link", { name: "Import" })
      .click();
    await page.getByRole("heading", { level: 1, name: "Import items" }).waitFor();
    await waitForHydration(page);

    // A file with a bad row is refused whole, with the row named.
    await page.getByLabel("File", { exact: true }).setInputFiles({
      name: "broken.jsonl",
      mimeType: "application/x-ndjson",
      buffer: Buffer.from(
        `${itemsJsonl}\n{"externalId": "cardio-003", "prompt": "No responses"}\n`,
      ),
    });
    await page.getByRole("button", { name: "Upload and import" }).click();
    const problems = page.getByRole("table", { name: "Problems by row" });
    await problems.waitFor();
    await expect(problems.getByRole("row").nth(1).textContent()).resolves.toMatch(/^3responses/);
    const countItems = async () =>
      (
        await server.context.db
          .selectFrom("items")
          .select((eb) => eb.fn.countAll<number>().as("count"))
          .where("project_id", "=", projectId)
          .executeTakeFirstOrThrow()
      ).count;
    await expect(countItems()).resolves.toBe(0);

    await page.getByLabel("File", { exact: true }).setInputFiles({
      name: "cardio.jsonl",
      mimeType: "application/x-ndjson",
      buffer: Buffer.from(itemsJsonl),
    });
    await expect(page.getByLabel("Format", { exact: true }).inputValue()).resolves.toBe("jsonl");
    await page.getByRole("button", { name: "Upload and import" }).click();
    await page.getByText("Import finished").waitFor();
    const summary = page.locator(".import-summary");
    await expect(summary.getByText("New items").locator("xpath=..").textContent()).resolves.toBe(
      "New items2",
    );
    await expect(countItems()).resolves.toBe(2);

    await page.getByRole("link", { name: "See the items" }).click();
    await page.getByRole("link", { name: "cardio-001" }).waitFor();
  });

  test("a template change that would break existing labels is refused with the list", async () => {
    const projectId = await demoProjectId(/clinical/i);
    const before = await server.context.db
      .selectFrom("projects")
      .select("template")
      .where("id", "=", projectId)
      .executeTakeFirstOrThrow();
    const template = before.template as Template;
    const accuracyA = template.fields.findIndex((field) => field.id === "accuracy_a") + 1;
    expect(accuracyA).toBeGreaterThan(0);

    // The lead narrows answer A's accuracy scale to 1–2 in the builder, as a person would.
    await signIn(LEAD, `/projects/${projectId}/settings`);
    const builderField = page.getByRole("group", {
      name: `Field ${accuracyA} · Rating`,
      exact: true,
    });
    await expect(builderField.getByLabel("Id").inputValue()).resolves.toBe("accuracy_a");
    const highest = builderField.getByLabel("Highest point");
    await highest.fill("2");
    await page.getByText("The template is complete.").waitFor();
    await page.getByRole("button", { name: "Save template" }).click();
    const breaks = page.getByRole("table", { name: "Labels the new template would break" });
    await breaks.waitFor();
    const rows = await breaks.getByRole("row").allTextContents();
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.slice(1).every((row) => row.includes("accuracy_a"))).toBe(true);
    await page
      .getByRole("alert")
      .filter({ hasText: "would invalidate labels already given" })
      .waitFor();

    const after = await server.context.db
      .selectFrom("projects")
      .select("template")
      .where("id", "=", projectId)
      .executeTakeFirstOrThrow();
    expect(after.template).toEqual(before.template);
    // The refused change stays in the builder, to be corrected rather than typed again.
    await expect(highest.inputValue()).resolves.toBe("2");

    const workflow = page
      .locator("form")
      .filter({ has: page.getByLabel("Panel approvals needed to publish") });
    await workflow.getByLabel("Panel approvals needed to publish").fill("2");
    await workflow.getByRole("button").click();
    await expect
      .poll(async () => {
        const row = await server.context.db
          .selectFrom("projects")
          .select("settings")
          .where("id", "=", projectId)
          .executeTakeFirstOrThrow();
        return (row.settings as { publishRule?: unknown }).publishRule;
      })
      .toEqual({ kind: "quorum", approvals: 2 });
  });

  test("an annotator cannot open settings, members or reviews", async () => {
    const projectId = await demoProjectId(/clinical/i);
    await signIn(ANNOTATOR, `/projects/${projectId}`);
    const projectNav = page.getByRole("navigation", { name: "Project" });
    await expect(projectNav.getByRole("link").allTextContents()).resolves.toEqual([
      "Overview",
      "Items",
      "Label",
      "My history",
      "Guidelines",
    ]);
    for (const section of ["settings", "members", "reviews"]) {
      const response = await page.goto(`/projects/${projectId}/${section}`);
      expect(response?.status(), section).toBe(403);
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
        "You do not have access to this",
      );
    }
  });

  test("an annotator a lead invited to an item's panel finds the item in the list", async () => {
    const projectId = await demoProjectId(/clinical/i);
    const itemId = async (externalId: string) =>
      (
        await server.context.db
          .selectFrom("items")
          .select("id")
          .where("project_id", "=", projectId)
          .where("external_id", "=", externalId)
          .executeTakeFirstOrThrow()
      ).id;
    const lead = await findUserByEmail(server.context.db, LEAD);
    await addPanelMember(server.context, lead!, await itemId("clin-0001"), {
      email: OTHER_ANNOTATOR,
    });

    await signIn(OTHER_ANNOTATOR, `/projects/${projectId}/items`);
    const table = page.getByRole("table", { name: "Items" });
    await table.waitFor();
    const rows = table.getByRole("row");
    await expect(rows.count()).resolves.toBe(2);
    const row = rows.filter({ has: page.getByRole("link", { name: "clin-0001" }) });
    await expect(row.textContent()).resolves.toContain("invited to its panel");
    await expect(row.locator(".status-badge").textContent()).resolves.toBe("Adjudicating");
    // The other disputed item has a panel too, but not this annotator on it.
    await expect(page.getByRole("link", { name: "clin-0006" }).count()).resolves.toBe(0);

    await page.getByLabel("Status").selectOption("adjudicating");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL((url) => url.searchParams.get("status") === "adjudicating");
    await page.getByRole("link", { name: "clin-0001" }).click();
    await page.getByRole("heading", { level: 1, name: "clin-0001" }).waitFor();
  });

  test("a client reads the quality page, with annotators pseudonymised and nothing to change", async () => {
    const projectId = await demoProjectId(/clinical/i);
    await signIn(CLIENT, `/projects/${projectId}/quality`);
    await page.getByRole("heading", { level: 1, name: "Quality" }).waitFor();
    await page.getByText("Annotators are shown under pseudonyms.").waitFor();
    await page.getByRole("heading", { name: "Agreement between annotators" }).waitFor();
    const agreement = page.getByRole("table", { name: "Agreement per field" });
    await expect(agreement.getByRole("row").count()).resolves.toBeGreaterThan(1);
    // Each reading ("reliable", "tentative", "low") stays whole on one line.
    const readings = agreement.locator(".badge");
    await expect(readings.count()).resolves.toBeGreaterThan(0);
    const linesOfEach = await readings.evaluateAll((badges) =>
      badges.map((badge) => {
        const range = document.createRange();
        range.selectNodeContents(badge);
        const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        return `${badge.textContent ?? ""}: ${tops.size}`;
      }),
    );
    for (const lines of linesOfEach) expect(lines).toMatch(/: 1$/);

    const main = page.locator("main");
    await expect(main.locator("form, button, input, textarea, select").count()).resolves.toBe(0);
    const text = (await main.textContent()) ?? "";
    for (const name of ["Amara Okafor", "Lukas Brandt", "Sam Rivera"]) {
      expect(text).not.toContain(name);
    }
    const response = await page.goto(`/projects/${projectId}/settings`);
    expect(response?.status()).toBe(403);
  });

  test("a client's overview follows the project's progress live, without reloading", async () => {
    const projectId = await demoProjectId(/clinical/i);
    await signIn(CLIENT, `/projects/${projectId}`);
    const summary = page.locator('[aria-labelledby="progress-heading"] p.muted');
    const before = (await summary.textContent()) ?? "";
    const total = Number(/ of (\d+) items/.exec(before)?.[1]);
    expect(total).toBeGreaterThan(0);
    const navigationsBefore = await page.evaluate(
      () => performance.getEntriesByType("navigation").length,
    );

    const lead = await findUserByEmail(server.context.db, LEAD);
    const { token } = await createApiToken(server.context.db, lead!.id, "live progress test");
    const imported = await fetch(`${server.url}/api/v1/projects/${projectId}/items`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify([
        {
          externalId: "live-1",
          prompt: "Is grapefruit safe with simvastatin?",
          responses: [
            { id: "a", text: "No." },
            { id: "b", text: "Yes." },
          ],
        },
      ]),
    });
    expect(imported.status).toBe(201);

    await expect
      .poll(() => summary.textContent(), { timeout: 5_000 })
      .toContain(` of ${total + 1} items`);
    expect(await page.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(
      navigationsBefore,
    );
  });

  test("a client downloads the preference pairs from the overview; an annotator is offered none", async () => {
    const projectId = await demoProjectId(/clinical/i);
    await signIn(CLIENT, `/projects/${projectId}`);
    const exportCard = page.getByRole("region", { name: "Export" });
    await exportCard.getByLabel("Format").selectOption({ label: "Preference pairs for DPO" });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      exportCard.getByRole("button", { name: "Download" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/-dpo\.jsonl$/);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const pairs = Buffer.concat(chunks)
      .toString("utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as unknown);
    const expected = await preferencePairsOfFinalLabels(projectId);
    expect(expected.length).toBeGreaterThan(0);
    expect(pairs).toEqual(expected);
    expect(new URL(page.url()).pathname).toBe(`/projects/${projectId}`);

    await context.clearCookies();
    await signIn(ANNOTATOR, `/projects/${projectId}`);
    await page.getByRole("heading", { name: "Progress" }).waitFor();
    expect(await page.getByRole("region", { name: "Export" }).count()).toBe(0);
  });
});
