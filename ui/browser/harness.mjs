// Runs the built interface (ui/dist, as the app embeds it) in Debian's Chromium through playwright-core, on
// the real core: every page gets its own test host (`spooltrack serve --dev`) on a fresh demo shop, serving
// the interface and its commands from one loopback origin. One browser; a page per test that fails on any
// console error or uncaught exception.
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startHost } from "../src/testing/launch.mjs";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
export const output = fileURLToPath(new URL("./output/", import.meta.url));

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"],
  });
}

/**
 * A page on a shop of its own, 1280×800 like a shop PC's screen, collecting console errors; `config` is a
 * station configuration to serve instead of a fresh demo shop, `args` more of the binary's flags, `firstStart`
 * a host with no configuration yet. `close()` ends the page and its host.
 */
export async function open(browser, { width = 1280, height = 800, config, args, firstStart } = {}) {
  const host = await startHost({ ui: dist, config, args, firstStart });
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(host.url);
  return {
    page,
    host,
    errors,
    close: async () => {
      await page.close();
      host.stop();
    },
  };
}

export const byTestId = (id) => `[data-testid="${id}"]`;
