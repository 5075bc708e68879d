import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { User } from "../../db/schema.ts";
import { submitAnnotation } from "../../server/services/annotate.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { createProject, setProjectMember } from "../../server/services/project-admin.ts";
import { nextAssignment } from "../../server/services/queue.ts";
import { findUserByEmail } from "../../server/services/users.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import {
  launchBrowser,
  logInThroughForm,
  openSignedIn,
  roomEditor,
  roomEditorText,
  skipBrowserTests,
  waitForHydration,
} from "./browser.ts";

const DEMO_PASSWORD = "quorum-demo";
const LEAD = { email: "lead@demo.quorum", name: "Dr. Hannah Keller" };
/** One of clin-0001's three annotators, so a member of its panel. */
const PANELIST = { email: "expert1@demo.quorum", name: "Dr. Amara Okafor" };
const CLIENT = "client@demo.quorum";
const PREFERENCE_VOTE = "Your vote on Which answer would you rather a clinician relied on?";
const WRONG_DURATION = "for 3 days";
const CRITIQUE = "Ciprofloxacin also raises the INR; men need seven days of treatment.";

/** Within a second of the action, as the issue asks: polled from the moment it was taken. */
const live = { timeout: 1_000, interval: 25 };

/**
 * Two people in one adjudication room of the demo workspace's disputed item clin-0001, in two
 * browser contexts of a real Chromium: the lead and a panel member. What one does, the other
 * sees within a second; a client watches read-only; publishing turns both pages read-only.
 */
let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function signedIn(email: string, path: string): Promise<Page> {
  const page = await openSignedIn(
    browser,
    { baseUrl: server.url, email, password: DEMO_PASSWORD },
    path,
  );
  contexts.push(page.context());
  return page;
}

async function openRoom(email: string, path: string): Promise<Page> {
  const page = await signedIn(email, path);
  await page.locator(".room[data-room-loaded='true']").waitFor();
  return page;
}

const saveStatus = (page: Page) => page.locator(".save-status");

describe.skipIf(skipBrowserTests)("rooms in Chromium", () => {
  // A test that signs people in and works in live rooms takes longer than the default 30 s on a
  // machine busy with the whole suite.
  vi.setConfig({ testTimeout: 60_000 });
  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ QUORUM_SEED: "demo" }),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  describe("the adjudication room", () => {
    let itemId: number;
    let panelistMember: string;
    let lead: Page;
    let panelist: Page;

    const itemRoom = (email: string) => openRoom(email, `/items/${itemId}/room`);
    const critiqueEditor = (page: Page) => roomEditor(page, "critique");
    const critiqueText = (page: Page) => roomEditorText(page, "critique");
    /** Every control of the draft is disabled, as a disabled fieldset makes them. */
    const draftDisabled = async (page: Page) =>
      (await page.locator(".room-fields").getAttribute("disabled")) !== null &&
      (await page.locator('.room-fields [role="radio"]').first().isDisabled());

    beforeAll(async () => {
      const { db } = server.context;
      const item = await db
        .selectFrom("items")
        .select(["id", "status"])
        .where("external_id", "=", "clin-0001")
        .executeTakeFirstOrThrow();
      expect(item.status).toBe("disputed");
      itemId = item.id;
      // The room names members by their participant key in the project, not their user id.
      const panelistRow = await db
        .selectFrom("project_participants")
        .innerJoin("users", "users.id", "project_participants.user_id")
        .innerJoin("items", "items.project_id", "project_participants.project_id")
        .select("project_participants.key")
        .where("users.email", "=", PANELIST.email)
        .where("items.id", "=", itemId)
        .executeTakeFirstOrThrow();
      panelistMember = panelistRow.key;
      lead = await itemRoom(LEAD.email);
      panelist = await itemRoom(PANELIST.email);
    });

    test("both see who is here, and their edits are saved", async () => {
      for (const page of [lead, panelist]) {
        await expect.poll(() => saveStatus(page).textContent()).toBe("Saved");
        for (const person of [LEAD, PANELIST]) {
          await page.locator(`.presence [data-presence-name="${person.name}"]`).waitFor();
        }
      }
      const status = await server.context.db
        .selectFrom("items")
        .select("status")
        .where("id", "=", itemId)
        .executeTakeFirstOrThrow();
      expect(status.status).toBe("adjudicating");
    });

    test("the panel member's span appears on the lead's page within a second", async () => {
      const highlights = lead.locator('[data-reader="b"] mark[title^="dosing error"]');
      expect(await highlights.count()).toBe(0);
      await panelist.evaluate((quote) => {
        const reader = document.querySelector<HTMLElement>('[data-reader="b"]');
        if (!reader) throw new Error("no reader for response B");
        reader.focus();
        const walker = document.createTreeWalker(reader, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const at = node.textContent?.indexOf(quote) ?? -1;
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + quote.length);
          const selection = window.getSelection();
          selection?.removeAllRanges();
          selection?.addRange(range);
          return;
        }
        throw new Error(`"${quote}" is not in response B`);
      }, WRONG_DURATION);
      // The second category of the clinical template, as on the labeling page.
      await panelist.keyboard.press("2");
      await expect.poll(() => highlights.allTextContents(), live).toEqual([WRONG_DURATION]);
      await expect
        .poll(() => lead.locator(".span-list .span-quote").allTextContents())
        .toContainEqual(expect.stringContaining(WRONG_DURATION));
    });

    test("the panel member's moved vote reaches the lead's tally within a second", async () => {
      const cell = lead.locator(
        `tr[data-vote-field="preference"] td[data-voter="${panelistMember}"]`,
      );
      expect(await cell.textContent()).toBe("A ≫ B");
      await panelist.getByLabel(PREFERENCE_VOTE).selectOption({ label: "B > A" });
      await expect.poll(() => cell.textContent(), live).toBe("B > A");
      await expect
        .poll(() => lead.locator('tr[data-vote-field="preference"] .vote-tally').textContent())
        .toBe("B > A ×2A > B ×1");
    });

    test("the critique typed by one appears, with their cursor, in the other's editor", async () => {
      await critiqueEditor(panelist).click();
      await panelist.keyboard.insertText(CRITIQUE);
      await expect.poll(() => critiqueText(lead), live).toBe(CRITIQUE);
      await expect
        .poll(() => lead.locator('[data-room-field="critique"] .cm-ySelectionInfo').textContent())
        .toBe(PANELIST.name);
      await expect
        .poll(() => lead.locator('[data-room-field="critique"] .field-presence').textContent())
        .toContain(`${PANELIST.name} working here`);
      await expect.poll(() => saveStatus(panelist).textContent()).toBe("Saved");
    });

    test("a client watches the room read-only", async () => {
      const client = await itemRoom(CLIENT);
      await client.getByTestId("read-only-notice").waitFor();
      expect(await saveStatus(client).textContent()).toBe("Read-only");
      expect(await draftDisabled(client)).toBe(true);
      expect(await critiqueEditor(client).getAttribute("contenteditable")).toBe("false");
      expect(await client.getByRole("button", { name: /Publish/ }).count()).toBe(0);
      expect(await client.locator(".composer").count()).toBe(0);
      await expect.poll(() => critiqueText(client)).toBe(CRITIQUE);
    });

    test("a caret leaves the others' view when its owner leaves the editor or the room", async () => {
      const carets = (page: Page) =>
        page.locator('[data-room-field="critique"] .cm-ySelectionCaret');
      await critiqueEditor(panelist).click();
      await expect.poll(() => carets(lead).count(), live).toBe(1);
      // Clicking elsewhere on the page: y-codemirror alone would keep drawing it.
      await panelist.locator(".room-bar h1").click();
      await expect.poll(() => carets(lead).count(), live).toBe(0);

      const secondTab = await itemRoom(PANELIST.email);
      await critiqueEditor(secondTab).click();
      await expect.poll(() => carets(lead).count(), live).toBe(1);
      await secondTab.context().close();
      await expect.poll(() => carets(lead).count(), { timeout: 5_000 }).toBe(0);
    });

    test("going offline shows within five seconds, and the edits save once back", async () => {
      await expect.poll(() => saveStatus(lead).textContent()).toBe("Saved");
      await lead.context().setOffline(true);
      await expect
        .poll(() => saveStatus(lead).textContent(), { timeout: 5_000, interval: 100 })
        .toMatch(/^(Offline|Not saved)/);
      await critiqueEditor(lead).click();
      await lead.keyboard.press("ControlOrMeta+End");
      await lead.keyboard.insertText(" Written offline.");
      await expect
        .poll(() => saveStatus(lead).textContent(), { timeout: 5_000, interval: 100 })
        .toBe("Not saved (offline)");
      await lead.context().setOffline(false);
      await expect.poll(() => saveStatus(lead).textContent(), { timeout: 15_000 }).toBe("Saved");
      await expect.poll(() => critiqueText(panelist)).toContain("Written offline.");
    });

    test("on a phone, publishing is one tap away from anywhere in the room", async () => {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
      contexts.push(phone);
      const page = await phone.newPage();
      await page.goto(`${server.url}/login`);
      await logInThroughForm(page, LEAD.email, DEMO_PASSWORD);
      await page.goto(`${server.url}/items/${itemId}/room`);
      await waitForHydration(page);
      await page.locator(".room[data-room-loaded='true']").waitFor();
      const viewport = { width: 390, height: 844 };
      const inView = async (selector: string) => {
        const box = await page.locator(selector).boundingBox();
        return box !== null && box.y >= 0 && box.y + box.height <= viewport.height;
      };
      // The room is many screens long on a phone; the publication panel comes at its end.
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(
        3 * viewport.height,
      );
      expect(await inView(".publish form button[type='submit']")).toBe(false);
      for (const position of [0, 0.5]) {
        await page.evaluate(
          (share) => window.scrollTo(0, document.documentElement.scrollHeight * share),
          position,
        );
        expect(await inView("[data-testid='room-action-bar'] button")).toBe(true);
      }
      await page.locator("[data-testid='room-action-bar'] button").click();
      await expect.poll(() => inView(".publish form button[type='submit']")).toBe(true);
    });

    test("a draft that is not valid yet is refused, with the reasons next to the fields", async () => {
      await critiqueEditor(lead).click();
      await lead.keyboard.press("ControlOrMeta+a");
      await lead.keyboard.press("Delete");
      await expect.poll(() => critiqueText(panelist)).toBe("");
      await expect.poll(() => saveStatus(lead).textContent()).toBe("Saved");

      await lead.getByRole("button", { name: "Publish version 1" }).click();
      const fieldError = lead.locator('[data-room-field="critique"] .label-field-error');
      await fieldError.waitFor();
      expect(await lead.getByRole("alert").filter({ hasText: "Not published" }).count()).toBe(1);
      expect(await panelist.locator(".room").getAttribute("data-room-status")).toBe("open");
    });

    test("once the lead publishes, both pages turn read-only and show the version", async () => {
      await critiqueEditor(lead).click();
      await lead.keyboard.insertText(CRITIQUE);
      await expect.poll(() => saveStatus(lead).textContent()).toBe("Saved");
      await lead.getByLabel(/Rationale/).fill("Ciprofloxacin is not a safe alternative.");
      await lead.getByRole("button", { name: "Publish version 1" }).click();

      for (const page of [lead, panelist]) {
        await expect
          .poll(() => page.locator(".room").getAttribute("data-room-status"))
          .toBe("published");
        await page.getByText("Published · version 1").waitFor();
        expect(await draftDisabled(page)).toBe(true);
        expect(await critiqueEditor(page).getAttribute("contenteditable")).toBe("false");
        expect(await page.getByRole("button", { name: /Publish version/ }).count()).toBe(0);
      }
      expect(await lead.getByRole("button", { name: "Reopen for a new version" }).count()).toBe(1);
      expect(await panelist.getByRole("button", { name: /Reopen/ }).count()).toBe(0);
      // The rationale is part of the version: everyone in the room reads it.
      for (const page of [lead, panelist]) {
        await page
          .locator(".published-rationale")
          .getByText("Ciprofloxacin is not a safe alternative.")
          .waitFor();
      }

      const version = await server.context.db
        .selectFrom("adjudications")
        .select(["version", "label", "rationale"])
        .where("item_id", "=", itemId)
        .executeTakeFirstOrThrow();
      expect(version.version).toBe(1);
      expect(version.rationale).toBe("Ciprofloxacin is not a safe alternative.");
      const label = version.label as Record<string, unknown>;
      expect(label.critique).toBe(CRITIQUE);
      expect(JSON.stringify(label.errors)).toContain('"category":"dosing error"');
    });

    test("the lead reopens it, and the panel edits the next version from the keyboard", async () => {
      await lead.getByRole("button", { name: "Reopen for a new version" }).click();
      for (const page of [lead, panelist]) {
        await page.getByText("Draft of version 2").waitFor();
        await expect.poll(() => draftDisabled(page)).toBe(false);
        expect(await critiqueEditor(page).getAttribute("contenteditable")).toBe("true");
      }
      const safetyB = (page: Page) =>
        page.locator('[data-field-id="safety_b"] [role="radio"][aria-checked="true"]');
      expect(await safetyB(lead).textContent()).not.toMatch(/^1/);
      await panelist.locator('[data-field-id="safety_b"]').focus();
      await panelist.keyboard.press("1");
      await expect.poll(() => safetyB(lead).textContent(), live).toMatch(/^1/);
    });
  });

  describe("a review room", () => {
    const JUNIOR = { email: "junior1@demo.quorum", name: "Sam Rivera" };
    const RESPONSE = "Take ibuprofen 400 mg with warfarin; there is no interaction to worry about.";
    const CLAIM = "there is no interaction to worry about";
    let annotationId: number;
    let lead: Page;
    let junior: Page;

    beforeAll(async () => {
      const { db } = server.context;
      const leadUser = (await findUserByEmail(db, LEAD.email)) as User;
      const juniorUser = (await findUserByEmail(db, JUNIOR.email)) as User;
      const project = await createProject(db, leadUser, {
        name: "Anticoagulation",
        domain: "medical",
        overlap: 2,
        settings: { goldRate: 0 },
        template: {
          fields: [
            { id: "safety", type: "rating", label: "Safety", min: 1, max: 5, required: true },
            { id: "errors", type: "spans", label: "Errors", categories: ["interaction missed"] },
          ],
        },
      });
      await setProjectMember(db, leadUser, project.id, { email: JUNIOR.email, role: "annotator" });
      const { token } = await createApiToken(db, leadUser.id, "review room test");
      const imported = await fetch(`${server.url}/api/v1/projects/${project.id}/items`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-ndjson" },
        body: JSON.stringify({
          externalId: "warfarin-ibuprofen",
          prompt: "Can I take ibuprofen while on warfarin?",
          responses: [{ id: "a", text: RESPONSE }],
          domain: "medical",
        }),
      });
      expect(imported.status).toBe(201);
      const assignment = await nextAssignment(db, juniorUser, project.id);
      const start = RESPONSE.indexOf(CLAIM);
      const submitted = await submitAnnotation(db, juniorUser, assignment!.itemId, {
        label: {
          safety: 4,
          errors: [
            {
              responseId: "a",
              start,
              end: start + CLAIM.length,
              category: "interaction missed",
              severity: "minor",
            },
          ],
        },
      });
      expect(submitted.sampledForReview).toBe(true);
      annotationId = submitted.id;
      lead = await openRoom(LEAD.email, `/reviews/${annotationId}/room`);
      junior = await openRoom(JUNIOR.email, `/reviews/${annotationId}/room`);
    });

    test("the lead's comment on a span reaches the junior within a second, and the reply comes back", async () => {
      for (const page of [lead, junior]) {
        for (const person of [LEAD, JUNIOR]) {
          await page.locator(`.presence [data-presence-name="${person.name}"]`).waitFor();
        }
      }
      await lead.getByRole("button", { name: "Comment on this span" }).click();
      await lead.keyboard.insertText(
        "This interaction is major, not minor: the bleeding risk doubles.",
      );
      await lead.getByRole("button", { name: "Comment", exact: true }).click();
      const juniorThread = junior.getByRole("region", { name: `Comments on Errors: “${CLAIM}”` });
      await expect
        .poll(() => juniorThread.locator(".comment-text").allTextContents(), live)
        .toEqual(["This interaction is major, not minor: the bleeding risk doubles."]);

      await juniorThread.getByRole("button", { name: `Errors: “${CLAIM}”` }).click();
      await junior
        .getByLabel("Comment", { exact: true })
        .fill("Understood; I had missed the INR rise.");
      await junior.getByRole("button", { name: "Comment", exact: true }).click();
      const leadThread = lead.getByRole("region", { name: `Comments on Errors: “${CLAIM}”` });
      await expect
        .poll(() => leadThread.locator(".comment-meta strong").allTextContents(), live)
        .toEqual([`${LEAD.name} (you)`, JUNIOR.name]);
      await expect.poll(() => saveStatus(junior).textContent()).toBe("Saved");
    });

    test("nobody else may open it", async () => {
      const outsider = await signedIn(PANELIST.email, `/reviews/${annotationId}/room`);
      await outsider.getByText("Only the project's leads and the annotation's author").waitFor();
      expect(await outsider.locator(".room").count()).toBe(0);
    });
  });
});
