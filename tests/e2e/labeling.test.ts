import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Prompt } from "../../app/domain/item.ts";
import type { TemplateInput } from "../../app/domain/template.ts";
import type { User } from "../../db/schema.ts";
import { getDraft, submitAnnotation } from "../../server/services/annotate.ts";
import { getShortcutOverrides, saveShortcutOverrides } from "../../server/services/preferences.ts";
import { createProject, setProjectMember } from "../../server/services/project-admin.ts";
import { nextAssignment } from "../../server/services/queue.ts";
import { itemContentHash } from "../../server/services/seed.ts";
import { createUser } from "../../server/services/users.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, skipBrowserTests, waitForHydration } from "./browser.ts";

const PASSWORD = "correct horse battery staple";
const OTHER_EXPERTS_CRITIQUE = "ZEBRA-7731: the other expert's private critique";

const template: TemplateInput = {
  fields: [
    { id: "preference", type: "preference", label: "Which answer is better?", required: true },
    {
      id: "accuracy_a",
      type: "rating",
      label: "Answer A: accuracy",
      min: 1,
      max: 5,
      required: true,
    },
    {
      id: "accuracy_b",
      type: "rating",
      label: "Answer B: accuracy",
      min: 1,
      max: 5,
      required: true,
    },
    {
      id: "errors",
      type: "spans",
      label: "Errors",
      categories: ["factual error", "dosing error", "missing safety advice"],
    },
    { id: "critique", type: "text", label: "Critique", required: true },
  ],
};

const markdownItem = {
  externalId: "diabetes-1",
  prompt: "What is the first-line drug for **type 2 diabetes**?",
  responses: [
    {
      id: "a",
      text: "Metformin is the *usual* first choice.\n\n- Start at 500 mg\n  once daily\n- Titrate `slowly`",
    },
    {
      id: "b",
      text: "## Answer\n\nSulfonylureas are **always** first-line, regardless of kidney function.\n\n```python\ndose = 500\n```",
    },
  ],
};

const hostileItem = {
  externalId: "hostile-2",
  prompt: [
    {
      role: "user",
      content:
        "<script>window.__pwned = 'script'</script> Hello <img src=x onerror=\"window.__pwned='img'\">",
    },
  ],
  responses: [
    {
      id: "a",
      text: "[click me](javascript:window.__pwned='link') and <svg onload=\"window.__pwned='svg'\"></svg>",
    },
    {
      id: "b",
      text: 'Math: $\\href{javascript:alert(1)}{x}$ and ![pic](https://example.invalid/x.png) <iframe src="javascript:alert(2)"></iframe>',
    },
  ],
};

describe.skipIf(skipBrowserTests)("labeling in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let expert: User;
  let otherExpert: User;
  let projectId: number;
  const itemIds: Record<string, number> = {};

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const { db } = server.context;
    const admin = await createUser(db, {
      email: "admin@labeling.test",
      name: "Admin",
      password: PASSWORD,
      isAdmin: true,
    });
    expert = await createUser(db, {
      email: "expert@labeling.test",
      name: "Dr Expert",
      password: PASSWORD,
      level: "expert",
      domains: ["medical"],
    });
    otherExpert = await createUser(db, {
      email: "other@labeling.test",
      name: "Dr Other",
      password: PASSWORD,
      level: "expert",
      domains: ["medical"],
    });
    const project = await createProject(db, admin, {
      name: "Clinical answers",
      domain: "medical",
      template,
      overlap: 2,
      settings: { goldRate: 0 },
    });
    projectId = project.id;
    for (const email of [expert.email, otherExpert.email]) {
      await setProjectMember(db, admin, projectId, { email, role: "annotator" });
    }
    for (const item of [markdownItem, hostileItem]) {
      const { id } = await db
        .insertInto("items")
        .values({
          project_id: projectId,
          external_id: item.externalId,
          prompt: JSON.stringify(item.prompt),
          responses: JSON.stringify(item.responses),
          domain: "medical",
          content_hash: itemContentHash(item.prompt as Prompt, item.responses),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      itemIds[item.externalId] = id;
    }

    // Another expert labels the first item before ours starts: routing serves items further
    // along first, so our expert gets exactly that item, whose other label must stay hidden.
    const assignment = await nextAssignment(db, otherExpert, projectId);
    expect(assignment?.itemId).toBe(itemIds[markdownItem.externalId]);
    await submitAnnotation(db, otherExpert, assignment!.itemId, {
      label: {
        preference: 2,
        accuracy_a: 2,
        accuracy_b: 4,
        critique: OTHER_EXPERTS_CRITIQUE,
      },
    });
    // Our expert prefers "t" for a tie: the labeling page must follow the remapping.
    await saveShortcutOverrides(db, expert, { shortcuts: { preferTie: ["t"] } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    context = await browser.newContext({
      baseURL: server.url,
      viewport: { width: 1400, height: 1000 },
    });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  async function waitForSaved() {
    await page.locator(".save-status", { hasText: /^Saved$/ }).waitFor();
  }

  async function focusedFieldId() {
    return page.evaluate(
      () =>
        document.activeElement?.closest("[data-field-id]")?.getAttribute("data-field-id") ?? null,
    );
  }

  test("an expert labels two items with the keyboard alone", async () => {
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    await page.goto("/login");
    await page.keyboard.type(expert.email);
    await page.keyboard.press("Tab");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === "/projects");

    await page.goto(`/projects/${projectId}/label`);
    await waitForHydration(page);

    // Item 1: the one the other expert has labelled. Nothing of their label is on the page,
    // neither in what is shown nor in the data the page was rendered from.
    await page.getByText("Sulfonylureas are").waitFor();
    const html = await page.content();
    expect(html).not.toContain("ZEBRA-7731");
    expect(html).not.toContain(otherExpert.name);
    expect(await focusedFieldId()).toBe("preference");

    await page.keyboard.press("Shift+ArrowLeft");
    expect(await focusedFieldId()).toBe("accuracy_a");
    await page.keyboard.press("5");
    await page.keyboard.press("1");
    expect(await focusedFieldId()).toBe("errors");

    // Mark "always" in response B: read it, move the caret word by word, select backwards.
    await page.keyboard.press("b");
    for (let word = 0; word < 5; word++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Shift+ArrowLeft");
    await expect(page.evaluate(() => window.getSelection()?.toString())).resolves.toBe("always");
    await page.keyboard.press("1");
    await page.locator(".span-item").getByText("always").waitFor();
    await expect(page.locator("mark.md-highlight").textContent()).resolves.toBe("always");

    await page.keyboard.press("c");
    const critique = "Sulfonylureas are not first-line; metformin is, unless contraindicated.";
    await page.keyboard.type(critique);
    await waitForSaved();

    const draft = await getDraft(server.context.db, expert.id, itemIds[markdownItem.externalId]);
    expect(draft?.label).toMatchObject({ preference: -2, accuracy_a: 5, critique });

    // With the server out of reach the page says so, keeps the work on the device, and a
    // reload brings it back from there.
    await page.route("**/label/draft", (route) => route.abort("internetdisconnected"));
    await page.keyboard.type(" Check eGFR.");
    await page.locator(".save-status", { hasText: "Not saved" }).waitFor();
    await page.reload();
    await waitForHydration(page);
    await expect(page.getByRole("textbox", { name: "Critique" }).inputValue()).resolves.toBe(
      `${critique} Check eGFR.`,
    );
    await page.unroute("**/label/draft");
    await page.locator(".save-status", { hasText: /^Saved$/ }).waitFor({ timeout: 10_000 });
    await expect(
      getDraft(server.context.db, expert.id, itemIds[markdownItem.externalId]).then(
        (stored) => stored?.label.critique,
      ),
    ).resolves.toBe(`${critique} Check eGFR.`);
    await page.keyboard.press("c");
    await page.keyboard.press("Control+End");
    for (let character = 0; character < " Check eGFR.".length; character++) {
      await page.keyboard.press("Backspace");
    }
    await waitForSaved();

    // A reload in the middle of the item loses nothing.
    await page.reload();
    await waitForHydration(page);
    await expect(
      page.getByRole("radio", { name: /A is clearly better/ }).getAttribute("aria-checked"),
    ).resolves.toBe("true");
    await expect(page.getByRole("textbox", { name: "Critique" }).inputValue()).resolves.toBe(
      critique,
    );
    await expect(page.locator(".span-item").count()).resolves.toBe(1);
    expect(await focusedFieldId()).toBe("preference");

    await page.keyboard.press("Control+Enter");

    // Item 2 follows at once, with hostile content that must stay inert.
    await page.getByText("click me").waitFor();
    expect(await focusedFieldId()).toBe("preference");
    const injected = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
      elements: document.querySelectorAll(
        ".labeling script, .labeling img, .labeling iframe, .labeling [onerror], .labeling [onload], .labeling a[href^='javascript']",
      ).length,
    }));
    expect(injected).toEqual({ pwned: null, elements: 0 });
    await expect(
      page.getByText("<script>window.__pwned = 'script'</script>").count(),
    ).resolves.toBe(1);

    await page.keyboard.press("t");
    await page.keyboard.press("3");
    await page.keyboard.press("4");
    await page.keyboard.press("j");
    expect(await focusedFieldId()).toBe("critique");
    await page.keyboard.type("Both render safely.");
    await page.keyboard.press("Control+Enter");

    await page.getByRole("heading", { name: "Nothing to label right now" }).waitFor();
    expect(dialogs).toEqual([]);

    const annotations = await server.context.db
      .selectFrom("annotations")
      .select(["item_id", "label", "duration_ms"])
      .where("user_id", "=", expert.id)
      .orderBy("id")
      .execute();
    const raw = markdownItem.responses[1].text;
    expect(annotations.map((row) => [row.item_id, row.label])).toEqual([
      [
        itemIds[markdownItem.externalId],
        {
          preference: -2,
          accuracy_a: 5,
          accuracy_b: 1,
          errors: [
            {
              responseId: "b",
              start: raw.indexOf("always"),
              end: raw.indexOf("always") + "always".length,
              text: "always",
              category: "factual error",
              severity: "minor",
            },
          ],
          critique,
        },
      ],
      [
        itemIds[hostileItem.externalId],
        { preference: 0, accuracy_a: 3, accuracy_b: 4, critique: "Both render safely." },
      ],
    ]);
    for (const row of annotations) expect(row.duration_ms).toBeGreaterThan(0);
  });

  test("shortcuts are remapped on the settings page and stored for the user", async () => {
    await page.goto("/settings/shortcuts");
    await page.getByLabel("Email").fill(otherExpert.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Password").press("Enter");
    await page.waitForURL((url) => url.pathname === "/settings/shortcuts");
    await waitForHydration(page);

    await page.getByRole("button", { name: "Change the key for: Next field" }).click();
    await page.keyboard.press("n");
    await page.getByRole("button", { name: "Change the key for: A tie" }).click();
    await page.keyboard.press("n");
    // "n" now means two things on a preference field: saving is refused until that is fixed.
    await page.getByText(/N is bound to more than one action/).waitFor();
    await expect(page.getByRole("button", { name: "Save shortcuts" }).isDisabled()).resolves.toBe(
      true,
    );
    await page.getByRole("button", { name: "Change the key for: A tie" }).click();
    await page.keyboard.press("Shift+t");
    await page.getByRole("button", { name: "Save shortcuts" }).click();
    await page.getByText("Shortcuts saved").waitFor();
    await expect(getShortcutOverrides(server.context.db, otherExpert)).resolves.toEqual({
      nextField: ["n"],
      preferTie: ["Shift+t"],
    });

    await page.getByRole("button", { name: "Reset all to defaults" }).click();
    await expect.poll(() => getShortcutOverrides(server.context.db, otherExpert)).toEqual({});
  });
});
