import { chromium, type Browser } from "playwright-core";

/** Debian's `chromium` (or CHROMIUM_PATH), headless, for tests that look at pages as a person would. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    // Without these, Chromium tries Google's services at start; this machine has no such network.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
