import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { operations } from "../../server/http/openapi/operations.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, skipBrowserTests } from "./browser.ts";

describe.skipIf(skipBrowserTests)("the API reference page in Chromium", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("lists every operation under the app's Content-Security-Policy, with nothing blocked", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    await page.exposeFunction("reportCspViolation", (violation: string) => {
      problems.push(violation);
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        const report = (window as unknown as { reportCspViolation: (text: string) => void })
          .reportCspViolation;
        void report(`${event.violatedDirective} blocked ${event.blockedURI}`);
      });
    });
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("response", (response) => {
      if (response.status() >= 400 && !response.url().endsWith("/favicon.ico")) {
        problems.push(`${response.status()} ${response.url()}`);
      }
    });
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));

    await page.goto(`${server.url}/api/docs`);
    await page.locator(".opblock").first().waitFor();
    expect(await page.locator(".opblock").count()).toBe(operations.length);
    await page.locator("#operations-Projects-createProject .opblock-summary").click();
    await page.getByText("Example Value").first().waitFor();

    expect(problems).toEqual([]);
    // Self-hosted: nothing is fetched from anywhere but Quorum itself.
    expect(requested.filter((url) => !url.startsWith(server.url))).toEqual([]);
    await page.close();
  });
});
