import { sql } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, logInThroughForm, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
/** For outcomes the test waits for without claiming how fast they come (a close, a request). */
const settled = { timeout: 10_000, interval: 50 };

interface Person {
  email: string;
  userId: number;
  api: ApiClient;
}

/**
 * A room whose connection the server closes with 4401 while a member has it open: the same
 * code whether their session ended, they left the project or they left the item's panel. The
 * page says which, and offers only the way out that helps.
 */
describe.skipIf(skipBrowserTests)("a room whose access ends, in Chromium", () => {
  // Each test signs people in and waits on the server's checks: longer than the default 30 s
  // on a machine busy with the whole suite.
  vi.setConfig({ testTimeout: 60_000 });
  let server: TestServer;
  let browser: Browser;
  let admin: ApiClient;
  let teams = 0;

  beforeAll(async () => {
    // Open connections are checked when a test says so (accessChanges.notify, or a review's
    // verdict), never on a clock between two of its steps.
    [server, browser] = await Promise.all([
      startTestServer({ SYNC_ACCESS_RECHECK_SECONDS: "3600" }),
      launchBrowser(),
    ]);
    admin = apiClient(
      server.url,
      (await server.createUserWithToken({ email: "admin@room-access.test", isAdmin: true })).token,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /**
   * A project of its own, with a lead, an expert and a junior whose every label a lead reviews,
   * and one item the two annotators labelled apart: the item waits for its panel, the two of
   * them.
   */
  async function disputedTeam() {
    teams++;
    const person = async (name: string, extra: Record<string, unknown> = {}): Promise<Person> => {
      const email = `${name}${teams}@room-access.test`;
      const { userId, token } = await server.createUserWithToken({ email, ...extra });
      return { email, userId, api: apiClient(server.url, token) };
    };
    const lead = await person("lead");
    const expert = await person("expert", { level: "expert", domains: ["medical"] });
    const junior = await person("junior", { level: "junior", domains: ["medical"] });
    const created = await admin.post<{ project: { id: number } }>("/projects", {
      name: `Room access ${teams}`,
      domain: "medical",
      overlap: 2,
      settings: { goldRate: 0, juniorReview: { firstN: 20, rate: 1 } },
      template: {
        fields: [
          {
            id: "verdict",
            type: "choice",
            label: "Verdict",
            options: ["safe", "unsafe"],
            required: true,
          },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const projectId = created.body.project.id;
    for (const [who, role] of [
      [lead, "lead"],
      [expert, "annotator"],
      [junior, "annotator"],
    ] as const) {
      const added = await admin.post(`/projects/${projectId}/members`, { email: who.email, role });
      expect(added.status, JSON.stringify(added.body)).toBeLessThan(300);
    }
    const imported = await admin.post(`/projects/${projectId}/items`, [
      {
        externalId: `access-${teams}`,
        prompt: "Can ibuprofen be taken with warfarin?",
        responses: [{ id: "a", text: "Yes, at any dose." }],
      },
    ]);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    let itemId = 0;
    for (const [who, verdict] of [
      [expert, "unsafe"],
      [junior, "safe"],
    ] as const) {
      const next = await who.api.get<{ item: { id: number } }>(`/queue/next?project=${projectId}`);
      expect(next.status, JSON.stringify(next.body)).toBe(200);
      itemId = next.body.item.id;
      const labelled = await who.api.post(`/items/${itemId}/annotations`, { label: { verdict } });
      expect(labelled.status, JSON.stringify(labelled.body)).toBe(201);
    }
    return { projectId, itemId, lead, expert, junior };
  }

  async function openRoom(who: Person, itemId: number): Promise<Page> {
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: who.email, password: PASSWORD },
      `/items/${itemId}/room`,
    );
    await page.locator(".room[data-room-loaded='true']").waitFor();
    return page;
  }

  const accessNotice = (page: Page) =>
    page.getByRole("alert").filter({ hasText: "Your access to this room has ended" });

  /** The notice offers to continue, not to sign in; continuing takes it away. */
  async function continueInRoom(page: Page): Promise<void> {
    const notice = accessNotice(page);
    const resume = notice.getByRole("button", { name: "Continue from the saved room" });
    await resume.waitFor({ timeout: settled.timeout });
    expect(await notice.getByRole("link", { name: "Sign in again" }).count()).toBe(0);
    await resume.click();
    await expect.poll(() => notice.count(), settled).toBe(0);
  }

  const draftDisabled = (page: Page) =>
    page
      .locator("fieldset.room-fields")
      .evaluate((fieldset) => (fieldset as HTMLFieldSetElement).disabled);

  test("a member whose label a lead rejects is told they left the panel, with no sign-in", async () => {
    const { projectId, itemId, lead, junior } = await disputedTeam();
    const page = await openRoom(junior, itemId);
    expect(await draftDisabled(page)).toBe(false);

    const review = await server.context.db
      .selectFrom("reviews")
      .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
      .select("reviews.id")
      .where("annotations.user_id", "=", junior.userId)
      .where("reviews.verdict", "=", "pending")
      .executeTakeFirstOrThrow();
    const rejected = await lead.api.post(`/reviews/${review.id}`, {
      verdict: "reject",
      comments: [{ text: "Ibuprofen raises the bleeding risk on warfarin." }],
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);

    const notice = accessNotice(page);
    await expect
      .poll(() => notice.textContent(), settled)
      .toContain("you are no longer on this item’s panel");
    expect(await notice.getByRole("link", { name: "Leave the room" }).getAttribute("href")).toBe(
      `/projects/${projectId}`,
    );
    expect(await page.getByRole("link", { name: "Sign in again" }).count()).toBe(0);
    expect(await notice.textContent()).not.toMatch(/sign in/i);
    expect(await draftDisabled(page)).toBe(true);
    await page.context().close();
  });

  test("a lead removed from the project is told so, with no sign-in", async () => {
    const { projectId, itemId, lead } = await disputedTeam();
    const page = await openRoom(lead, itemId);

    const removed = await admin.delete(`/projects/${projectId}/members/${lead.userId}`);
    expect(removed.status, JSON.stringify(removed.body)).toBeLessThan(300);
    server.context.accessChanges.notify();

    const notice = accessNotice(page);
    await expect
      .poll(() => notice.textContent(), settled)
      .toContain("you are no longer a member of this project");
    expect(await notice.getByRole("link", { name: "Leave the room" }).getAttribute("href")).toBe(
      "/projects",
    );
    expect(await page.getByRole("link", { name: "Sign in again" }).count()).toBe(0);
    await page.context().close();
  });

  test("a member whose session ended is offered to sign in again", async () => {
    const { itemId, expert } = await disputedTeam();
    const page = await openRoom(expert, itemId);

    await server.context.db.deleteFrom("sessions").where("user_id", "=", expert.userId).execute();
    server.context.accessChanges.notify();

    const notice = accessNotice(page);
    await expect
      .poll(() => notice.textContent(), settled)
      .toContain("your session has ended; sign in again");
    await notice.getByRole("link", { name: "Sign in again" }).waitFor();
    await page.context().close();
  });

  test("a lead made a client continues in the room as what a client may do: watch", async () => {
    const { projectId, itemId, lead } = await disputedTeam();
    const page = await openRoom(lead, itemId);
    expect(await draftDisabled(page)).toBe(false);

    const changed = await admin.post(`/projects/${projectId}/members`, {
      email: lead.email,
      role: "client",
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);

    await continueInRoom(page);
    // The page was read again with the room: the draft is a client's, read-only.
    await expect.poll(() => draftDisabled(page), settled).toBe(true);
    await page.locator(".room[data-room-loaded='true']").waitFor();
    await page.context().close();
  });

  test("a member signed in again by the time the room closed may continue at once", async () => {
    const { itemId, expert } = await disputedTeam();
    const page = await openRoom(expert, itemId);

    // Signed out elsewhere, then in again in another tab, before this connection was checked:
    // the database's announcement of the sign-out (decision 041) is held back, as it is while
    // an instance is not listening (its connection lost) or has not yet heard it.
    await server.context.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await trx.deleteFrom("sessions").where("user_id", "=", expert.userId).execute();
    });
    const other = await page.context().newPage();
    await other.goto(`${server.url}/login`);
    await logInThroughForm(other, expert.email, PASSWORD);
    server.context.accessChanges.notify();

    await continueInRoom(page);
    await expect.poll(() => draftDisabled(page), settled).toBe(false);
    await page.context().close();
  });
});
