// Benchmark (prints numbers; not a test): how long the screen takes to answer a keystroke in the spool search
// with 5,000 spools (and with 50, as the floor a frame costs anyway), from the key press to the first frame
// painted after it, in Debian's Chromium, on the real core: the test host on the project's Sheets fake with a
// production-like spreadsheet of that size.
//   cargo build --bin spooltrack --bin sheets-fake && npm run build && node browser/filter-latency.mjs
// Figures are recorded in BENCHMARKS.md.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { byTestId, launch, open } from "./harness.mjs";

const SIZES = [50, 5_000];
const ROUNDS = 20;
const QUERY = "CW-2501";
const SHEETS_FAKE = fileURLToPath(new URL("../../target/debug/sheets-fake", import.meta.url));

/** The Sheets fake with `spools` rows on a free port; answers the station configuration it wrote. */
async function sheetsFake(spools) {
  const folder = mkdtempSync(join(tmpdir(), "spooltrack-bench-"));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(SHEETS_FAKE, ["--folder", folder, "--spools", String(spools), "--port", String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const config = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const found = line.match(/^Configuración de estación: (.+)$/);
      if (found) resolve(found[1]);
    });
    child.once("exit", (code) => reject(new Error(`sheets-fake ended (${code})`)));
  });
  return { config, stop: () => child.kill() };
}

const browser = await launch();
async function measure(spools) {
  const sheets = await sheetsFake(spools);
  const { page, close } = await open(browser, { config: sheets.config });
  try {
    // The production shop's first worker is an armador.
    await page.click(byTestId("worker-300"));
    await page.waitForSelector(byTestId("spool-search"));
    await page.waitForSelector(byTestId("spool-list"));
    const listed = await page.textContent(byTestId("spool-count"));
    await page.evaluate(() => {
      const search = document.querySelector('[data-testid="spool-search"]');
      window.latencies = [];
      let pressed = null;
      search.addEventListener("keydown", () => (pressed = performance.now()), true);
      search.addEventListener("input", () => {
        const started = pressed;
        // After the next animation frame, the frame with the filtered list has been painted.
        requestAnimationFrame(() => setTimeout(() => window.latencies.push(performance.now() - started)));
      });
    });
    await page.focus(byTestId("spool-search"));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const key of QUERY) {
        await page.keyboard.press(key);
        await page.waitForTimeout(30);
      }
      for (let left = QUERY.length; left > 0; left -= 1) {
        await page.keyboard.press("Backspace");
        await page.waitForTimeout(30);
      }
    }
    await page.waitForTimeout(200);
    const samples = (await page.evaluate(() => window.latencies)).sort((a, b) => a - b);
    const at = (fraction) => samples[Math.round((samples.length - 1) * fraction)].toFixed(1);
    console.log(
      `${String(spools).padStart(5)} spools (${listed} in the ARM list), ${samples.length} keystrokes: ` +
        `p50=${at(0.5)} ms  p95=${at(0.95)} ms  max=${at(1)} ms`,
    );
  } finally {
    await close();
    sheets.stop();
  }
}

try {
  console.log(`keystroke to painted frame, typing "${QUERY}" and erasing it ${ROUNDS} times`);
  for (const spools of SIZES) await measure(spools);
} finally {
  await browser.close();
}
