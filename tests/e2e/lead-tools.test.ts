import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { User } from "../../db/schema.ts";
import { submitAnnotation } from "../../server/services/annotate.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { createProject, setProjectMember } from "../../server/services/project-admin.ts";
import { nextAssignment } from "../../server/services/queue.ts";
import { createUser } from "../../server/services/users.ts";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
// "💊" is two UTF-16 code units: every offset after it differs from a count of characters.
const RESPONSE_TEXT =
  "💊 Take ibuprofen 400 mg with warfarin as needed; there is no interaction to worry about.";
const WRONG_CLAIM = "there is no interaction to worry about";
const DOSE = "ibuprofen 400 mg";

/** Drags the mouse over `text` in a response, as a person selecting it would. */
async function dragOver(page: Page, responseId: string, text: string) {
  const points = await page.evaluate(
    ({ responseId, text }) => {
      const reader = document.querySelector(`[data-reader="${responseId}"]`)!;
      // The page is long: the response must be on screen for the mouse to reach it.
      reader.scrollIntoView({ block: "center" });
      const walker = document.createTreeWalker(reader, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent!.indexOf(text);
        if (at < 0) continue;
        const rectOf = (offset: number) => {
          const range = document.createRange();
          range.setStart(node, offset);
          range.setEnd(node, offset + 1);
          return range.getBoundingClientRect();
        };
        const first = rectOf(at);
        const last = rectOf(at + text.length - 1);
        return {
          from: { x: first.left + 1, y: first.top + first.height / 2 },
          to: { x: last.right - 1, y: last.top + last.height / 2 },
        };
      }
      throw new Error(`"${text}" is not in response ${responseId}`);
    },
    { responseId, text },
  );
  await page.mouse.move(points.from.x, points.from.y);
  await page.mouse.down();
  await page.mouse.move(points.to.x, points.to.y, { steps: 10 });
  await page.mouse.up();
}

describe.skipIf(skipBrowserTests)("a lead's review tools in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let leadApi: ApiClient;
  let projectId: number;
  let reviewId: number;
  const claimStart = RESPONSE_TEXT.indexOf(WRONG_CLAIM);
  const juniorSpan = {
    responseId: "a",
    start: claimStart,
    end: claimStart + WRONG_CLAIM.length,
    category: "dosing error",
    severity: "minor",
  };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const { db } = server.context;
    const lead = await createUser(db, {
      email: "lead@lead-tools.test",
      name: "Lee Lead",
      password: PASSWORD,
      isAdmin: true,
    });
    const junior = await createUser(db, {
      email: "junior@lead-tools.test",
      name: "Jo Junior",
      password: PASSWORD,
      level: "junior",
      domains: ["medical"],
    });
    const project = await createProject(db, lead as User, {
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
    await setProjectMember(db, lead as User, projectId, { email: junior.email, role: "annotator" });
    const { token } = await createApiToken(db, lead.id, "lead tools");
    leadApi = apiClient(server.url, token);
    const imported = await leadApi.post(`/projects/${projectId}/items`, [
      {
        externalId: "warfarin-nsaid",
        prompt: "Can I take ibuprofen while on warfarin?",
        responses: [{ id: "a", text: RESPONSE_TEXT }],
        domain: "medical",
      },
    ]);
    expect(imported.status).toBe(201);
    const assignment = await nextAssignment(db, junior as User, projectId);
    const submitted = await submitAnnotation(db, junior as User, assignment!.itemId, {
      label: { safety: 4, errors: [juniorSpan] },
    });
    expect(submitted.sampledForReview).toBe(true);
    reviewId = (
      await db
        .selectFrom("reviews")
        .select("id")
        .where("annotation_id", "=", submitted.id)
        .executeTakeFirstOrThrow()
    ).id;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("corrects with the label form, a diff per field, and a comment anchored by selection", async () => {
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: "lead@lead-tools.test", password: PASSWORD },
      `/projects/${projectId}/reviews/${reviewId}`,
    );
    // A step that does not happen fails with the step named, well within the test's time.
    page.setDefaultTimeout(8_000);
    const correction = page.getByRole("group", {
      name: "Corrected label (used when you choose Correct)",
    });
    const safetyDiff = page.getByRole("region", {
      name: "Safety: change against Jo Junior's label",
    });
    const errorsDiff = page.getByRole("region", {
      name: "Errors: change against Jo Junior's label",
    });
    await expect(safetyDiff.textContent()).resolves.toContain("Same as Jo Junior's label");

    // A correction that changes nothing is refused on the page, and nothing is decided.
    await page.getByRole("group", { name: "Comment 1" }).getByLabel("Comment 1").fill("Fine.");
    await page.getByRole("button", { name: "Correct", exact: true }).click();
    await correction.getByText("The correction is the same as Jo Junior's label").waitFor();

    // The rating with the labeling page's buttons; the diff names the old and the new value.
    await correction
      .getByRole("group", { name: "Safety" })
      .getByRole("radio", { name: "1" })
      .click();
    await expect(safetyDiff.textContent()).resolves.toMatch(/Changed.*4.*→.*1/);

    // The junior's span re-categorised, and a new span marked by selecting its words.
    const spans = correction.getByRole("list", { name: "Errors: marked spans" });
    await spans.getByLabel("Category").selectOption("drug interaction missed");
    await spans.getByLabel("Severity").selectOption("critical");
    await dragOver(page, "a", DOSE);
    await correction.getByRole("button", { name: "dosing error" }).click();
    await spans.getByRole("listitem").nth(1).waitFor();
    await expect(spans.getByRole("listitem").count()).resolves.toBe(2);
    const errorsChange = (await errorsDiff.textContent()) ?? "";
    expect(errorsChange).toContain(`Removed`);
    expect(errorsChange).toContain(`Added`);
    expect(errorsChange).toContain(DOSE);

    // A comment anchored to words selected in the response, as UTF-16 offsets.
    const comment = page.getByRole("group", { name: "Comment 1" });
    await comment.getByLabel("Field").selectOption("errors");
    await dragOver(page, "a", WRONG_CLAIM);
    await comment.getByRole("button", { name: /Anchor to the selected text/ }).click();
    await expect(comment.locator("q").textContent()).resolves.toBe(WRONG_CLAIM);
    await comment
      .getByLabel("Comment 1")
      .fill("This is a missed interaction, not a dosing error, and it is critical.");

    await page.getByRole("button", { name: "Correct", exact: true }).click();
    await page.waitForURL(/\/reviews\?done=1$/);

    const stored = await leadApi.get<{
      reviews: Array<{ id: number; verdict: string; comments: unknown; correctedLabel: unknown }>;
    }>(`/projects/${projectId}/reviews?verdict=all`);
    expect(stored.status).toBe(200);
    const review = stored.body.reviews.find((entry) => entry.id === reviewId)!;
    expect(review.verdict).toBe("corrected");
    const doseStart = RESPONSE_TEXT.indexOf(DOSE);
    expect(review.correctedLabel).toEqual({
      safety: 1,
      errors: [
        {
          ...juniorSpan,
          category: "drug interaction missed",
          severity: "critical",
          text: WRONG_CLAIM,
        },
        {
          responseId: "a",
          start: doseStart,
          end: doseStart + DOSE.length,
          category: "dosing error",
          severity: "minor",
          text: DOSE,
        },
      ],
    });
    expect(review.comments).toEqual([
      {
        fieldId: "errors",
        span: { responseId: "a", start: claimStart, end: juniorSpan.end, text: WRONG_CLAIM },
        text: "This is a missed interaction, not a dosing error, and it is critical.",
      },
    ]);
    await page.context().close();
  });
});
