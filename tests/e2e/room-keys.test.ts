import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { itemRoomName, labelToJson } from "../../app/domain/room.ts";
import { saveShortcutOverrides } from "../../server/services/preferences.ts";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
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
  let server: TestServer;
  let browser: Browser;
  let admin: ApiClient;
  let projectId: number;
  let items = 0;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const person = async (email: string, extra: Record<string, unknown> = {}) => {
      const { userId, token } = await server.createUserWithToken({ email, ...extra });
      return { userId, api: apiClient(server.url, token) };
    };
    admin = (await person("admin@room-keys.test", { isAdmin: true })).api;
    const lead = await person("lead@room-keys.test");
    for (const email of ["expert1@room-keys.test", "expert2@room-keys.test"]) {
      await person(email, { level: "expert", domains: ["medical"] });
    }
    const created = await admin.post<{ project: { id: number } }>("/projects", {
      name: "Room keys",
      domain: "medical",
      overlap: 2,
      settings: { goldRate: 0 },
      template: {
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
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    projectId = created.body.project.id;
    for (const [email, role] of [
      ["lead@room-keys.test", "lead"],
      ["expert1@room-keys.test", "annotator"],
      ["expert2@room-keys.test", "annotator"],
    ]) {
      const added = await admin.post(`/projects/${projectId}/members`, { email, role });
      expect(added.status, JSON.stringify(added.body)).toBeLessThan(300);
    }
    // The lead set the severity key to V: the room follows the user's own keys.
    await saveShortcutOverrides(
      server.context.db,
      { id: lead.userId },
      { shortcuts: { severity: ["v"] } },
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A new item the two experts labelled apart, waiting in its room for the panel. */
  const disputedItem = async () => {
    items++;
    const imported = await admin.post(`/projects/${projectId}/items`, [
      {
        externalId: `room-keys-${items}`,
        prompt: "Is warfarin with aspirin safe?",
        responses: [{ id: "a", text: responseText }],
        annotations: [
          { annotator: "expert1@room-keys.test", label: { harm: 2, topic: "topic 1" } },
          { annotator: "expert2@room-keys.test", label: { harm: 8, topic: "topic 3" } },
        ],
      },
    ]);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const item = await server.context.db
      .selectFrom("items")
      .select(["id", "status"])
      .where("project_id", "=", projectId)
      .where("external_id", "=", `room-keys-${items}`)
      .executeTakeFirstOrThrow();
    expect(item.status).toBe("disputed");
    return item.id;
  };

  const storedDraft = async (itemId: number) => {
    const doc = await server.context.rooms.read(itemRoomName(itemId));
    try {
      return labelToJson(doc);
    } finally {
      doc.destroy();
    }
  };

  const focusedFieldId = (page: Page) =>
    page.evaluate(
      () =>
        document.activeElement?.closest("[data-field-id]")?.getAttribute("data-field-id") ?? null,
    );

  const openRoom = async (email: string, itemId: number) => {
    const page = await openSignedIn(
      browser,
      { baseUrl: server.url, email, password: PASSWORD },
      `/items/${itemId}/room`,
    );
    await page.locator(".room[data-room-loaded='true']").waitFor();
    return page;
  };

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
