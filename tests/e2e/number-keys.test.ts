import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
const topics = Array.from({ length: 12 }, (_, index) => `topic ${index + 1}`);
const responseText = "Warfarin with aspirin is always safe.";

describe.skipIf(skipBrowserTests)("number keys on the labeling page in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let annotator: ApiClient;
  let projectId: number;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const admin = apiClient(
      server.url,
      (await server.createUserWithToken({ email: "admin@keys.test", isAdmin: true })).token,
    );
    annotator = apiClient(
      server.url,
      (
        await server.createUserWithToken({
          email: "expert@keys.test",
          level: "expert",
          domains: ["medical"],
        })
      ).token,
    );
    const created = await admin.post<{ project: { id: number } }>("/projects", {
      name: "Number keys",
      domain: "medical",
      overlap: 1,
      settings: { goldRate: 0 },
      template: {
        fields: [
          { id: "harm", type: "rating", label: "Harm", min: 0, max: 4, required: true },
          { id: "topic", type: "choice", label: "Topic", options: topics, required: true },
          {
            id: "errors",
            type: "spans",
            label: "Errors",
            categories: ["factual error", "missing warning"],
          },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    projectId = created.body.project.id;
    expect(
      (
        await admin.post(`/projects/${projectId}/members`, {
          email: "expert@keys.test",
          role: "annotator",
        })
      ).status,
    ).toBeLessThan(300);
    const imported = await admin.post(`/projects/${projectId}/items`, [
      {
        externalId: "keys-1",
        prompt: "Is warfarin with aspirin safe?",
        responses: [{ id: "a", text: responseText }],
      },
    ]);
    expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const focusedFieldId = (page: Page) =>
    page.evaluate(
      () =>
        document.activeElement?.closest("[data-field-id]")?.getAttribute("data-field-id") ?? null,
    );

  test("4 rates 4 on a 0–4 scale, 1 then 2 picks the twelfth option, s then 3 a severity", async () => {
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: "expert@keys.test", password: PASSWORD },
      `/projects/${projectId}/label`,
    );
    await page.getByText(responseText).waitFor();
    expect(await focusedFieldId(page)).toBe("harm");
    // The buttons show their value and no other number beside it.
    await expect(
      page.locator('[data-field-id="harm"] [role="radio"]').allTextContents(),
    ).resolves.toEqual(["0", "1", "2", "3", "4"]);

    await page.keyboard.press("4");
    await expect(
      page.getByRole("radio", { name: "4", exact: true }).getAttribute("aria-checked"),
    ).resolves.toBe("true");
    expect(await focusedFieldId(page)).toBe("topic");

    await page.keyboard.press("1");
    await page.keyboard.press("2");
    await expect(
      page.getByRole("radio", { name: /^topic 12/ }).getAttribute("aria-checked"),
    ).resolves.toBe("true");
    await expect(
      page.getByRole("radio", { name: /^topic 1\b/ }).getAttribute("aria-checked"),
    ).resolves.toBe("false");
    expect(await focusedFieldId(page)).toBe("errors");

    // Read the response, select its first word, mark it, then make it critical.
    await page.keyboard.press("a");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Shift+ArrowLeft");
    await expect(page.evaluate(() => window.getSelection()?.toString())).resolves.toBe("Warfarin");
    await page.keyboard.press("1");
    await page.locator(".span-item").getByText("Warfarin").waitFor();
    await page.keyboard.press("s");
    await page.keyboard.press("3");
    await expect(page.locator(".span-item select").nth(1).inputValue()).resolves.toBe("critical");

    await page.keyboard.press("Control+Enter");
    await page.getByRole("heading", { name: "Nothing to label right now" }).waitFor();
    await page.context().close();

    const mine = await annotator.get<{ annotations: Array<{ label: Record<string, unknown> }> }>(
      `/projects/${projectId}/annotations/mine`,
    );
    expect(mine.status).toBe(200);
    expect(mine.body.annotations.map((annotation) => annotation.label)).toEqual([
      {
        harm: 4,
        topic: "topic 12",
        errors: [
          {
            responseId: "a",
            start: 0,
            end: "Warfarin".length,
            text: "Warfarin",
            category: "factual error",
            severity: "critical",
          },
        ],
      },
    ]);
  });
});
