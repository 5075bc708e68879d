import type { Browser, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, logInThroughForm, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
const CRITIQUE = "The dose in the second paragraph is ten times too high.";
/** Outcomes the test waits for without claiming how fast they come, on a machine that may be busy. */
const settled = { timeout: 10_000 };

/** What the labeling page sends when it submits, skips, flags or asks for an item. */
const isLabelingPost = (request: Request) =>
  request.method() === "POST" && new URL(request.url()).pathname.endsWith("/label.data");

/**
 * What goes wrong around the labeling page — a conflicting label, the server out of reach, a
 * session that ends, a chord pressed twice — and what the annotator is told. Every test has an
 * annotator and a project of its own, so none sees another's items. Each signs a person in and
 * goes through several pages, which on a machine busy with the whole suite takes longer than
 * the default 30 s.
 */
describe.skipIf(skipBrowserTests)("the labeling page when things go wrong, in Chromium", () => {
  vi.setConfig({ testTimeout: 60_000 });
  let server: TestServer;
  let browser: Browser;
  let admin: ApiClient;
  let people = 0;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    admin = apiClient(
      server.url,
      (await server.createUserWithToken({ email: "admin@failures-e2e.test", isAdmin: true })).token,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /**
   * A project with `items` items and an expert annotator of its own, signed in on its page and
   * ready for keys. With `clock`, the page's timers run on a clock the test can move forward.
   */
  async function annotatorAtWork(items: number, { clock = false } = {}) {
    people++;
    const email = `expert${people}@failures-e2e.test`;
    const { userId, token } = await server.createUserWithToken({
      email,
      level: "expert",
      domains: ["medical"],
    });
    const created = await admin.post<{ project: { id: number } }>("/projects", {
      name: `Failures ${people}`,
      domain: "medical",
      overlap: 2,
      settings: { goldRate: 0 },
      template: {
        fields: [
          { id: "harm", type: "rating", label: "Harm", min: 0, max: 4, required: true },
          { id: "critique", type: "text", label: "Critique", required: true },
        ],
      },
    });
    const projectId = created.body.project.id;
    expect(
      (await admin.post(`/projects/${projectId}/members`, { email, role: "annotator" })).status,
    ).toBe(201);
    await admin.post(
      `/projects/${projectId}/items`,
      Array.from({ length: items }, (_, index) => ({
        externalId: `f-${people}-${index}`,
        prompt: `Question ${index + 1}`,
        responses: [{ id: "a", text: `Answer ${index + 1}` }],
      })),
    );
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email, password: PASSWORD },
      `/projects/${projectId}/label`,
      clock ? (context) => context.clock.install() : undefined,
    );
    await page.getByRole("heading", { name: "Label this item" }).waitFor();
    // The item shows before the page has put the focus on its first field and listens for keys
    // (both happen just after it renders): a key pressed in between would be lost.
    await page.waitForFunction(() => document.activeElement?.closest("[data-field-id]") != null);
    return { page, email, userId, projectId, api: apiClient(server.url, token) };
  }

  /**
   * Runs the page's clock `ms` forward at once, firing every timer due meanwhile (a retry, a
   * delayed save), then gives a request one of them started the time to reach the test's route.
   */
  async function runClock(page: Page, ms: number) {
    await page.clock.runFor(ms);
    await page.waitForTimeout(1_000);
  }

  /**
   * Every draft save the page sends, with the status it was answered, recorded before the page
   * has the answer; while `refusing`, answered 409 without reaching the server.
   */
  async function watchDrafts(page: Page) {
    const watch = { statuses: [] as number[], refusing: false };
    await page.route("**/label/draft", async (route) => {
      if (watch.refusing) {
        watch.statuses.push(409);
        await route.fulfill({
          status: 409,
          json: { error: { code: "conflict", message: "No" } },
        });
        return;
      }
      const response = await route.fetch();
      watch.statuses.push(response.status());
      await route.fulfill({ response });
    });
    return watch;
  }

  async function storedDraft(userId: number) {
    const row = await server.context.db
      .selectFrom("drafts")
      .select("label")
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row?.label ?? null;
  }

  /** Labels the item by keyboard: the harm's digit moves on to the critique. */
  async function labelByKeyboard(page: Page) {
    await page.keyboard.press("2");
    await page.keyboard.type(CRITIQUE);
    await page.locator(".save-status", { hasText: /^Saved$/ }).waitFor();
  }

  const focusedRole = (page: Page) =>
    page.evaluate(() => document.activeElement?.getAttribute("role") ?? null);

  async function storedLabels(userId: number) {
    const rows = await server.context.db
      .selectFrom("annotations")
      .select("label")
      .where("user_id", "=", userId)
      .execute();
    return rows.map((row) => row.label);
  }

  test("a submit refused with 409 says the label was not stored and gives it back", async () => {
    const { page, api, projectId } = await annotatorAtWork(2);
    await labelByKeyboard(page);
    // The same person's other tab (here the API) labels the item differently first.
    const held = await api.get<{ item: { id: number } }>(`/queue/next?project=${projectId}`);
    const elsewhere = await api.post(`/items/${held.body.item.id}/annotations`, {
      label: { harm: 4, critique: "Written in another tab" },
    });
    expect(elsewhere.status).toBe(201);

    await page.keyboard.press("Control+Enter");

    const alert = page.locator(".refusal-notice");
    await alert.waitFor({ timeout: 20_000 });
    await expect(alert.getAttribute("role")).resolves.toBe("alert");
    await expect(alert.textContent()).resolves.toContain(
      "Your label for that item was not stored. You have already labelled this item.",
    );
    // The alert shows first and takes the focus just after.
    await expect.poll(() => focusedRole(page), settled).toBe("alert");
    await expect(
      page.getByRole("textbox", { name: "Your label as you sent it, to copy:" }).inputValue(),
    ).resolves.toBe(`Harm: 2\nCritique: ${CRITIQUE}`);

    // The next item waits until the annotator has read this and asks for it.
    await page.getByRole("button", { name: "Get the next item" }).click();
    await page.getByText("Question 2").waitFor();
    await expect.poll(() => alert.count(), settled).toBe(0);
  });

  test("with the server out of reach a submit keeps the workspace and can be retried", async () => {
    const { page, userId } = await annotatorAtWork(1);
    await labelByKeyboard(page);
    const unreachable = (url: URL) => url.pathname.endsWith("/label.data");
    await page.route(unreachable, (route) =>
      isLabelingPost(route.request()) ? route.abort("connectionrefused") : route.continue(),
    );

    await page.keyboard.press("Control+Enter");

    const problem = page.locator(".submission-problem");
    await problem
      .getByText("Could not reach Quorum — your label is kept on this device.", { exact: false })
      .waitFor({ timeout: 10_000 });
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.className), settled)
      .toBe("submission-problem");
    await expect(page.getByRole("heading", { name: "Label this item" }).count()).resolves.toBe(1);
    await expect(page.getByRole("textbox", { name: "Critique" }).inputValue()).resolves.toBe(
      CRITIQUE,
    );
    expect(await storedLabels(userId)).toEqual([]);

    await page.unroute(unreachable);
    await problem.getByRole("button", { name: /Try again/ }).click();
    await page.getByRole("heading", { name: "Nothing to label right now" }).waitFor();
    expect(await storedLabels(userId)).toEqual([{ harm: 2, critique: CRITIQUE }]);

    // A page that cannot load for want of a connection says so, without a request reference
    // that would be an earlier page's.
    await page.route("**/projects.data*", (route) => route.abort("connectionrefused"));
    await page.getByRole("link", { name: "Back to projects" }).click();
    await page.getByRole("heading", { name: "Could not reach Quorum" }).waitFor();
    await expect(page.getByText("Reference:").count()).resolves.toBe(0);
  });

  test("Ctrl+Enter pressed twice sends the label once", async () => {
    const { page } = await annotatorAtWork(2);
    await labelByKeyboard(page);
    const posts: string[] = [];
    page.on("request", (request) => {
      if (isLabelingPost(request)) posts.push(request.url());
    });

    await page.keyboard.press("Control+Enter");
    await page.keyboard.press("Control+Enter");
    await page.getByText("Question 2").waitFor();

    expect(posts).toHaveLength(1);
  });

  test("autosave stops and says why when the session ends or the item is no longer held", async () => {
    const { page, email, projectId } = await annotatorAtWork(1, { clock: true });
    const drafts = await watchDrafts(page);
    const status = page.locator(".save-status");

    // Another tab holding the item no longer: refused, and not asked again, neither after the
    // retry delay nor for a further change.
    drafts.refusing = true;
    await page.keyboard.press("1");
    await status
      .getByText("this item is no longer held for you", { exact: false })
      .waitFor({ timeout: 10_000 });
    await page.keyboard.type("x");
    await runClock(page, 6_000);
    expect(drafts.statuses).toEqual([409]);

    // A new page on the same item saves again (the change kept on this device), until the
    // session ends.
    drafts.refusing = false;
    await page.reload();
    await page.locator(".save-status", { hasText: /^Saved$/ }).waitFor();
    expect(drafts.statuses).toEqual([409, 200]);
    drafts.statuses.length = 0;
    await page.context().clearCookies();
    await page.getByRole("textbox", { name: "Critique" }).fill(CRITIQUE);
    const signIn = status.getByRole("link", { name: "Sign in again" });
    await signIn.waitFor();
    await expect(status.textContent()).resolves.toContain("Signed out");
    // Without a change or a return to the page, nothing is tried again.
    await runClock(page, 6_000);
    expect(drafts.statuses).toEqual([401]);

    await signIn.click();
    await page.getByText("Your session ended.", { exact: false }).waitFor();
    await logInThroughForm(page, email, PASSWORD);
    await page.waitForURL((url) => url.pathname === `/projects/${projectId}/label`);
    // The server's draft shows first; the newer copy kept on this device replaces it.
    await expect
      .poll(() => page.getByRole("textbox", { name: "Critique" }).inputValue(), settled)
      .toBe(CRITIQUE);
  });

  test("autosave resumes once the annotator has signed in again in another tab", async () => {
    const { page, email, userId } = await annotatorAtWork(1);
    await page.keyboard.press("2");
    await page.locator(".save-status", { hasText: /^Saved$/ }).waitFor();
    await page.context().clearCookies();
    await page.keyboard.type("First words.");
    const status = page.locator(".save-status");
    await status.getByRole("link", { name: "Sign in again" }).waitFor();

    const other = await page.context().newPage();
    await other.goto(`${server.url}/login`);
    await logInThroughForm(other, email, PASSWORD);
    await page.bringToFront();
    await page.keyboard.type(" More.");

    await expect
      .poll(() => storedDraft(userId), { timeout: 15_000 })
      .toEqual({ harm: 2, critique: "First words. More." });
    await status.filter({ hasText: /^Saved$/ }).waitFor();
    await page.context().close();
  });
});
