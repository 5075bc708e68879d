import type { Browser, BrowserContext, Dialog, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { User } from "../../db/schema.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { submitAnnotation } from "../../server/services/annotate.ts";
import { createProject, setProjectMember } from "../../server/services/project-admin.ts";
import { nextAssignment } from "../../server/services/queue.ts";
import { findUserByEmail } from "../../server/services/users.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, logInThroughForm, skipBrowserTests, waitForHydration } from "./browser.ts";

const DEMO_PASSWORD = "quorum-demo";

/**
 * The lead's review page keeps a decision being written: a refusal is seen where the lead is
 * looking, and neither leaving, a lost connection nor another tab's decision throws away what
 * they typed.
 */
describe.skipIf(skipBrowserTests)("the review page keeps the lead's decision", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let projectId: number;
  let lead: User;
  let junior: User;
  let token: string;
  let itemCount = 0;

  /** A new item labelled by the junior, and the id of the review that label waits for. */
  async function pendingReview(): Promise<number> {
    const { db } = server.context;
    itemCount += 1;
    const imported = await fetch(`${server.url}/api/v1/projects/${projectId}/items`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-ndjson" },
      body: JSON.stringify({
        externalId: `item-${itemCount}`,
        prompt: "Can I take ibuprofen while on warfarin?",
        responses: [{ id: "a", text: "Yes, there is no interaction to worry about." }],
      }),
    });
    expect(imported.status).toBe(201);
    const assignment = await nextAssignment(db, junior, projectId);
    expect(assignment).not.toBeNull();
    const submitted = await submitAnnotation(db, junior, assignment!.itemId, {
      label: { safety: 4 },
    });
    expect(submitted.sampledForReview).toBe(true);
    const review = await db
      .selectFrom("reviews")
      .select("id")
      .where("annotation_id", "=", submitted.id)
      .executeTakeFirstOrThrow();
    return review.id;
  }

  async function storedVerdict(reviewId: number) {
    return server.context.db
      .selectFrom("reviews")
      .select(["verdict", "comments"])
      .where("id", "=", reviewId)
      .executeTakeFirstOrThrow();
  }

  async function openReview(target: Page, reviewId: number) {
    await target.goto(`/projects/${projectId}/reviews/${reviewId}`);
    await waitForHydration(target);
    await target.getByRole("heading", { name: "Sam Rivera's label" }).waitFor();
  }

  const commentBox = (target: Page) =>
    target.getByRole("textbox", { name: "Comment 1", exact: true });

  /** Whether the element lies wholly inside the window, as the lead sees it without scrolling. */
  const inView = (target: Page, selector: string) =>
    target.locator(selector).evaluate((element) => {
      const box = element.getBoundingClientRect();
      return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
    });

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ QUORUM_SEED: "demo" }),
      launchBrowser(),
    ]);
    const { db } = server.context;
    lead = (await findUserByEmail(db, "lead@demo.quorum")) as User;
    junior = (await findUserByEmail(db, "junior1@demo.quorum")) as User;
    const project = await createProject(db, lead, {
      name: "Review page",
      overlap: 2,
      settings: { goldRate: 0 },
      template: {
        fields: [{ id: "safety", type: "rating", label: "Safety", min: 1, max: 5, required: true }],
      },
    });
    projectId = project.id;
    await setProjectMember(db, lead, projectId, { email: junior.email, role: "annotator" });
    ({ token } = await createApiToken(db, lead.id, "review page test"));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    context = await browser.newContext({
      baseURL: server.url,
      viewport: { width: 1280, height: 720 },
    });
    page = await context.newPage();
    await page.goto("/login");
    await logInThroughForm(page, "lead@demo.quorum", DEMO_PASSWORD);
  });

  afterEach(async () => {
    await context.close();
  });

  test("rejecting or correcting without a comment takes the lead to the comment, saying why", async () => {
    const reviewId = await pendingReview();
    await openReview(page, reviewId);

    for (const [verdict, reason] of [
      ["Reject", "say why"],
      ["Correct", "say what you corrected"],
    ] as const) {
      if (verdict === "Correct") {
        await page
          .getByRole("group", { name: "Corrected label (used when you choose Correct)" })
          .getByRole("radio", { name: "1" })
          .click();
      }
      await page.getByRole("button", { name: verdict, exact: true }).click();
      await page.getByText(reason, { exact: true }).waitFor();
      const box = commentBox(page);
      await expect
        .poll(() => box.evaluate((element) => element === document.activeElement))
        .toBe(true);
      await expect(box.getAttribute("aria-invalid")).resolves.toBe("true");
      const describedBy = await box.getAttribute("aria-describedby");
      await expect(page.locator(`#${describedBy}`).textContent()).resolves.toBe(reason);
      await expect(page.locator(`#${describedBy}`).getAttribute("role")).resolves.toBe("alert");
      await expect(inView(page, "#comment-errors")).resolves.toBe(true);
      await expect(inView(page, "#comment-text-0")).resolves.toBe(true);
    }

    // Writing the comment clears the mark; the decision then goes through.
    await commentBox(page).fill("The safety rating misses the interaction.");
    await expect(commentBox(page).getAttribute("aria-invalid")).resolves.toBeNull();
    await page.getByRole("button", { name: "Reject", exact: true }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(`/reviews/${reviewId}`));
    await expect(storedVerdict(reviewId)).resolves.toMatchObject({ verdict: "rejected" });
  });

  test("leaving with a typed comment asks first, in the app and through the browser", async () => {
    const reviewId = await pendingReview();
    await openReview(page, reviewId);
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });

    // Nothing typed: the link leaves without a question.
    await page.getByRole("link", { name: /Discuss live with/ }).click();
    await page.waitForURL(/\/room$/);
    expect(dialogs).toEqual([]);
    await openReview(page, reviewId);

    await commentBox(page).fill("A long explanation that took five minutes.");
    await page.getByRole("link", { name: /Discuss live with/ }).click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toMatch(/^confirm: Leave this review\?/);
    // Staying keeps the page and the comment.
    expect(page.url()).toMatch(new RegExp(`/reviews/${reviewId}$`));
    await expect(commentBox(page).inputValue()).resolves.toBe(
      "A long explanation that took five minutes.",
    );

    // A reload asks through the browser.
    const asked = new Promise<Dialog>((resolve) => page.once("dialog", resolve));
    void page.reload().catch(() => undefined);
    const dialog = await Promise.race([
      asked,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 3_000)),
    ]);
    expect(dialog?.type()).toBe("beforeunload");
  });

  test("a decision that cannot reach Quorum keeps the form and its text, and can be sent again", async () => {
    const reviewId = await pendingReview();
    await openReview(page, reviewId);
    await commentBox(page).fill("Rejecting: wrong direction.");
    await context.setOffline(true);
    await page.getByRole("button", { name: "Reject", exact: true }).click();
    await page
      .getByText(/Could not reach Quorum/)
      .first()
      .waitFor();
    await expect(
      page.locator("h1").textContent(),
      "the page is the review, not the error page",
    ).resolves.toContain("Review:");
    await expect(
      page.getByRole("alert").filter({ hasText: "Could not reach Quorum" }).count(),
    ).resolves.toBe(1);
    await expect(commentBox(page).inputValue()).resolves.toBe("Rejecting: wrong direction.");
    await expect(storedVerdict(reviewId)).resolves.toMatchObject({ verdict: "pending" });

    await context.setOffline(false);
    await page.getByRole("button", { name: "Try again" }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(`/reviews/${reviewId}`));
    await expect(storedVerdict(reviewId)).resolves.toMatchObject({
      verdict: "rejected",
      comments: [{ text: "Rejecting: wrong direction." }],
    });
  });

  test("a review decided in another tab says so, and gives the typed comment back to copy", async () => {
    const reviewId = await pendingReview();
    await openReview(page, reviewId);
    const other = await context.newPage();
    await openReview(other, reviewId);
    await other.getByRole("button", { name: "Accept", exact: true }).click();
    await other.waitForURL((url) => !url.pathname.endsWith(`/reviews/${reviewId}`));

    await commentBox(page).fill("Rejecting this one: the rating is far too high.");
    await page.getByRole("button", { name: "Reject", exact: true }).click();
    // The page shows the review as the other tab decided it, and says this decision was refused.
    await page.getByRole("heading", { name: /Accepted/ }).waitFor();
    const refusal = page.getByRole("alert").filter({ hasText: "was not saved" });
    await expect(refusal.count(), "an alert says the rejection was not saved").resolves.toBe(1);
    await expect(refusal.textContent()).resolves.toContain("already decided");
    await expect(
      refusal.getByRole("textbox", { name: /Your comments as you sent them/ }).inputValue(),
    ).resolves.toBe("Rejecting this one: the rating is far too high.");
    await expect(refusal.evaluate((element) => element === document.activeElement)).resolves.toBe(
      true,
    );
    await expect(storedVerdict(reviewId)).resolves.toMatchObject({
      verdict: "accepted",
      comments: [],
    });
  });
});
