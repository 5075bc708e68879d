import type { Browser, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, logInThroughForm, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
const CRITIQUE = "The dose in the second paragraph is ten times too high.";

/** What the labeling page sends when it submits, skips, flags or asks for an item. */
const isLabelingPost = (request: Request) =>
  request.method() === "POST" && new URL(request.url()).pathname.endsWith("/label.data");

/**
 * What goes wrong around the labeling page — a conflicting label, the server out of reach, a
 * session that ends, a chord pressed twice — and what the annotator is told. Every test has an
 * annotator and a project of its own, so none sees another's items.
 */
describe.skipIf(skipBrowserTests)("the labeling page when things go wrong, in Chromium", () => {
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

  /** A project with `items` items and an expert annotator of its own, signed in on its page. */
  async function annotatorAtWork(items: number) {
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
    );
    await page.getByRole("heading", { name: "Label this item" }).waitFor();
    return { page, email, userId, projectId, api: apiClient(server.url, token) };
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
    await alert.waitFor({ timeout: 10_000 });
    await expect(alert.getAttribute("role")).resolves.toBe("alert");
    await expect(alert.textContent()).resolves.toContain(
      "Your label for that item was not stored. You have already labelled this item.",
    );
    expect(await focusedRole(page)).toBe("alert");
    await expect(
      page.getByRole("textbox", { name: "Your label as you sent it, to copy:" }).inputValue(),
    ).resolves.toBe(`Harm: 2\nCritique: ${CRITIQUE}`);

    // The next item waits until the annotator has read this and asks for it.
    await page.getByRole("button", { name: "Get the next item" }).click();
    await page.getByText("Question 2").waitFor();
    await expect(alert.count()).resolves.toBe(0);
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
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("submission-problem");
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
    const { page, email, projectId } = await annotatorAtWork(1);
    const drafts: number[] = [];
    page.on("response", (response) => {
      if (new URL(response.url()).pathname.endsWith("/label/draft")) drafts.push(response.status());
    });

    // Another tab holding the item no longer: refused, and not asked again.
    await page.route("**/label/draft", (route) =>
      route.fulfill({ status: 409, json: { error: { code: "conflict", message: "No" } } }),
    );
    await page.keyboard.press("1");
    const status = page.locator(".save-status");
    await status
      .getByText("this item is no longer held for you", { exact: false })
      .waitFor({ timeout: 10_000 });
    await page.waitForTimeout(6_000);
    expect(drafts).toEqual([409]);
    await page.unroute("**/label/draft");

    // A new page on the same item saves again, until the session ends.
    await page.reload();
    await page.locator(".save-status", { hasText: /^Saved$/ }).waitFor();
    drafts.length = 0;
    await page.context().clearCookies();
    await page.keyboard.press("c");
    await page.keyboard.type(CRITIQUE);
    const signIn = status.getByRole("link", { name: "Sign in again" });
    await signIn.waitFor();
    await expect(status.textContent()).resolves.toContain("Signed out");
    await page.waitForTimeout(6_000);
    expect(drafts).toEqual([401]);

    await signIn.click();
    await page.getByText("Your session ended.", { exact: false }).waitFor();
    await logInThroughForm(page, email, PASSWORD);
    await page.waitForURL((url) => url.pathname === `/projects/${projectId}/label`);
    await expect(page.getByRole("textbox", { name: "Critique" }).inputValue()).resolves.toBe(
      CRITIQUE,
    );
  });
});
