import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { launchBrowser, openSignedIn, skipBrowserTests } from "./browser.ts";

/**
 * A lead builds a template by form on the new-project page, sees the labeling form in the
 * preview, reads the problems in words, and creates the project; then adjusts its dispute
 * policy by form in the settings.
 */
let server: TestServer;
let browser: Browser;
let page: Page;

const builderField = (number: number) => page.locator(`[data-builder-field="${number}"]`);
const preview = () => page.getByTestId("template-preview");
const countProjects = async () =>
  (
    await server.context.db
      .selectFrom("projects")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow()
  ).count;

describe.skipIf(skipBrowserTests)("the template builder in Chromium", () => {
  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ QUORUM_SEED: "demo" }),
      launchBrowser(),
    ]);
    page = await openSignedIn(
      browser,
      { baseUrl: server.url, email: "lead@demo.quorum", password: "quorum-demo" },
      "/projects/new",
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("builds a template by form, previews it and creates the project", async () => {
    await page.getByLabel("Name", { exact: true }).fill("Helpfulness pairs");
    await page.getByRole("radio", { name: /^Pairwise preference Two responses/ }).check();
    await page.getByRole("radio", { name: /Build your own/ }).check();

    // It starts from the preset chosen last: one preference field, previewed as annotators see it.
    await expect.poll(() => page.locator("[data-builder-field]").count()).toBe(1);
    await preview()
      .getByRole("radio", { name: /A is clearly better/ })
      .waitFor();

    await page.getByLabel("New field of type").selectOption("rating");
    await page.getByRole("button", { name: "Add field" }).click();
    await builderField(2).getByLabel("Label").fill("Accuracy");
    await expect.poll(() => builderField(2).getByLabel("Id").inputValue()).toBe("accuracy");
    await builderField(2).getByLabel("Lowest point").fill("5");
    await builderField(2).getByLabel("Highest point").fill("1");
    const reversed = "Field 2 (Accuracy): the scale's maximum must be above its minimum.";
    await builderField(2).getByText(reversed).waitFor();
    await page.getByText("1 thing needs fixing before the template can be saved.").waitFor();
    await preview().getByText("Field 2 appears here once it is complete.").waitFor();

    await builderField(2).getByLabel("Lowest point").fill("1");
    await builderField(2).getByLabel("Highest point").fill("7");
    await page.getByText("The template is complete.").waitFor();
    const accuracy = preview().getByRole("radiogroup", { name: "Accuracy" });
    await expect.poll(() => accuracy.getByRole("radio").count()).toBe(7);
    await accuracy.getByRole("radio").nth(5).click();
    expect(await accuracy.getByRole("radio").nth(5).getAttribute("aria-checked")).toBe("true");

    // A choice field, moved to the top and then removed again.
    await page.getByLabel("New field of type").selectOption("choice");
    await page.getByRole("button", { name: "Add field" }).click();
    await builderField(3).getByLabel("Label").fill("Refusal");
    await builderField(3).getByLabel("Options, one per line").fill("appropriate\nover-cautious");
    await page.getByRole("button", { name: "Move field 3 up" }).click();
    await page.getByRole("button", { name: "Move field 2 up" }).click();
    expect(await builderField(1).getByLabel("Label").inputValue()).toBe("Refusal");
    await preview()
      .getByRole("radio", { name: /over-cautious/ })
      .waitFor();
    await page.getByRole("button", { name: "Remove field 1" }).click();
    await expect.poll(() => page.locator("[data-builder-field]").count()).toBe(2);

    // The JSON view follows the form, and the form follows the JSON.
    await page.getByText("Advanced: the template as JSON").click();
    const json = page.getByLabel("Template (JSON)");
    const shown = JSON.parse(await json.inputValue()) as { fields: Array<{ id: string }> };
    expect(shown.fields.map((field) => field.id)).toEqual(["preference", "accuracy"]);
    const edited = JSON.parse(await json.inputValue()) as {
      fields: Array<Record<string, unknown>>;
    };
    edited.fields[1].description = "1: wrong; 7: fully correct.";
    await json.fill(JSON.stringify(edited, null, 2));
    expect(await builderField(2).getByLabel("Help text").inputValue()).toBe(
      "1: wrong; 7: fully correct.",
    );

    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/projects\/\d+$/);
    const projectId = Number(new URL(page.url()).pathname.split("/").pop());
    const project = await server.context.db
      .selectFrom("projects")
      .select(["name", "template"])
      .where("id", "=", projectId)
      .executeTakeFirstOrThrow();
    expect(project.name).toBe("Helpfulness pairs");
    expect(project.template).toEqual({
      fields: [
        expect.objectContaining({ id: "preference", type: "preference", scale: 2 }),
        expect.objectContaining({
          id: "accuracy",
          type: "rating",
          label: "Accuracy",
          description: "1: wrong; 7: fully correct.",
          min: 1,
          max: 7,
          level: "ordinal",
        }),
      ],
    });

    // The settings edit the same template by form, and the dispute policy with its defaults.
    await page.goto(`${server.url}/projects/${projectId}/settings`);
    await page.locator("[data-builder-field='2']").waitFor();
    const spread = page.locator("[data-policy-field='accuracy']");
    await spread.getByText("Empty: 2, which is 30 % of the 1–7 range and at least 1.").waitFor();
    await spread.getByLabel("Disputed when ratings spread by at least").fill("3");
    await page
      .locator("section", { has: page.getByRole("heading", { name: "Dispute policy" }) })
      .getByRole("button", { name: "Save" })
      .click();
    await expect
      .poll(async () => {
        const row = await server.context.db
          .selectFrom("projects")
          .select("dispute_policy")
          .where("id", "=", projectId)
          .executeTakeFirstOrThrow();
        return row.dispute_policy;
      })
      .toEqual({ accuracy: { spreadAtLeast: 3 } });
  });

  test("a template the server refuses comes back in words", async () => {
    await page.goto(`${server.url}/projects/new`);
    await page.getByLabel("Name", { exact: true }).fill("Broken");
    await page.getByRole("radio", { name: /Build your own/ }).check();
    await page.getByText("Advanced: the template as JSON").click();
    await page
      .getByLabel("Template (JSON)")
      .fill(
        JSON.stringify({ fields: [{ id: "x", type: "rating", label: "Tone", min: 3, max: 3 }] }),
      );
    await page.getByRole("button", { name: "Create project" }).click();
    await page
      .locator(".template-builder .error-list")
      .getByText("Field 1 (Tone): the scale's maximum must be above its minimum.")
      .first()
      .waitFor();
    expect(await page.locator("body").textContent()).not.toMatch(/fields\.0|Invalid input/);
  });

  test("text that cannot be stored is marked at its field, and nothing is created", async () => {
    const projectsBefore = await countProjects();
    await page.goto(`${server.url}/projects/new`);
    await page.getByLabel("Name", { exact: true }).fill("Control characters");
    await page.getByRole("radio", { name: /Build your own/ }).check();
    const label = builderField(1).getByLabel("Label");
    // Pasted text can carry control characters that no one sees.
    await label.fill("Tone\u0001");
    await expect.poll(() => label.getAttribute("aria-invalid")).toBe("true");
    const message =
      "Field 1 (Tone\\u0001): its label contains the control character U+0001 at index 4;";
    await builderField(1).getByText(message).waitFor();

    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.request().method() === "POST"),
      page.getByRole("button", { name: "Create project" }).click(),
    ]);
    expect(response.status()).toBe(422);
    await page.getByText("1 thing needs fixing before the template can be saved.").waitFor();
    expect(await countProjects()).toBe(projectsBefore);
    expect(new URL(page.url()).pathname).toBe("/projects/new");
    await expect(label.getAttribute("aria-invalid")).resolves.toBe("true");
  });
});
