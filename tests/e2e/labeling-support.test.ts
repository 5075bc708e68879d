import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests, waitForHydration } from "./browser.ts";

const PASSWORD = "correct horse battery staple";

describe.skipIf(skipBrowserTests)("guidelines, previous and flags in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let annotator: ApiClient;
  let lead: ApiClient;
  let projectId: number;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const admin = apiClient(
      server.url,
      (await server.createUserWithToken({ email: "admin@support-e2e.test", isAdmin: true })).token,
    );
    lead = apiClient(
      server.url,
      (await server.createUserWithToken({ email: "lead@support-e2e.test" })).token,
    );
    annotator = apiClient(
      server.url,
      (
        await server.createUserWithToken({
          email: "expert@support-e2e.test",
          level: "expert",
          domains: ["medical"],
        })
      ).token,
    );
    const created = await admin.post<{ project: { id: number } }>("/projects", {
      name: "Support",
      domain: "medical",
      overlap: 2,
      settings: { goldRate: 0 },
      template: {
        fields: [{ id: "harm", type: "rating", label: "Harm", min: 0, max: 4, required: true }],
      },
    });
    projectId = created.body.project.id;
    for (const [email, role] of [
      ["lead@support-e2e.test", "lead"],
      ["expert@support-e2e.test", "annotator"],
    ]) {
      expect((await admin.post(`/projects/${projectId}/members`, { email, role })).status).toBe(
        201,
      );
    }
    await admin.post(`/projects/${projectId}/items`, [
      { externalId: "s-1", prompt: "First question", responses: [{ id: "a", text: "Reply one" }] },
      { externalId: "s-2", prompt: "Second question", responses: [{ id: "a", text: "Reply two" }] },
    ]);
    expect(
      (
        await lead.put(`/projects/${projectId}/guidelines`, {
          body: "Count **any** harm, however small.",
          expectedVersion: 0,
        })
      ).status,
    ).toBe(201);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("guidelines come first, previous changes the last label, a flag reaches the lead", async () => {
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: "expert@support-e2e.test", password: PASSWORD },
      `/projects/${projectId}/label`,
    );
    await page.getByRole("heading", { name: "Before your first item: the guidelines" }).waitFor();
    await expect(page.locator(".guidelines-body strong").textContent()).resolves.toBe("any");
    await page.getByRole("button", { name: "I have read them: start labelling" }).click();
    await page.getByText("0 today · 0 in all · 2 left for you").waitFor();
    await waitForHydration(page);

    // The guidelines stay at hand: g shows and hides them.
    await page.keyboard.press("g");
    await page.locator("#labeling-guidelines .guidelines-body").getByText("harm").waitFor();
    await page.keyboard.press("g");
    await page.locator("#labeling-guidelines").waitFor({ state: "detached" });

    await page.keyboard.press("3");
    await page.keyboard.press("Control+Enter");
    await page.getByText("1 today · 1 in all · 1 left for you").waitFor();
    await waitForHydration(page);

    // Previous: the first label opens again, with its value, and changes while the item waits.
    await page.keyboard.press("Alt+p");
    await page.getByRole("heading", { name: "Change your last label" }).waitFor();
    await waitForHydration(page);
    await expect(
      page.getByRole("radio", { name: "3", exact: true }).getAttribute("aria-checked"),
    ).resolves.toBe("true");
    await page.locator('[data-field-id="harm"]').focus();
    await page.keyboard.press("1");
    await page.keyboard.press("Control+Enter");
    await page.getByRole("heading", { name: "Label this item" }).waitFor();
    const mine = await annotator.get<{ annotations: Array<{ label: unknown }> }>(
      `/projects/${projectId}/annotations/mine`,
    );
    expect(mine.body.annotations.map((annotation) => annotation.label)).toEqual([{ harm: 1 }]);

    // Flag the second item for the lead, from the keyboard.
    await waitForHydration(page);
    await page.keyboard.press("Alt+l");
    const dialog = page.getByRole("dialog", { name: "Flag this item for a lead" });
    await dialog.getByRole("textbox", { name: "Note for the lead" }).fill("Reply two is cut off");
    await dialog.getByRole("button", { name: "Flag item" }).click();
    await page.getByRole("heading", { name: "Nothing to label right now" }).waitFor();
    await page.getByRole("heading", { name: "All done" }).waitFor();
    await page.context().close();

    const flags = await lead.get<{ flags: Array<{ note: string; item: { externalId: string } }> }>(
      `/projects/${projectId}/flags`,
    );
    expect(flags.body.flags).toEqual([
      expect.objectContaining({
        note: "Reply two is cut off",
        item: expect.objectContaining({ externalId: "s-2" }),
      }),
    ]);
  });
});
