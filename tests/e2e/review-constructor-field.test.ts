import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { User } from "../../db/schema.ts";
import { submitAnnotation } from "../../server/services/annotate.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { createProject, setProjectMember } from "../../server/services/project-admin.ts";
import { nextAssignment } from "../../server/services/queue.ts";
import { findUserByEmail } from "../../server/services/users.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, logInThroughForm, skipBrowserTests, waitForHydration } from "./browser.ts";

const DEMO_PASSWORD = "quorum-demo";

/**
 * On the review page, an optional field named `constructor` that the junior left empty is an
 * empty field like any other: not in error, the same as the junior's label until the lead
 * answers it.
 */
describe.skipIf(skipBrowserTests)("a field named constructor in the correction editor", () => {
  vi.setConfig({ testTimeout: 60_000 });
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;
  let reviewId: number;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ QUORUM_SEED: "demo" }),
      launchBrowser(),
    ]);
    const { db } = server.context;
    const lead = (await findUserByEmail(db, "lead@demo.quorum")) as User;
    const junior = (await findUserByEmail(db, "junior1@demo.quorum")) as User;
    const project = await createProject(db, lead, {
      name: "Review constructor field",
      overlap: 2,
      settings: { goldRate: 0 },
      template: {
        fields: [
          { id: "safety", type: "rating", label: "Safety", min: 1, max: 5, required: true },
          { id: "constructor", type: "choice", label: "Built as claimed", options: ["yes", "no"] },
        ],
      },
    });
    projectId = project.id;
    await setProjectMember(db, lead, projectId, { email: junior.email, role: "annotator" });
    const { token } = await createApiToken(db, lead.id, "constructor field test");
    const imported = await fetch(`${server.url}/api/v1/projects/${projectId}/items`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-ndjson" },
      body: JSON.stringify({
        externalId: "ctor",
        prompt: "Is it built?",
        responses: [{ id: "a", text: "Yes." }],
      }),
    });
    expect(imported.status).toBe(201);
    const assignment = await nextAssignment(db, junior, projectId);
    const submitted = await submitAnnotation(db, junior, assignment!.itemId, {
      label: { safety: 4 },
    });
    expect(submitted.sampledForReview).toBe(true);
    ({ id: reviewId } = await db
      .selectFrom("reviews")
      .select("id")
      .where("annotation_id", "=", submitted.id)
      .executeTakeFirstOrThrow());
    const context = await browser.newContext({ baseURL: server.url });
    page = await context.newPage();
    await page.goto("/login");
    await logInThroughForm(page, "lead@demo.quorum", DEMO_PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("is neither in error nor changed until the lead answers it", async () => {
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });
    await page.goto(`/projects/${projectId}/reviews/${reviewId}`);
    await waitForHydration(page);
    const field = page.locator('[data-correction-field="constructor"]');
    await field.waitFor();

    await expect(
      page.locator('.correction-fields [aria-invalid="true"], .label-field-invalid').count(),
    ).resolves.toBe(0);
    await expect(field.locator(".correction-diff").textContent()).resolves.toMatch(/^Same as /);

    await field.getByRole("radio", { name: /yes/ }).click();
    await expect.poll(() => field.locator(".correction-diff").textContent()).toMatch(/^Changed/);
    expect(pageErrors).toEqual([]);
  });
});
