// Benchmark (prints numbers; not a test): how long the screen takes to answer a keystroke in the spool search
// with 5,000 spools (and with 50, as the floor a frame costs anyway), from the key press to the first frame
// painted after it, in Debian's Chromium.
//   npm run build:fake && node browser/filter-latency.mjs
// Figures are recorded in BENCHMARKS.md.
import { byTestId, launch, open, serve } from "./harness.mjs";

const SIZES = [50, 5_000];
const ROUNDS = 20;
const QUERY = "S-01";

const server = await serve();
const browser = await launch();
async function measure(spools) {
  const { page } = await open(browser, server.url, { spools });
  await page.click(byTestId("worker-93"));
  await page.waitForSelector(byTestId("spool-search"));
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
  await page.close();
}

try {
  console.log(`keystroke to painted frame, typing "${QUERY}" and erasing it ${ROUNDS} times`);
  for (const spools of SIZES) await measure(spools);
} finally {
  await browser.close();
  server.close();
}
