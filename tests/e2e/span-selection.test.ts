import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { User } from "../../db/schema.ts";
import { createProject, setProjectMember } from "../../server/services/project-admin.ts";
import { itemContentHash } from "../../server/services/seed.ts";
import { createUser } from "../../server/services/users.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
// "😀" is two UTF-16 code units, so "test is wrong" is at [7, 20) (at [6, 19) in code points).
const RESPONSE = "😀 The test is wrong. More follows.";

/**
 * Drags the mouse over `text` inside a response's reader, from just inside the left edge of its
 * first character to just inside the right edge of its last, as a person selecting it would.
 */
async function dragOver(page: Page, responseId: string, text: string) {
  const points = await page.evaluate(
    ({ responseId, text }) => {
      const reader = document.querySelector(`[data-reader="${responseId}"]`)!;
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

describe.skipIf(skipBrowserTests)("marking a span with the mouse in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let expert: User;
  let projectId: number;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const { db } = server.context;
    const admin = await createUser(db, {
      email: "admin@spans.test",
      name: "Admin",
      password: PASSWORD,
      isAdmin: true,
    });
    expert = await createUser(db, {
      email: "expert@spans.test",
      name: "Dr Expert",
      password: PASSWORD,
      level: "expert",
    });
    const project = await createProject(db, admin, {
      name: "Spans",
      template: {
        fields: [{ id: "errors", type: "spans", label: "Errors", categories: ["factual error"] }],
      },
      overlap: 1,
      settings: { goldRate: 0 },
    });
    projectId = project.id;
    await setProjectMember(db, admin, projectId, { email: expert.email, role: "annotator" });
    const prompt = "Is the test right?";
    const responses = [{ id: "a", text: RESPONSE }];
    await db
      .insertInto("items")
      .values({
        project_id: projectId,
        external_id: "astral",
        prompt: JSON.stringify(prompt),
        responses: JSON.stringify(responses),
        content_hash: itemContentHash(prompt, responses),
      })
      .execute();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("a selection with a leading space and a trailing period marks the words between", async () => {
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: expert.email, password: PASSWORD },
      `/projects/${projectId}/label`,
    );
    await page.getByText("The test is wrong.").waitFor();

    // Only the space and the period: nothing to mark.
    await dragOver(page, "a", ". ");
    await expect(page.evaluate(() => window.getSelection()?.toString())).resolves.toBe(". ");
    await page.getByRole("button", { name: /factual error/ }).click();
    await page.getByText("Only spaces and punctuation are selected").waitFor();
    await expect(page.locator(".span-item").count()).resolves.toBe(0);

    await dragOver(page, "a", " test is wrong.");
    await expect(page.evaluate(() => window.getSelection()?.toString())).resolves.toBe(
      " test is wrong.",
    );
    await page.getByRole("button", { name: /factual error/ }).click();
    await page.locator(".span-item").getByText("test is wrong").waitFor();
    await expect(page.locator("mark.md-highlight").textContent()).resolves.toBe("test is wrong");

    await page.keyboard.press("Control+Enter");
    await page.getByRole("heading", { name: "Nothing to label right now" }).waitFor();
    const annotation = await server.context.db
      .selectFrom("annotations")
      .select("label")
      .where("user_id", "=", expert.id)
      .executeTakeFirstOrThrow();
    expect(annotation.label).toEqual({
      errors: [
        {
          responseId: "a",
          start: 7,
          end: 20,
          text: "test is wrong",
          category: "factual error",
          severity: "minor",
        },
      ],
    });
    await page.context().close();
  });
});
