/**
 * Debian's Chromium for the browser tests and the webmail bench, driven by playwright-core and
 * never a browser that a tool downloads, with the flags that keep it quiet and off the network.
 *
 * @module
 */
import { type Browser, chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Starts Chromium headless.
 *
 * @returns The browser; close it when done.
 *
 * @example
 * ```ts ignore
 * import { launchChromium } from "./_browser.ts";
 *
 * const browser = await launchChromium();
 * await browser.close();
 * ```
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
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
