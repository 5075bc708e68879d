import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { SESSION_COOKIE_NAME } from "../../server/http/credentials.ts";
import { listVisibleProjects } from "../../server/services/projects.ts";
import { findUserByEmail } from "../../server/services/users.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, logInThroughForm, skipBrowserTests, waitForHydration } from "./browser.ts";

const LEAD_EMAIL = "lead@demo.quorum";
const DEMO_PASSWORD = "quorum-demo";

describe.skipIf(skipBrowserTests)("the web app in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ QUORUM_SEED: "demo" }),
      launchBrowser(),
    ]);
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

  async function sessionCookie() {
    const cookies = await context.cookies();
    return cookies.find((cookie) => cookie.name === SESSION_COOKIE_NAME);
  }

  async function meWithToken(token: string) {
    return fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  }

  test("the demo lead signs in and sees the projects they belong to", async () => {
    const lead = await findUserByEmail(server.context.db, LEAD_EMAIL);
    expect(lead, "the demo seed creates the lead").toBeDefined();
    const expectedNames = (await listVisibleProjects(server.context.db, lead!)).map(
      (project) => project.name,
    );
    expect(expectedNames.length).toBeGreaterThan(0);

    await page.goto("/");
    expect(new URL(page.url()).pathname).toBe("/login");
    await expect(
      page.getByLabel("Email").evaluate((input) => input === document.activeElement),
    ).resolves.toBe(true);

    await logInThroughForm(page, LEAD_EMAIL, DEMO_PASSWORD);
    expect(new URL(page.url()).pathname).toBe("/projects");
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Projects");
    const projectList = page.getByRole("list", { name: "Your projects" });
    const shownNames = await projectList.getByRole("heading", { level: 2 }).allTextContents();
    expect(shownNames).toEqual(expectedNames);
    await expect(projectList.getByText("Lead", { exact: true }).count()).resolves.toBeGreaterThan(
      0,
    );
    await expect(page.getByRole("navigation", { name: "Main" }).textContent()).resolves.toContain(
      "Settings",
    );
    await expect(page.locator(".site-user-name").textContent()).resolves.toBe(lead!.name);
  });

  test("a wrong password is reported on the form and opens no session", async () => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(LEAD_EMAIL);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();

    const alert = page.getByRole("alert").filter({ hasText: "Email or password is incorrect" });
    await alert.waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    await expect(page.getByLabel("Email").inputValue()).resolves.toBe(LEAD_EMAIL);
    await expect(sessionCookie()).resolves.toBeUndefined();

    await page.getByLabel("Email").fill("");
    await page.getByLabel("Password").fill("");
    await page.getByRole("button", { name: "Sign in" }).click();
    const email = page.getByLabel("Email");
    await page.getByText("Enter your email address").waitFor();
    await expect(email.getAttribute("aria-invalid")).resolves.toBe("true");
    const describedBy = await email.getAttribute("aria-describedby");
    expect(describedBy).toBeTruthy();
    await expect(page.locator(`[id="${describedBy}"]`).textContent()).resolves.toContain(
      "Enter your email address",
    );
  });

  test("logging out ends the session, even for a saved copy of the cookie", async () => {
    await page.goto("/projects");
    await logInThroughForm(page, LEAD_EMAIL, DEMO_PASSWORD);
    const cookie = await sessionCookie();
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Lax");

    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await expect(sessionCookie()).resolves.toBeUndefined();

    await page.goto("/projects");
    expect(new URL(page.url()).pathname).toBe("/login");

    await context.addCookies([cookie!]);
    await page.goto("/projects");
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  test("a token created in settings works on the API until it is revoked", async () => {
    await page.goto("/settings");
    expect(new URL(page.url()).searchParams.get("redirectTo")).toBe("/settings");
    await logInThroughForm(page, LEAD_EMAIL, DEMO_PASSWORD);
    expect(new URL(page.url()).pathname).toBe("/settings");
    await waitForHydration(page);

    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByText("Give the token a name").waitFor();

    await page.getByLabel("New token name").fill("nightly export");
    await page.getByRole("button", { name: "Create token" }).click();
    const tokenField = page.getByLabel("New API token");
    await tokenField.waitFor();
    const token = await tokenField.inputValue();
    expect(token).toMatch(/^qrm_/);

    const me = await meWithToken(token);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(LEAD_EMAIL);

    await page.reload();
    await waitForHydration(page);
    await expect(page.getByLabel("New API token").count()).resolves.toBe(0);
    const row = page.getByRole("row", { name: /nightly export/ });
    await expect(row.getByText("Active").count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toContain(token.slice(0, 10));

    await row.getByRole("button", { name: "Revoke nightly export" }).click();
    const stillActive = await meWithToken(token);
    expect(stillActive.status, "asking for confirmation revokes nothing").toBe(200);
    await row.getByRole("button", { name: "Revoke", exact: true }).click();
    await row.getByText(/^Revoked/).waitFor();

    const revoked = await meWithToken(token);
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  test("an unknown address shows a 404 page inside the app shell", async () => {
    await page.goto("/projects");
    await logInThroughForm(page, LEAD_EMAIL, DEMO_PASSWORD);
    const response = await page.goto("/no/such/page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
      "Page not found",
    );
    await expect(page.getByRole("link", { name: "Projects", exact: true }).count()).resolves.toBe(
      1,
    );
  });

  test("pages fit a 375-pixel-wide phone screen", async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto("/projects");
    await logInThroughForm(page, LEAD_EMAIL, DEMO_PASSWORD);
    for (const path of ["/projects", "/settings"]) {
      await page.goto(path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
    }
  });
});
