import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { findUserByEmail } from "../../server/services/users.ts";
import { disputedLabels, responses, template } from "../setup/adjudication.ts";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests, waitForHydration } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
const ADMIN = { email: "ada@people.test", name: "Ada Admin" };
const INVITEE = { email: "ines@people.test", name: "Ines Invitee" };
const INVITEE_PASSWORD = "iodine and saline drips";
/** An annotator whose account exists from the start, so that no test rests on the invite's. */
const MEMBER = { email: "mo@people.test", name: "Mo Member" };
const RESET_PASSWORD = "a second passphrase here";

/**
 * The life of an account, in a real Chromium: an admin invites an annotator from Admin → Users
 * and copies the link; the invitee, in a browser of their own, sets a password and is signed in.
 * The admin edits another annotator's level and rate, disables them (their open room closes at
 * once and their next page is the sign-in form), enables them again and hands out a password
 * reset link, which works once.
 */
describe.skipIf(skipBrowserTests)("managing people in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let admin: Page;
  let adminApi: ApiClient;
  let member: { userId: number; token: string };

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      // The periodic recheck is far away: a room that closes within seconds was closed by the
      // disabling itself.
      startTestServer({ SYNC_ACCESS_RECHECK_SECONDS: "300" }),
      launchBrowser(),
    ]);
    const created = await server.createUserWithToken({ ...ADMIN, isAdmin: true });
    adminApi = apiClient(server.url, created.token);
    member = await server.createUserWithToken({
      ...MEMBER,
      level: "junior",
      domains: ["medical"],
    });
    admin = await openSignedIn(
      browser,
      { baseUrl: server.url, email: ADMIN.email, password: PASSWORD },
      "/projects",
      (context) => context.grantPermissions(["clipboard-read", "clipboard-write"]),
    );
    contexts.push(admin.context());
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  const userRow = (email: string) => admin.getByRole("row").filter({ hasText: email });

  async function openUsersPage(): Promise<void> {
    await admin.goto(`${server.url}/admin/users`);
    await waitForHydration(admin);
  }

  /** A page in a browser context of its own, where nobody is signed in yet. */
  async function newSignedOutPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context.newPage();
  }

  test("an admin invites an annotator, who sets a password and is signed in", async () => {
    await admin
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Admin" })
      .click();
    await admin.waitForURL((url) => url.pathname === "/admin/users");
    await admin.getByRole("heading", { level: 1, name: "Users" }).waitFor();
    await waitForHydration(admin);

    const form = admin
      .locator("form")
      .filter({ has: admin.getByRole("button", { name: "Invite", exact: true }) });
    await form.getByLabel("Email").fill(INVITEE.email);
    await form.getByLabel("Name").fill(INVITEE.name);
    await form.getByLabel("Annotator level").selectOption("junior");
    const domains = form.getByLabel("Domains", { exact: true });
    await domains.fill("medical");
    await domains.press("Enter");
    await domains.fill("astrology");
    await domains.press("Enter");
    await form.getByText("“astrology” is not a domain").waitFor();
    await domains.fill("language:de");
    await domains.press("Enter");
    await domains.fill("legal");
    await domains.press("Enter");
    await domains.press("Backspace");
    const chosen = form.getByRole("list", { name: "Domains: chosen" });
    await expect(chosen.getByRole("listitem").allTextContents()).resolves.toEqual([
      "medical×",
      "language:de×",
    ]);
    await form.getByLabel("Rate per hour").fill("40");
    await form.getByRole("button", { name: "Invite", exact: true }).click();

    const linkField = admin.getByRole("textbox", {
      name: `Invite link for ${INVITEE.name}`,
      exact: true,
    });
    await linkField.waitFor();
    const link = await linkField.inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/invite/[A-Za-z0-9_-]{43}$`));
    await admin
      .getByText(/This workspace sends no email: copy the link/)
      .first()
      .waitFor();
    await admin.getByRole("button", { name: "Copy link" }).click();
    await admin.getByText("Copied", { exact: true }).waitFor();
    await expect(admin.evaluate(() => navigator.clipboard.readText())).resolves.toBe(link);
    await expect(userRow(INVITEE.email).textContent()).resolves.toMatch(/Invited, until/);

    const invitee = await newSignedOutPage();
    await invitee.goto(link);
    await invitee.getByRole("heading", { name: "Welcome to Quorum" }).waitFor();
    await invitee.getByLabel("Password", { exact: true }).fill(INVITEE_PASSWORD);
    await invitee.getByLabel("Repeat the password").fill(INVITEE_PASSWORD);
    await invitee.getByRole("button", { name: "Set password and sign in" }).click();
    await invitee.waitForURL((url) => url.pathname === "/projects");
    await expect(invitee.locator(".site-user-name").textContent()).resolves.toBe(INVITEE.name);

    const stored = await findUserByEmail(server.context.db, INVITEE.email);
    expect(stored).toMatchObject({ level: "junior", domains: ["medical", "language:de"] });
    expect(stored!.hourly_rate_cents).toBe(4000);
  });

  test("the admin edits an annotator's level and rate", async () => {
    await openUsersPage();
    await userRow(MEMBER.email)
      .getByRole("link", { name: `Edit ${MEMBER.name}` })
      .click();
    const edit = admin.getByRole("form", { name: `Edit ${MEMBER.name}` });
    await edit.waitFor();
    await edit.getByLabel("Annotator level").selectOption("expert");
    await edit.getByLabel("Rate per hour").fill("55.5");
    await edit.getByRole("button", { name: `Save changes to ${MEMBER.name}` }).click();
    await admin.getByText(`Saved the changes to ${MEMBER.name}.`).waitFor();
    const row = userRow(MEMBER.email);
    await expect(row.textContent()).resolves.toContain("expert");
    await expect(row.textContent()).resolves.toContain("55.50");
    expect(await admin.getByRole("form", { name: `Edit ${MEMBER.name}` }).count()).toBe(0);
  });

  test("disabling signs an annotator out at once and closes their open room", async () => {
    const itemId = await disputedItemLabelledBy(member.token);
    const memberPage = await openSignedIn(
      browser,
      { baseUrl: server.url, email: MEMBER.email, password: PASSWORD },
      `/items/${itemId}/room`,
    );
    contexts.push(memberPage.context());
    await memberPage.locator(".room[data-room-loaded='true']").waitFor();
    await memberPage.locator(".save-status").filter({ hasText: "Saved" }).waitFor();

    await openUsersPage();
    await userRow(MEMBER.email)
      .getByRole("button", { name: `Disable ${MEMBER.name}` })
      .click();
    await userRow(MEMBER.email).getByRole("button", { name: "Disable", exact: true }).click();
    await admin.getByText(`Disabled ${MEMBER.name}`).waitFor();
    // The notice shows while the list is still being reloaded: wait for the row to follow.
    await userRow(MEMBER.email).getByText("Disabled", { exact: true }).waitFor();

    await memberPage
      .getByRole("alert")
      .filter({ hasText: "Your access to this room has ended" })
      .waitFor({ timeout: 5_000 });
    await memberPage.goto(`${server.url}/projects`);
    expect(new URL(memberPage.url()).pathname).toBe("/login");
  });

  test("re-enabled, an annotator uses a password reset link once", async () => {
    // Disabled here as well, through the API, so that this test does not rest on the one before.
    const disabled = await adminApi.patch(`/users/${member.userId}`, { disabled: true });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    await openUsersPage();
    await userRow(MEMBER.email)
      .getByRole("button", { name: `Enable ${MEMBER.name}` })
      .click();
    await admin.getByText(`Enabled ${MEMBER.name}`).waitFor();
    await userRow(MEMBER.email)
      .getByRole("button", { name: `Reset password for ${MEMBER.name}` })
      .click();
    const linkField = admin.getByRole("textbox", {
      name: `Password reset link for ${MEMBER.name}`,
      exact: true,
    });
    await linkField.waitFor();
    const link = await linkField.inputValue();

    const memberPage = await newSignedOutPage();
    await memberPage.goto(link);
    await memberPage.getByRole("heading", { name: "Choose a new password" }).waitFor();
    await memberPage.getByLabel("Password", { exact: true }).fill(RESET_PASSWORD);
    await memberPage.getByLabel("Repeat the password").fill(RESET_PASSWORD);
    await memberPage.getByRole("button", { name: "Save and sign in" }).click();
    await memberPage.waitForURL((url) => url.pathname === "/projects");
    await expect(memberPage.locator(".site-user-name").textContent()).resolves.toBe(MEMBER.name);

    const reused = await memberPage.goto(link);
    expect(reused?.status()).toBe(410);
    await memberPage.getByRole("heading", { name: "This link has already been used" }).waitFor();
    await expect(memberPage.getByRole("link", { name: "Go to sign in" }).count()).resolves.toBe(1);
  });

  /**
   * A project of two annotators, the member and an expert, with one item they labelled in
   * disagreement: the member may then edit its adjudication room.
   */
  async function disputedItemLabelledBy(memberToken: string): Promise<number> {
    const project = await adminApi.post<{ project: { id: number } }>("/projects", {
      name: "Warfarin interactions",
      template,
      overlap: 2,
    });
    expect(project.status, JSON.stringify(project.body)).toBe(201);
    const projectId = project.body.project.id;
    const other = await server.createUserWithToken({
      email: "other@people.test",
      level: "expert",
      domains: ["medical"],
    });
    const memberApi = apiClient(server.url, memberToken);
    const otherApi = apiClient(server.url, other.token);
    for (const email of [MEMBER.email, "other@people.test"]) {
      const added = await adminApi.post(`/projects/${projectId}/members`, {
        email,
        role: "annotator",
      });
      expect(added.status, JSON.stringify(added.body)).toBe(201);
    }
    const imported = await adminApi.post(`/projects/${projectId}/items`, [
      { externalId: "warfarin-1", prompt: "Warfarin with an antibiotic?", responses },
    ]);
    expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
    let itemId = 0;
    for (const [api, label] of [
      [memberApi, disputedLabels[0]],
      [otherApi, disputedLabels[2]],
    ] as const) {
      const next = await api.get<{ assignment: { itemId: number } | null }>(
        `/queue/next?project=${projectId}`,
      );
      itemId = next.body.assignment!.itemId;
      const submitted = await api.post(`/items/${itemId}/annotations`, { label });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    }
    const item = await adminApi.get<{ item: { status: string } }>(`/items/${itemId}`);
    expect(item.body.item.status).toBe("disputed");
    return itemId;
  }
});
