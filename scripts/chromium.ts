import { chromium, type Browser } from "playwright-core";

/** The system's Chromium; no browser is ever downloaded. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Starts Chromium headless with a throwaway profile of its own (playwright makes one per launch),
 * with the flags it needs to run as root in a container and nothing phoning home.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}
