// Runs the built interface (dist-fake/: the real screens on the in-memory fake backend) in Debian's Chromium
// through playwright-core: a static server on a free loopback port, one browser, a page per test that fails on
// any console error or uncaught exception.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../dist-fake/", import.meta.url));
export const output = fileURLToPath(new URL("./output/", import.meta.url));
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export async function serve() {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname)).replace(/^\/+/, "");
    try {
      const body = await readFile(join(root, path === "" ? "fake.html" : path));
      response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/fake.html`, close: () => server.close() };
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"],
  });
}

/** A page on the fake shop, 1280×800 like a shop PC's screen, collecting console errors. */
export async function open(browser, url, { spools = 40, width = 1280, height = 800 } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`${url}?spools=${spools}`);
  return { page, errors };
}

export const byTestId = (id) => `[data-testid="${id}"]`;
