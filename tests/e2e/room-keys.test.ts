import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { saveShortcutOverrides } from "../../server/services/preferences.ts";
import { skipBrowserTests } from "./browser.ts";
import { startPanelRoomProject, type PanelRoomProject } from "./panel-room.ts";

const topics = Array.from({ length: 12 }, (_, index) => `topic ${index + 1}`);
const responseText = "Warfarin with aspirin is always safe.";
/** Outcomes the test waits for without claiming how fast they come, on a machine that may be busy. */
const settled = { timeout: 10_000 };

/**
 * The adjudication room types numbers as the labeling page does (decision 025): two digits for
 * a value past 9, the severity key then a number for the span marked last, with the keys each
 * user mapped; and an editor arriving finds the keys working at once. Each test has an item of
 * its own.
 */
describe.skipIf(skipBrowserTests)("number keys in the adjudication room in Chromium", () => {
  // Each test signs people in and types into a live room: longer than the default 30 s on a
  // machine busy with the whole suite.
  vi.setConfig({ testTimeout: 60_000 });
  let panel: PanelRoomProject;

  beforeAll(async () => {
    panel = await startPanelRoomProject({
      slug: "room-keys",
      responseText,
      fields: [
        { id: "harm", type: "rating", label: "Harm", min: 0, max: 10, required: true },
        { id: "topic", type: "choice", label: "Topic", options: topics, required: true },
        {
          id: "errors",
          type: "spans",
          label: "Errors",
          categories: ["factual error", "missing warning"],
        },
      ],
    });
    // The lead set the severity key to V: the room follows the user's own keys.
    await saveShortcutOverrides(
      panel.server.context.db,
      { id: panel.people.lead.userId },
      { shortcuts: { severity: ["v"] } },
    );
  });

  afterAll(async () => {
    await panel?.stop();
  });

  const disputedItem = () =>
    panel.disputedItem({
      expert1: { harm: 2, topic: "topic 1" },
      expert2: { harm: 8, topic: "topic 3" },
    });
  const storedDraft = (itemId: number) => panel.storedDraft(itemId);
  const openRoom = (email: string, itemId: number) => panel.openRoom(email, itemId);

  const focusedFieldId = (page: Page) =>
    page.evaluate(
      () =>
        document.activeElement?.closest("[data-field-id]")?.getAttribute("data-field-id") ?? null,
    );

  test("1 then 0 rates 10, 1 then 2 picks the twelfth option, the severity key then 3", async () => {
    const itemId = await disputedItem();
    const page = await openRoom("lead@room-keys.test", itemId);
    await page.getByText("Draft of version 1").waitFor();
    const fields = page.locator(".room-fields");
    // The hint names the user's key for severities.
    await expect(
      fields.locator('[data-field-id="errors"] .spans-instructions kbd').allTextContents(),
    ).resolves.toContain("V");

    await fields.locator('[data-field-id="harm"]').focus();
    await page.keyboard.press("1");
    await page.keyboard.press("0");
    await expect.poll(async () => (await storedDraft(itemId)).harm, settled).toBe(10);
    expect(await focusedFieldId(page)).toBe("topic");

    await page.keyboard.press("1");
    await page.keyboard.press("2");
    await expect.poll(async () => (await storedDraft(itemId)).topic, settled).toBe("topic 12");
    await expect(
      fields.getByRole("radio", { name: /^topic 12/ }).getAttribute("aria-checked"),
    ).resolves.toBe("true");
    expect(await focusedFieldId(page)).toBe("errors");

    // Read the response, select its first word, mark it, then make it critical.
    await page.keyboard.press("a");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Shift+ArrowLeft");
    await expect(page.evaluate(() => window.getSelection()?.toString())).resolves.toBe("Warfarin");
    await page.keyboard.press("1");
    await fields.locator(".span-item").getByText("Warfarin").waitFor();
    await page.keyboard.press("v");
    await page.keyboard.press("3");
    await expect
      .poll(() => fields.locator(".span-item").getByLabel("Severity").inputValue(), settled)
      .toBe("critical");
    await expect
      .poll(async () => (await storedDraft(itemId)).errors, settled)
      .toEqual([
        expect.objectContaining({
          responseId: "a",
          start: 0,
          end: "Warfarin".length,
          category: "factual error",
          severity: "critical",
        }),
      ]);
    await page.context().close();
  });

  test("an editor arrives on the draft's first field; what others do later leaves their focus be", async () => {
    const itemId = await disputedItem();
    const checkedHarm = (page: Page) =>
      page
        .locator('[data-field-id="harm"] [role="radio"][aria-checked="true"] .choice-value')
        .allTextContents();
    const expert = await openRoom("expert1@room-keys.test", itemId);
    // No click first: the keys act on the first field of the draft.
    await expect.poll(() => focusedFieldId(expert), settled).toBe("harm");
    await expert.keyboard.press("7");
    await expect.poll(async () => (await storedDraft(itemId)).harm, settled).toBe(7);

    // Once the expert has moved on, the room changing around them moves nothing: the lead
    // arriving, and changing the field the page first put the focus on.
    const composer = expert.getByLabel("Comment", { exact: true });
    await composer.click();
    await composer.pressSequentially("Why 7?");
    const lead = await openRoom("lead@room-keys.test", itemId);
    await expect.poll(() => focusedFieldId(lead), settled).toBe("harm");
    await expect.poll(() => expert.locator(".presence-person").count(), settled).toBe(2);
    await lead.keyboard.press("3");
    await expect.poll(() => checkedHarm(expert), settled).toEqual(["3"]);
    await expert.keyboard.type(" Or 3?");
    expect(await composer.inputValue()).toBe("Why 7? Or 3?");
    await Promise.all([expert.context().close(), lead.context().close()]);
  });
});
