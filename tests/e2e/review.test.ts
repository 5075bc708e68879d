import type { Browser, BrowserContext, Page } from "playwright-core";
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
const RESPONSE_TEXT =
  "Take ibuprofen 400 mg with warfarin as needed; there is no interaction to worry about.";
const WRONG_CLAIM = "there is no interaction to worry about";

describe.skipIf(skipBrowserTests)("junior review in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let projectId: number;
  let reviewId: number;
  let itemId: number;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ QUORUM_SEED: "demo" }),
      launchBrowser(),
    ]);
    const { db } = server.context;
    const lead = (await findUserByEmail(db, "lead@demo.quorum")) as User;
    const junior = (await findUserByEmail(db, "junior1@demo.quorum")) as User;
    const project = await createProject(db, lead, {
      name: "Medication safety",
      domain: "medical",
      overlap: 2,
      settings: { goldRate: 0 },
      template: {
        fields: [
          { id: "safety", type: "rating", label: "Safety", min: 1, max: 5, required: true },
          {
            id: "errors",
            type: "spans",
            label: "Errors",
            categories: ["drug interaction missed", "dosing error"],
          },
        ],
      },
    });
    projectId = project.id;
    await setProjectMember(db, lead, projectId, { email: junior.email, role: "annotator" });

    const { token } = await createApiToken(db, lead.id, "review test");
    const imported = await fetch(`${server.url}/api/v1/projects/${projectId}/items`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-ndjson" },
      body: JSON.stringify({
        externalId: "warfarin-nsaid",
        prompt: "Can I take ibuprofen while on warfarin?",
        responses: [{ id: "a", text: RESPONSE_TEXT }],
        domain: "medical",
      }),
    });
    expect(imported.status).toBe(201);

    const assignment = await nextAssignment(db, junior, projectId);
    expect(assignment).not.toBeNull();
    const start = RESPONSE_TEXT.indexOf(WRONG_CLAIM);
    itemId = assignment!.itemId;
    const submitted = await submitAnnotation(db, junior, assignment!.itemId, {
      label: {
        safety: 4,
        errors: [
          {
            responseId: "a",
            start,
            end: start + WRONG_CLAIM.length,
            category: "dosing error",
            severity: "minor",
          },
        ],
      },
    });
    expect(submitted.sampledForReview, "a junior's first annotations are all reviewed").toBe(true);
    const review = await db
      .selectFrom("reviews")
      .select("id")
      .where("annotation_id", "=", submitted.id)
      .executeTakeFirstOrThrow();
    reviewId = review.id;
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

  test("the lead corrects a junior's label with an anchored comment; the junior sees it", async () => {
    await page.goto(`/projects/${projectId}/reviews`);
    await logInThroughForm(page, "lead@demo.quorum", DEMO_PASSWORD);
    await page.getByRole("link", { name: "Start reviewing" }).click();
    await page.waitForURL(new RegExp(`/reviews/${reviewId}$`));
    await waitForHydration(page);
    await page.getByRole("heading", { name: "Sam Rivera's label" }).waitFor();

    await page.getByRole("button", { name: "Comment on this span" }).click();
    const comment = page.getByRole("group", { name: "Comment 1" });
    const start = RESPONSE_TEXT.indexOf(WRONG_CLAIM);
    await expect(comment.getByLabel("Field").inputValue()).resolves.toBe("errors");
    await expect(comment.locator('input[name="comment-responseId"]').inputValue()).resolves.toBe(
      "a",
    );
    await expect(comment.locator('input[name="comment-start"]').inputValue()).resolves.toBe(
      String(start),
    );
    await expect(comment.locator('input[name="comment-end"]').inputValue()).resolves.toBe(
      String(start + WRONG_CLAIM.length),
    );
    // The offsets are shown with the text they quote.
    await expect(comment.locator("q").textContent()).resolves.toBe(WRONG_CLAIM);
    await expect(
      comment.getByLabel("Comment 1").evaluate((element) => element === document.activeElement),
    ).resolves.toBe(true);
    await comment
      .getByLabel("Comment 1")
      .fill("This is a missed interaction, not a dosing error, and it is critical.");

    // The correction is made with the labeling page's fields.
    const correction = page.getByRole("group", {
      name: "Corrected label (used when you choose Correct)",
    });
    await correction
      .getByRole("group", { name: "Safety" })
      .getByRole("radio", { name: "1" })
      .click();
    const spans = correction.getByRole("list", { name: "Errors: marked spans" });
    await spans.getByLabel("Category").selectOption("drug interaction missed");
    await spans.getByLabel("Severity").selectOption("critical");

    const corrected = {
      safety: 1,
      errors: [
        {
          responseId: "a",
          start,
          end: start + WRONG_CLAIM.length,
          category: "drug interaction missed",
          severity: "critical",
        },
      ],
    };
    await page.getByRole("button", { name: "Correct", exact: true }).click();
    await page.waitForURL(/\/reviews\?done=1$/);
    await page.getByText("That was the last one").waitFor();

    const stored = await server.context.db
      .selectFrom("reviews")
      .select(["verdict", "comments", "corrected_label"])
      .where("id", "=", reviewId)
      .executeTakeFirstOrThrow();
    expect(stored.verdict).toBe("corrected");
    // Spans are stored with the text they quote.
    expect(stored.corrected_label).toEqual({
      ...corrected,
      errors: [{ ...corrected.errors[0], text: WRONG_CLAIM }],
    });
    expect(stored.comments).toEqual([
      {
        fieldId: "errors",
        span: { responseId: "a", start, end: start + WRONG_CLAIM.length, text: WRONG_CLAIM },
        text: "This is a missed interaction, not a dosing error, and it is critical.",
      },
    ]);

    await context.clearCookies();
    await page.goto(`/projects/${projectId}/history`);
    await logInThroughForm(page, "junior1@demo.quorum", DEMO_PASSWORD);
    // The junior's history names items by number until they are revealed: an external id could
    // tell a gold item apart.
    const entry = page.getByRole("article", { name: `Item ${itemId}` });
    await entry.getByText("Corrected", { exact: true }).waitFor();
    const comments = entry.getByRole("list", { name: "Reviewer's comments" });
    await expect(comments.textContent()).resolves.toContain(
      "This is a missed interaction, not a dosing error, and it is critical.",
    );
    await expect(comments.getByText("Errors", { exact: true }).count()).resolves.toBe(1);
    await expect(comments.textContent()).resolves.toContain(
      `offsets ${start}–${start + WRONG_CLAIM.length}: ${WRONG_CLAIM}`,
    );
    await expect(entry.getByText("Corrected label").count()).resolves.toBe(1);
    await expect(entry.getByText("drug interaction missed").count()).resolves.toBe(1);
  });
});
