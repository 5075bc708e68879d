import { existsSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { chromiumPath, launchChromium } from "../../scripts/chromium.ts";

const browserRequired = process.env.REQUIRE_BROWSER === "1";
const browserInstalled = existsSync(chromiumPath);

/**
 * Browser tests skip on a machine without Chromium, saying so, unless REQUIRE_BROWSER=1 (as in
 * CI), where a missing browser must fail the run rather than pass it silently.
 */
export const skipBrowserTests = !browserInstalled && !browserRequired;
if (skipBrowserTests) {
  process.stderr.write(
    `Skipping browser tests: no Chromium at ${chromiumPath}. ` +
      "Install it, point CHROMIUM_PATH at it, or set REQUIRE_BROWSER=1 to fail instead.\n",
  );
}

/** Each launch gets a throwaway profile of its own, so no state leaks between runs. */
export async function launchBrowser(): Promise<Browser> {
  if (!browserInstalled) {
    throw new Error(`REQUIRE_BROWSER=1 but there is no Chromium at ${chromiumPath}`);
  }
  return launchChromium();
}

/**
 * Signs in through the login form, as a person would. A refusal fails at once with the message
 * the form shows, instead of waiting for a navigation that will never come.
 */
export async function logInThroughForm(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  const [response] = await Promise.all([
    page.waitForResponse(
      (candidate) =>
        candidate.request().method() === "POST" &&
        new URL(candidate.url()).pathname.startsWith("/login"),
    ),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  if (response.status() >= 400) {
    const refusal = page.getByRole("alert").filter({ hasText: /\S/ });
    await refusal.waitFor();
    throw new Error(`Signing in as ${email} was refused: ${await refusal.textContent()}`);
  }
  await page.waitForURL((url) => url.pathname !== "/login");
  // A client-side navigation changes the address before it renders the new page, and the
  // button reads "Signing in…" meanwhile: only the login page's heading leaving says it is gone.
  await page.getByRole("heading", { name: "Sign in to Quorum" }).waitFor({ state: "detached" });
}

/**
 * Remix pages work before hydration, but confirm steps and copy buttons need React. Remix
 * creates its router just before hydrating; the frame after that, the page is interactive.
 */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => "__remixRouter" in window);
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))),
  );
}

export interface SignIn {
  /** The server's address, without a trailing slash. */
  baseUrl: string;
  email: string;
  password: string;
}

/**
 * One person at their own screen: a new browser context (so nobody shares another's session
 * cookie), signed in through the form, on `path` once it is interactive. `prepare` runs on the
 * context before its first page loads, for routes that must see every request. The page's
 * context is `page.context()`; closing the browser closes it too.
 */
export async function openSignedIn(
  browser: Browser,
  who: SignIn,
  path: string,
  prepare?: (context: BrowserContext) => Promise<void>,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    await prepare?.(context);
    const page = await context.newPage();
    await page.goto(`${who.baseUrl}/login`);
    await logInThroughForm(page, who.email, who.password);
    await page.goto(`${who.baseUrl}${path}`);
    await waitForHydration(page);
    return page;
  } catch (error) {
    await context.close();
    throw error;
  }
}

/** The collaborative text editor of a room's field. */
export const roomEditor = (page: Page, fieldId: string) =>
  page.locator(`[data-room-field="${fieldId}"] .cm-content`);

/** The text in a room field's editor, without the others' carets and name tags drawn inside it. */
export const roomEditorText = (page: Page, fieldId: string) =>
  roomEditor(page, fieldId).evaluate((editor) => {
    const copy = editor.cloneNode(true) as HTMLElement;
    copy
      .querySelectorAll(".cm-ySelectionCaret, .cm-placeholder")
      .forEach((widget) => widget.remove());
    return copy.textContent;
  });
