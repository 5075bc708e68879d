import type { Browser, BrowserContext, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { itemRoomName, labelToJson } from "../../app/domain/room.ts";
import type { User } from "../../db/schema.ts";
import { submitAnnotation } from "../../server/services/annotate.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { createProject, setProjectMember } from "../../server/services/project-admin.ts";
import { nextAssignment } from "../../server/services/queue.ts";
import { findUserByEmail } from "../../server/services/users.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import {
  launchBrowser,
  openSignedIn,
  roomEditor,
  roomEditorText,
  skipBrowserTests,
} from "./browser.ts";

const DEMO_PASSWORD = "quorum-demo";
const LEAD = "lead@demo.quorum";
const AMARA = { email: "expert1@demo.quorum", name: "Dr. Amara Okafor" };
const LUKAS = { email: "expert2@demo.quorum", name: "Lukas Brandt" };
const MEI = { email: "expert3@demo.quorum", name: "Mei Tanaka" };

/** A rating the experts can disagree on, and free text that the lost change goes into. */
const TEMPLATE = {
  fields: [
    { id: "safety", type: "rating", label: "Safety", min: 1, max: 5, required: true },
    { id: "notes", type: "text", label: "Notes" },
  ],
};

/** Within a second of the action: polled from the moment it was taken. */
const live = { timeout: 1_000, interval: 25 };
/** For outcomes the test waits for without claiming how fast they come (a request, a reconnect). */
const settled = { timeout: 10_000, interval: 50 };

/**
 * The publish rules of an adjudication room in a real Chromium, each person in a browser context
 * of their own: a quorum of panel approvals, and a change that reaches the server only after
 * the room was published.
 */
let server: TestServer;
let browser: Browser;

/**
 * A project of the lead's own with one item that the given experts rated far apart, so that it
 * waits for adjudication with them as its panel. Returns the item's id.
 */
async function disputedItem(
  name: string,
  settings: Record<string, unknown>,
  ratings: ReadonlyArray<[email: string, safety: number]>,
): Promise<number> {
  const { db } = server.context;
  const lead = (await findUserByEmail(db, LEAD)) as User;
  const project = await createProject(db, lead, {
    name,
    overlap: ratings.length,
    settings: { goldRate: 0, ...settings },
    template: TEMPLATE,
  });
  for (const [email] of ratings) {
    await setProjectMember(db, lead, project.id, { email, role: "annotator" });
  }
  const { token } = await createApiToken(db, lead.id, `${name} test`);
  const imported = await fetch(`${server.url}/api/v1/projects/${project.id}/items`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-ndjson" },
    body: JSON.stringify({
      externalId: "warfarin-cotrimoxazole",
      prompt: "Is co-trimoxazole safe for a man on warfarin?",
      responses: [{ id: "a", text: "Yes, no dose change or INR check is needed." }],
    }),
  });
  expect(imported.status).toBe(201);
  let itemId = 0;
  for (const [email, safety] of ratings) {
    const annotator = (await findUserByEmail(db, email)) as User;
    const assignment = await nextAssignment(db, annotator, project.id);
    expect(assignment, email).not.toBeNull();
    itemId = assignment!.itemId;
    await submitAnnotation(db, annotator, itemId, { label: { safety } });
  }
  const item = await db
    .selectFrom("items")
    .select("status")
    .where("id", "=", itemId)
    .executeTakeFirstOrThrow();
  expect(item.status).toBe("disputed");
  return itemId;
}

async function openRoom(
  email: string,
  itemId: number,
  prepare?: (context: BrowserContext) => Promise<void>,
): Promise<Page> {
  const page = await openSignedIn(
    browser,
    { baseUrl: server.url, email, password: DEMO_PASSWORD },
    `/items/${itemId}/room`,
    prepare,
  );
  await page.locator(".room[data-room-loaded='true']").waitFor();
  return page;
}

type Direction = "up" | "down";

/**
 * One person's network, as far as their room's sync sockets go. Chromium's offline mode leaves
 * open WebSockets alone, so these sockets pass through the test instead, which can drop them as
 * a lost network would (and let no new one through until the network is back), or hold what
 * travels one way, `up` from the page or `down` to it, as a stalled link would.
 */
class Network {
  private offline = false;
  private readonly holding: Record<Direction, boolean> = { up: false, down: false };
  private held: Record<Direction, Array<() => void>> = { up: [], down: [] };
  private readonly sockets = new Set<WebSocketRoute>();

  readonly carry = async (context: BrowserContext): Promise<void> => {
    await context.routeWebSocket(/\/sync\//, async (page) => {
      if (this.offline) {
        await page.close({ code: 1006, reason: "offline" });
        return;
      }
      const server = page.connectToServer();
      page.onMessage((message) => this.pass("up", () => server.send(message)));
      server.onMessage((message) => this.pass("down", () => page.send(message)));
      this.sockets.add(page);
    });
  };

  async goOffline(context: BrowserContext): Promise<void> {
    this.offline = true;
    await context.setOffline(true);
    const open = [...this.sockets];
    this.sockets.clear();
    await Promise.all(open.map((socket) => socket.close({ code: 1006, reason: "offline" })));
  }

  async goOnline(context: BrowserContext): Promise<void> {
    this.offline = false;
    await context.setOffline(false);
  }

  hold(direction: Direction): void {
    this.holding[direction] = true;
  }

  /** Delivers what was held, in order, and from then on everything at once. */
  release(direction: Direction): void {
    this.holding[direction] = false;
    const held = this.held[direction];
    this.held = { ...this.held, [direction]: [] };
    for (const send of held) send();
  }

  private pass(direction: Direction, send: () => void): void {
    if (this.holding[direction]) this.held[direction].push(send);
    else send();
  }
}

async function publishedVersions(itemId: number) {
  return server.context.db
    .selectFrom("adjudications")
    .select(["version", "label", "published_by"])
    .where("item_id", "=", itemId)
    .orderBy("version")
    .execute();
}

const saveStatus = (page: Page) => page.locator(".save-status");
const roomStatus = (page: Page) => page.locator(".room").getAttribute("data-room-status");
const notesEditor = (page: Page) => roomEditor(page, "notes");
const notesText = (page: Page) => roomEditorText(page, "notes");
const safetyPoint = (page: Page, point: number) =>
  page
    .locator('[data-field-id="safety"] [role="radio"]')
    .filter({ has: page.locator(".choice-value", { hasText: new RegExp(`^${point}$`) }) });
const checkedSafety = (page: Page) =>
  page
    .locator('[data-field-id="safety"] [role="radio"][aria-checked="true"] .choice-value')
    .textContent();
/** Every control of the draft is disabled, as a disabled fieldset makes them. */
const draftDisabled = async (page: Page) =>
  (await page.locator(".room-fields").getAttribute("disabled")) !== null &&
  (await safetyPoint(page, 1).isDisabled()) &&
  (await notesEditor(page).getAttribute("contenteditable")) === "false";

describe.skipIf(skipBrowserTests)("room rules in Chromium", () => {
  // A test that signs people in and works in live rooms takes longer than the default 30 s on a
  // machine busy with the whole suite.
  vi.setConfig({ testTimeout: 60_000 });
  beforeAll(async () => {
    [server, browser] = await Promise.all([
      // Open connections' access is rechecked twice a second rather than every 30 seconds.
      startTestServer({ QUORUM_SEED: "demo", SYNC_ACCESS_RECHECK_SECONDS: "0.5" }),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  describe("a quorum of two panel approvals", () => {
    const meiNetwork = new Network();
    let itemId: number;
    let amara: Page;
    let lukas: Page;
    let mei: Page;
    let panel: Page[];

    const NOTE = "Recheck the INR within three days.";
    const approvalCount = (page: Page) => page.locator(".publish .approvals strong").textContent();
    const approveButton = (page: Page) => page.getByRole("button", { name: /approve/i });
    const publishButton = (page: Page) => page.getByRole("button", { name: "Publish version 1" });

    beforeAll(async () => {
      itemId = await disputedItem(
        "Quorum of two",
        { publishRule: { kind: "quorum", approvals: 2 } },
        [
          [AMARA.email, 1],
          [LUKAS.email, 3],
          [MEI.email, 5],
        ],
      );
      [amara, lukas, mei] = await Promise.all([
        openRoom(AMARA.email, itemId),
        openRoom(LUKAS.email, itemId),
        openRoom(MEI.email, itemId, meiNetwork.carry),
      ]);
      panel = [amara, lukas, mei];
    });

    test("before anyone approves, the count is 0 of 2 and nobody may publish", async () => {
      for (const page of panel) {
        await expect.poll(() => saveStatus(page).textContent(), settled).toBe("Saved");
        expect(await checkedSafety(page)).toBe("3");
        expect(await approvalCount(page)).toBe("0 of 2");
        expect(await approveButton(page).textContent()).toBe("Approve this draft");
        expect(await approveButton(page).isEnabled()).toBe(true);
        expect(await publishButton(page).isDisabled()).toBe(true);
        expect(await page.locator(".publish").textContent()).toContain(
          "Publishing needs 2 approvals of the draft as it is now; it has none.",
        );
      }
    });

    test("an approval reaches every member's page within a second", async () => {
      await approveButton(amara).click();
      // Timed from when the approval is stored and in the room, which the approver sees first.
      await expect.poll(() => approvalCount(amara), settled).toBe("1 of 2");
      for (const page of panel) {
        await expect.poll(() => approvalCount(page), live).toBe("1 of 2");
        expect(await publishButton(page).isDisabled()).toBe(true);
        expect(await page.locator(".publish").textContent()).toContain("it has 1.");
      }
      expect(await amara.locator(".publish .approvals").textContent()).toContain(
        `${AMARA.name} (you)`,
      );
      expect(await approveButton(amara).textContent()).toBe("You approved this draft");
      expect(await approveButton(amara).isDisabled()).toBe(true);
      expect(await approveButton(lukas).isEnabled()).toBe(true);
    });

    test("a change to the draft voids the approvals given before it, for everyone", async () => {
      await safetyPoint(mei, 2).click();
      for (const page of panel) {
        await expect.poll(() => checkedSafety(page), live).toBe("2");
        await expect.poll(() => approvalCount(page), live).toBe("0 of 2");
        expect(await publishButton(page).isDisabled()).toBe(true);
      }
      await expect.poll(() => saveStatus(mei).textContent(), settled).toBe("Saved");
      expect(await approveButton(amara).textContent()).toBe("Approve this draft");
      expect(await approveButton(amara).isEnabled()).toBe(true);
      expect(await amara.locator(".publish").textContent()).toContain(
        "no longer counts: the draft changed since",
      );
    });

    /** Amara and Lukas approve the draft as it is; every page then counts 2 of 2. */
    async function reachQuorum() {
      await approveButton(amara).click();
      await expect.poll(() => approvalCount(lukas), settled).toBe("1 of 2");
      await approveButton(lukas).click();
      for (const page of panel) {
        await expect.poll(() => approvalCount(page), settled).toBe("2 of 2");
        await expect.poll(() => publishButton(page).isEnabled(), settled).toBe(true);
      }
    }

    test("a publish that the server finds short of the quorum is refused, saying why", async () => {
      await reachQuorum();
      // Lukas's change reaches the server and Amara, but not yet Mei's page, which still counts
      // the approvals that the change voided.
      meiNetwork.hold("down");
      await notesEditor(lukas).click();
      await lukas.keyboard.insertText(NOTE);
      await expect.poll(() => saveStatus(lukas).textContent(), settled).toBe("Saved");
      await expect.poll(() => approvalCount(amara), live).toBe("0 of 2");
      expect(await approvalCount(mei)).toBe("2 of 2");

      await publishButton(mei).click();
      const feedback = mei.locator(".publish .publish-feedback");
      await feedback.waitFor({ timeout: settled.timeout });
      expect(await feedback.getAttribute("role")).toBe("alert");
      expect(await feedback.textContent()).toBe(
        "Not published. Publishing needs 2 panel approvals of the current draft; it has 0. " +
          "Approvals of an earlier state of the draft do not count.",
      );
      expect(await publishedVersions(itemId)).toEqual([]);

      meiNetwork.release("down");
      await expect.poll(() => notesText(mei), settled).toBe(NOTE);
      await expect.poll(() => approvalCount(mei), live).toBe("0 of 2");
      expect(await publishButton(mei).isDisabled()).toBe(true);
    });

    test("once two members approved the draft as it is, a third publishes it", async () => {
      await reachQuorum();
      // Mei, who did not approve, may publish: the rule asks for approvals, not for the publisher's.
      await publishButton(mei).click();
      for (const page of panel) {
        await expect.poll(() => roomStatus(page), settled).toBe("published");
        await page.getByText("Published · version 1").waitFor();
        expect(await draftDisabled(page)).toBe(true);
        expect(await page.getByRole("button", { name: /Publish version|approve/i }).count()).toBe(
          0,
        );
      }
      const versions = await publishedVersions(itemId);
      expect(versions).toHaveLength(1);
      expect(versions[0].version).toBe(1);
      expect(versions[0].label).toEqual({ safety: 2, notes: NOTE });
      const meiUser = (await findUserByEmail(server.context.db, MEI.email)) as User;
      expect(versions[0].published_by).toBe(meiUser.id);
    });
  });

  describe("a change that reaches the server after the room was published", () => {
    const LOST = "Check the INR within three days.";
    const NOTICE =
      "The room was published while your last change was on its way; that change was not saved.";
    /** The median of the panel's ratings 1 and 5 (their mean, 3): the draft the lead publishes. */
    const PUBLISHED = { safety: 3, notes: "" };

    /** A fresh item, its lead and a panel member whose sync sockets pass through `network`. */
    async function roomWithMember(name: string, network: Network) {
      const itemId = await disputedItem(name, {}, [
        [AMARA.email, 1],
        [LUKAS.email, 5],
      ]);
      const [lead, amara] = await Promise.all([
        openRoom(LEAD, itemId),
        openRoom(AMARA.email, itemId, network.carry),
      ]);
      for (const page of [lead, amara]) {
        await expect.poll(() => saveStatus(page).textContent(), settled).toBe("Saved");
      }
      return { itemId, lead, amara };
    }

    async function publishAsLead(lead: Page, itemId: number) {
      await lead.getByRole("button", { name: "Publish version 1" }).click();
      await expect.poll(() => roomStatus(lead), settled).toBe("published");
      expect((await publishedVersions(itemId)).map((version) => version.label)).toEqual([
        PUBLISHED,
      ]);
    }

    /** Where the member's page must end up: the published room, read-only, and told why. */
    async function expectRecovered(amara: Page, lead: Page, itemId: number) {
      await amara.getByRole("alert").filter({ hasText: NOTICE }).waitFor();
      await expect.poll(() => roomStatus(amara), settled).toBe("published");
      await amara.getByText("Published · version 1").waitFor();
      await expect.poll(() => notesText(amara), settled).toBe("");
      expect(await checkedSafety(amara)).toBe(String(PUBLISHED.safety));
      expect(await draftDisabled(amara)).toBe(true);
      await expect.poll(() => saveStatus(amara).textContent(), settled).toBe("Saved");
      // Nothing asks the member to restore anything: the notice is all that is left to read.
      expect(
        await amara.getByRole("button", { name: "Continue from the saved room" }).count(),
      ).toBe(0);

      expect((await publishedVersions(itemId)).map((version) => version.label)).toEqual([
        PUBLISHED,
      ]);
      const stored = await server.context.rooms.read(itemRoomName(itemId));
      try {
        expect(labelToJson(stored)).toEqual(PUBLISHED);
      } finally {
        stored.destroy();
      }
      expect(await notesText(lead)).toBe("");
    }

    test("made offline, it is refused on reconnecting, and the page shows the published room", async () => {
      const network = new Network();
      const { itemId, lead, amara } = await roomWithMember("Published while offline", network);
      await network.goOffline(amara.context());
      await expect
        .poll(() => saveStatus(amara).textContent(), settled)
        .toBe("Offline, reconnecting…");
      await notesEditor(amara).click();
      await amara.keyboard.insertText(LOST);
      await expect.poll(() => saveStatus(amara).textContent(), settled).toBe("Not saved (offline)");

      await publishAsLead(lead, itemId);
      expect(await notesText(amara)).toBe(LOST);
      expect(await roomStatus(amara)).toBe("open");

      // On reconnecting, the client sends the server what it lacks: the change, which the
      // published room refuses.
      await network.goOnline(amara.context());
      await expectRecovered(amara, lead, itemId);
    });

    test("still in flight on a live connection, it is refused after the page saw the publish", async () => {
      const network = new Network();
      const { itemId, lead, amara } = await roomWithMember("Published in flight", network);
      network.hold("up");
      await notesEditor(amara).click();
      await amara.keyboard.insertText(LOST);
      await expect.poll(() => saveStatus(amara).textContent(), settled).toBe("Saving…");

      await publishAsLead(lead, itemId);
      await expect.poll(() => roomStatus(amara), live).toBe("published");
      expect(await draftDisabled(amara)).toBe(true);

      network.release("up");
      await expectRecovered(amara, lead, itemId);
    });
  });

  describe("a member whose session ends while the room is open", () => {
    test("is told that access ended and is offered to sign in again, back to this room", async () => {
      const itemId = await disputedItem("Signed out elsewhere", {}, [
        [AMARA.email, 1],
        [LUKAS.email, 5],
      ]);
      const amara = await openRoom(AMARA.email, itemId);
      await expect.poll(() => saveStatus(amara).textContent(), settled).toBe("Saved");
      const { db } = server.context;
      const user = (await findUserByEmail(db, AMARA.email)) as User;
      // As signing out on another device or an expired session would leave it.
      await db.deleteFrom("sessions").where("user_id", "=", user.id).execute();

      const notice = amara
        .getByRole("alert")
        .filter({ hasText: "Your access to this room has ended" });
      await notice.waitFor({ timeout: settled.timeout });
      expect(await notice.textContent()).toContain("sign in again");
      expect(await notice.getByRole("link", { name: "Sign in again" }).getAttribute("href")).toBe(
        `/login?redirectTo=${encodeURIComponent(`/items/${itemId}/room`)}`,
      );
      expect(await saveStatus(amara).textContent()).toBe("Not saved");
    });
  });
});
