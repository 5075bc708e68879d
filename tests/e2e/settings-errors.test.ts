import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { apiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";

describe.skipIf(skipBrowserTests)("errors on the project settings page, in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const admin = apiClient(
      server.url,
      (await server.createUserWithToken({ email: "admin@settings-e2e.test", isAdmin: true })).token,
    );
    const created = await admin.post<{ project: { id: number } }>("/projects", {
      name: "Settings",
      template: {
        fields: [{ id: "harm", type: "rating", label: "Harm", min: 0, max: 4, required: true }],
      },
    });
    page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: "admin@settings-e2e.test", password: PASSWORD },
      `/projects/${created.body.project.id}/settings`,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The input's error, as assistive technology reads it with the input. */
  async function describedError(label: string) {
    const input = page.getByLabel(label, { exact: true });
    const ids = (await input.getAttribute("aria-describedby"))?.split(" ") ?? [];
    const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
    return {
      invalid: await input.getAttribute("aria-invalid"),
      error: texts.find((text) => text?.startsWith("Enter")) ?? null,
    };
  }

  async function save(form: string) {
    const section = page.locator("section.card", {
      has: page.getByRole("heading", { name: form, exact: true }),
    });
    await Promise.all([
      page.waitForResponse((response) => response.request().method() === "POST"),
      section.getByRole("button", { name: "Save" }).click(),
    ]);
    // The button reads "Saving…" until the page has taken the answer in.
    await section.getByRole("button", { name: "Save", exact: true }).waitFor();
  }

  test("a number out of range is refused at its input, in words", async () => {
    for (const [value, outcome] of [
      ["0", "Enter a whole number of minutes from 1 to 10080 (a week)"],
      ["10081", "Enter a whole number of minutes from 1 to 10080 (a week)"],
    ] as const) {
      await page.getByLabel("Reservation (minutes)").fill(value);
      await save("Workflow");
      await expect
        .poll(() => describedError("Reservation (minutes)"))
        .toEqual({
          invalid: "true",
          error: outcome,
        });
    }
    await page.getByLabel("Reservation (minutes)").fill("30");
    await page.getByLabel("Gold rating tolerance").fill("-1");
    await save("Workflow");
    await expect
      .poll(() => describedError("Gold rating tolerance"))
      .toEqual({
        invalid: "true",
        error: "Enter a whole number from 0 to 100",
      });
    await expect
      .poll(() => describedError("Reservation (minutes)"))
      .toEqual({
        invalid: null,
        error: null,
      });

    for (const value of ["0", "51"]) {
      await page.getByLabel("Overlap").fill(value);
      await save("Project");
      await expect
        .poll(() => describedError("Overlap"))
        .toEqual({
          invalid: "true",
          error: "Enter a whole number from 1 to 50",
        });
    }
    await expect(page.getByText("Too small").count()).resolves.toBe(0);
    await expect(page.getByText("Too big").count()).resolves.toBe(0);
  });
});
