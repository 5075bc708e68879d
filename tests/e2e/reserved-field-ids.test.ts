import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
const settled = { timeout: 10_000 };

/**
 * A field id may be a word every JavaScript object answers to (`constructor`): the labeling page
 * treats it as any other field, on arrival, when it is left empty, and when the server refuses
 * its value.
 */
const fields = [
  { id: "constructor", type: "choice", label: "Built as claimed", options: ["yes", "no"] },
  { id: "critique", type: "text", label: "Critique" },
];

describe.skipIf(skipBrowserTests)(
  "a field named constructor on the labeling page, in Chromium",
  () => {
    vi.setConfig({ testTimeout: 60_000 });
    let server: TestServer;
    let browser: Browser;
    let admin: ApiClient;

    beforeAll(async () => {
      [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
      admin = apiClient(
        server.url,
        (await server.createUserWithToken({ email: "admin@reserved-ids.test", isAdmin: true }))
          .token,
      );
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    const field = (page: Page, fieldId: string) => page.locator(`[data-field-id="${fieldId}"]`);

    test("is neither in error on arrival nor after a refusal, and takes its value", async () => {
      const email = "expert@reserved-ids.test";
      const { userId } = await server.createUserWithToken({ email, level: "expert" });
      const created = await admin.post<{ project: { id: number } }>("/projects", {
        name: "Reserved field ids",
        overlap: 1,
        settings: { goldRate: 0 },
        template: {
          fields: [{ ...fields[0], required: true }, fields[1]],
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const projectId = created.body.project.id;
      expect(
        (await admin.post(`/projects/${projectId}/members`, { email, role: "annotator" })).status,
      ).toBe(201);
      await admin.post(`/projects/${projectId}/items`, [
        { externalId: "ctor-1", prompt: "Is it built?", responses: [{ id: "a", text: "Yes." }] },
      ]);

      const page = await openSignedIn(
        browser,
        { baseUrl: server.url, email, password: PASSWORD },
        `/projects/${projectId}/label`,
      );
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));
      // The refusal's 422 is logged by the browser as a failed load: only the page's own errors count.
      page.on("console", (message) => {
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
          pageErrors.push(message.text());
        }
      });
      await page.getByRole("heading", { name: "Label this item" }).waitFor();

      // On arrival: no field is in error.
      await expect(
        page.locator('[aria-invalid="true"], .label-field-invalid').count(),
      ).resolves.toBe(0);
      await expect(page.getByRole("alert").filter({ hasText: /\S/ }).count()).resolves.toBe(0);

      // Left empty, the required field says so, in words.
      await page.getByRole("button", { name: "Submit and next" }).click();
      await expect
        .poll(() => field(page, "constructor").getByRole("alert").textContent(), settled)
        .toBe("This field is required.");
      await expect(field(page, "critique").locator(".label-field-error").count()).resolves.toBe(0);

      // Answered, the error goes; the lead then takes that answer out of the template, and the
      // server refuses it: the refusal is told at the field.
      await page.getByRole("radio", { name: /yes/ }).click();
      await expect(field(page, "constructor").getByRole("alert").count()).resolves.toBe(0);
      const changed = await admin.patch(`/projects/${projectId}`, {
        template: {
          fields: [{ ...fields[0], options: ["no", "unsure"], required: true }, fields[1]],
        },
      });
      expect(changed.status, JSON.stringify(changed.body)).toBe(200);
      await page.getByRole("button", { name: "Submit and next" }).click();
      await expect
        .poll(() => field(page, "constructor").getByRole("alert").textContent(), settled)
        .toMatch(/\w/);
      await expect(
        field(page, "critique").locator(".label-field-invalid, [aria-invalid='true']").count(),
      ).resolves.toBe(0);

      await page.reload();
      await page.getByRole("heading", { name: "Label this item" }).waitFor();
      await page.getByRole("radio", { name: /unsure/ }).click();
      await page.getByRole("button", { name: "Submit and next" }).click();
      await expect
        .poll(
          () =>
            server.context.db
              .selectFrom("annotations")
              .select("label")
              .where("user_id", "=", userId)
              .executeTakeFirst(),
          settled,
        )
        .toEqual({ label: { constructor: "unsure" } });
      expect(pageErrors).toEqual([]);
    });
  },
);
