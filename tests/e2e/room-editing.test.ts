import type { Dialog, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { SpanAnnotation } from "../../app/domain/template.ts";
import { roomEditorText, skipBrowserTests } from "./browser.ts";
import { startPanelRoomProject, type PanelRoomProject } from "./panel-room.ts";

const LEAD = "lead@room-editing.test";
const EXPERT = "expert1@room-editing.test";
const responseText = "Warfarin with aspirin is always safe. Take both daily with food.";

const mark = (quote: string, severity = "major") => {
  const start = responseText.indexOf(quote);
  return { responseId: "a", start, end: start + quote.length, category: "factual error", severity };
};
/** Both annotators marked these, so the room's draft opens with them. */
const agreedSpans = [mark("Warfarin"), mark("aspirin"), mark("always safe")];
/** Only the second annotator marked this one: it is in their vote, not in the draft. */
const extraSpan = mark("daily", "minor");
/** Outcomes the test waits for without claiming how fast they come, on a machine that may be busy. */
const settled = { timeout: 10_000 };

/**
 * Editing the shared draft of an adjudication room from two browsers at once: a span's row
 * keeps its note's focus when another span goes, a vote's span is added to the draft once,
 * and leaving with changes the server has not stored asks first. Each test has an item of its
 * own, so none rests on what another did to its room.
 */
describe.skipIf(skipBrowserTests)("editing the room's draft in Chromium", () => {
  // Each test signs two people in and works in a live room: longer than the default 30 s on a
  // machine busy with the whole suite.
  vi.setConfig({ testTimeout: 60_000 });
  let panel: PanelRoomProject;

  beforeAll(async () => {
    panel = await startPanelRoomProject({
      slug: "room-editing",
      responseText,
      fields: [
        { id: "harm", type: "rating", label: "Harm", min: 0, max: 4, required: true },
        { id: "errors", type: "spans", label: "Errors", categories: ["factual error"] },
        { id: "critique", type: "text", label: "Critique" },
      ],
    });
  });

  afterAll(async () => {
    await panel?.stop();
  });

  const disputedItem = () =>
    panel.disputedItem({
      expert1: { harm: 0, errors: agreedSpans },
      expert2: { harm: 4, errors: [...agreedSpans, extraSpan] },
    });
  const storedSpans = async (itemId: number) =>
    ((await panel.storedDraft(itemId)).errors as SpanAnnotation[] | undefined) ?? [];
  const openRoom = (email: string, itemId: number) => panel.openRoom(email, itemId);

  const spanRows = (page: Page) =>
    page.locator('ol[aria-label="Errors: marked spans"] > li.span-item');

  test("a note being typed keeps its focus when someone deletes a span above it", async () => {
    const itemId = await disputedItem();
    const [lead, expert] = await Promise.all([openRoom(LEAD, itemId), openRoom(EXPERT, itemId)]);
    await expect.poll(() => spanRows(expert).count(), settled).toBe(3);
    await expect.poll(() => spanRows(lead).count(), settled).toBe(3);
    const last = (await storedSpans(itemId))[2];
    const critiqueBefore = await roomEditorText(lead, "critique");

    const note = spanRows(expert).nth(2).getByLabel("Note");
    await note.click();
    const text = "Dose should be 2 g; ask the pharmacist";
    const typing = expert.keyboard.type(text, { delay: 60 });
    await expect.poll(() => note.inputValue(), settled).toMatch(/^Dose/);
    await spanRows(lead)
      .nth(0)
      .getByRole("button", { name: /Delete/ })
      .click();
    await typing;

    // The same input still has the focus and every keystroke went into it, none to shortcuts.
    await expect.poll(() => spanRows(expert).count(), settled).toBe(2);
    const focused = await expert.evaluate(() => {
      const active = document.activeElement;
      return active instanceof HTMLInputElement && active.closest("li.span-item")
        ? active.value
        : `focus left the note for ${active?.tagName}.${active?.className}`;
    });
    expect(focused).toBe(text);
    await expect
      .poll(
        async () => (await storedSpans(itemId)).find((span) => span.id === last.id)?.note,
        settled,
      )
      .toBe(text);
    expect(await roomEditorText(lead, "critique")).toBe(critiqueBefore);
    await Promise.all([lead.context().close(), expert.context().close()]);
  });

  test("two people typing in one note at once each keep their text; the last note wins", async () => {
    const itemId = await disputedItem();
    const [lead, expert] = await Promise.all([openRoom(LEAD, itemId), openRoom(EXPERT, itemId)]);
    await expect.poll(() => spanRows(expert).count(), settled).toBeGreaterThan(0);
    const target = (await storedSpans(itemId))[0];
    const leadNote = spanRows(lead).nth(0).getByLabel("Note");
    const expertNote = spanRows(expert).nth(0).getByLabel("Note");
    await leadNote.fill("");
    await expertNote.fill("");
    await leadNote.focus();
    await expertNote.focus();
    const leadText = "Opinion differs";
    const expertText = "Interaction is dangerous";
    await Promise.all([
      leadNote.pressSequentially(leadText, { delay: 70 }),
      expertNote.pressSequentially(expertText, { delay: 70 }),
    ]);
    expect(await leadNote.inputValue()).toBe(leadText);
    expect(await expertNote.inputValue()).toBe(expertText);
    await leadNote.blur();
    await expertNote.blur();
    const stored = async () =>
      (await storedSpans(itemId)).find((span) => span.id === target.id)?.note ?? "";
    await expect.poll(stored, settled).toBe(expertText);
    await expect.poll(() => leadNote.inputValue(), settled).toBe(expertText);
    await Promise.all([lead.context().close(), expert.context().close()]);
  });

  test("c puts the caret at the end of the critique already written", async () => {
    const itemId = await disputedItem();
    const lead = await openRoom(LEAD, itemId);
    await lead.locator('[data-room-field="critique"] .cm-content').click();
    await lead.keyboard.type("First words.");
    // Someone else, arriving after, goes on from where the critique ends.
    const expert = await openRoom(EXPERT, itemId);
    await expect.poll(() => roomEditorText(expert, "critique"), settled).toBe("First words.");
    await expert.keyboard.press("c");
    await expert.keyboard.type(" More.");
    await expect.poll(() => roomEditorText(lead, "critique"), settled).toBe("First words. More.");
    await Promise.all([lead.context().close(), expert.context().close()]);
  });

  test("a vote's span is added to the draft once, then shows as in the draft", async () => {
    const itemId = await disputedItem();
    const lead = await openRoom(LEAD, itemId);
    const before = (await storedSpans(itemId)).length;
    await lead.evaluate(() =>
      document.querySelectorAll("details.vote-spans").forEach((details) => {
        (details as HTMLDetailsElement).open = true;
      }),
    );
    const row = lead.locator("details.vote-spans li").filter({ hasText: "daily" });
    await row.getByRole("button", { name: "Add to draft" }).click();
    await expect
      .poll(
        () => row.getByRole("button", { name: "In the draft", disabled: true }).count(),
        settled,
      )
      .toBe(1);
    await expect(row.getByRole("button", { name: "Add to draft" }).count()).resolves.toBe(0);
    // Spans every vote shares, and the draft holds, offer no second copy either.
    await expect(
      lead
        .locator("details.vote-spans li")
        .filter({ hasText: "aspirin" })
        .getByRole("button", { name: "Add to draft" })
        .count(),
    ).resolves.toBe(0);
    // The page shows the span in the draft before the server has stored it.
    await expect.poll(async () => (await storedSpans(itemId)).length, settled).toBe(before + 1);
    const after = await storedSpans(itemId);
    expect(after.filter((span) => span.start === extraSpan.start)).toHaveLength(1);
    await lead.context().close();
  });

  test("leaving the room with changes not yet saved asks first", async () => {
    const itemId = await disputedItem();
    const expert = await openRoom(EXPERT, itemId);
    await expect.poll(() => spanRows(expert).count(), settled).toBeGreaterThan(0);
    await expert.context().setOffline(true);
    await spanRows(expert).nth(0).getByLabel("Note").click();
    await expert.keyboard.type("typed offline");
    await expert.keyboard.press("Tab");
    await expert
      .getByRole("status")
      .filter({ hasText: /^Not saved/ })
      .waitFor();

    // Without a question the page is simply gone, and no dialog ever comes; with one, the page
    // stays until it is answered.
    const asked = new Promise<Dialog | null>((resolve) => {
      expert.once("dialog", resolve);
      expert.once("close", () => resolve(null));
    });
    await expert.close({ runBeforeUnload: true });
    const dialog = await asked;
    expect(dialog?.type()).toBe("beforeunload");
    await dialog?.accept();
    await expert.context().close();
  });

  test("a comment being written survives publishing, and is sent after reopening", async () => {
    const itemId = await disputedItem();
    const [lead, expert] = await Promise.all([openRoom(LEAD, itemId), openRoom(EXPERT, itemId)]);
    await lead.locator('[data-field-id="harm"]').focus();
    await lead.keyboard.press("2");
    const composer = expert.getByLabel("Comment", { exact: true });
    await composer.fill("Should we not mention the INR?");

    const published = await panel.people.lead.api.post(`/items/${itemId}/publish`, {
      expectedVersion: 1,
      rationale: "Aspirin raises the bleeding risk.",
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    await expert.getByText("Published · version 1").waitFor();
    expect(await composer.count()).toBe(1);
    expect(await composer.inputValue()).toBe("Should we not mention the INR?");
    expect(await composer.getAttribute("readonly")).not.toBeNull();
    expect(await expert.getByRole("button", { name: "Comment", exact: true }).isDisabled()).toBe(
      true,
    );

    const reopened = await panel.people.lead.api.post(`/items/${itemId}/reopen`, {});
    expect(reopened.status, JSON.stringify(reopened.body)).toBeLessThan(300);
    await expert.getByText("Draft of version 2").waitFor();
    await expert.getByRole("button", { name: "Comment", exact: true }).click();
    await lead.getByText("Should we not mention the INR?").waitFor();
    await Promise.all([lead.context().close(), expert.context().close()]);
  });

  test("the notice of a change lost to publishing goes once the room is reopened", async () => {
    const itemId = await disputedItem();
    const expert = await openRoom(EXPERT, itemId);
    await expert.getByText("Draft of version 1").waitFor();
    // A draft that publishes: the harm the panel settled on.
    await expert.locator('[data-field-id="harm"]').focus();
    await expert.keyboard.press("2");
    await expert
      .getByRole("status")
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    await expert.context().setOffline(true);
    await expert.locator('[data-room-field="critique"] .cm-content').click();
    await expert.keyboard.type("Written offline.");
    await expert
      .getByRole("status")
      .filter({ hasText: /^Not saved/ })
      .waitFor();
    const published = await panel.people.lead.api.post(`/items/${itemId}/publish`, {
      expectedVersion: 1,
      rationale: "Unchanged.",
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    await expert.context().setOffline(false);
    const notice = expert.getByRole("alert").filter({ hasText: "your last change was on its way" });
    await notice.waitFor();

    const reopened = await panel.people.lead.api.post(`/items/${itemId}/reopen`, {});
    expect(reopened.status, JSON.stringify(reopened.body)).toBeLessThan(300);
    await expert.getByText("Draft of version 2").waitFor();
    await expect.poll(() => notice.count(), settled).toBe(0);
    await expert.context().close();
  });
});
