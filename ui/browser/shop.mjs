// The built interface in Chromium on the production pair: two stations and a viewer of one shop (one Redis, one
// spreadsheet behind the Sheets fake), each page on its own test host. Run by `tests/browser_shop.rs`, which
// starts the services and writes the configurations into SHOP_FOLDER; REDIS_PID lets a test freeze Redis.
//   cargo test --test browser_shop
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { byTestId, launch, open, output } from "./harness.mjs";

const folder = process.env.SHOP_FOLDER;
const redisPid = Number(process.env.REDIS_PID);
if (!folder || !redisPid) throw new Error("run through `cargo test --test browser_shop`, which sets up the shop");

let browser;
const pages = [];

before(async () => {
  mkdirSync(output, { recursive: true });
  browser = await launch();
});

after(async () => {
  for (const page of pages) await page.close();
  await browser?.close();
});

/** A station's page; its console errors fail the suite at the end. */
async function station(name) {
  const opened = await open(browser, { config: join(folder, `${name}.toml`) });
  pages.push(opened);
  return opened;
}

const filter = (scope, operation = null) => ({ operation, scope, nv: null, ot: null, text: null });
const SECONDS = 1_000;

test("a spool taken at one station shows on the other's board live, and neither hands it out twice", async () => {
  const worker = await station("estacion-1");
  const board = await station("estacion-2");
  const [tag] = (await worker.host.invoke("list_spools", { filter: filter("available", "ARM") })).map((spool) => spool.tag);

  await board.page.click(byTestId("worker-109"));
  await board.page.click(byTestId("mode-board"));
  await board.page.waitForSelector(byTestId("board-counts"));
  assert.equal(await board.page.$(byTestId(`spool-${tag}`)), null);

  await worker.page.click(byTestId("worker-93"));
  await worker.page.click(byTestId(`select-${tag}`));
  await worker.page.click(byTestId("action-tomar"));
  await worker.page.click(byTestId("dialog-confirm"));
  await worker.page.waitForSelector(byTestId("toast-ok"));

  await board.page.waitForSelector(byTestId(`spool-${tag}`), { timeout: 10 * SECONDS });
  assert.match(await board.page.textContent(byTestId(`state-${tag}`)), /Ocupado por MR\(93\) · ARM · en estacion-1 · hace \d+ min/);
  // Paused at one station, the other's board says who paused it, from the shop's history in Redis.
  await worker.host.invoke("pausar_batch", { tags: [tag], workerId: 93 });
  await board.page.click(byTestId("section-paused"));
  await board.page.waitForSelector(byTestId(`paused-spool-${tag}`), { timeout: 10 * SECONDS });
  assert.match(await board.page.textContent(byTestId(`paused-spool-${tag}`)), /Pausado por MR\(93\)/);
  await worker.host.invoke("tomar_batch", { tags: [tag], workerId: 93, operation: "ARM" });
  await board.page.waitForSelector(byTestId(`paused-spool-${tag}`), { state: "detached", timeout: 10 * SECONDS });
  // The other station refuses the same spool to someone else: one holder, whichever screen they use.
  const refused = await board.host.invoke("tomar_batch", { tags: [tag], workerId: 94, operation: "ARM" });
  assert.equal(refused.details[0].code, "SPOOL_OCCUPIED");
  assert.deepEqual([worker.errors, board.errors], [[], []]);
});

test("with Redis frozen the banner says so with no tap, the list stays and actions wait; then it recovers", async () => {
  const { page, host, errors } = await station("estacion-1");
  const [tag, next] = (await host.invoke("list_spools", { filter: filter("available", "ARM") })).map((spool) => spool.tag);
  await page.click(byTestId("worker-93"));
  await page.click(byTestId(`select-${tag}`));
  await page.waitForSelector(".connection.online");

  process.kill(redisPid, "SIGSTOP");
  try {
    await page.waitForSelector(".connection.offline", { timeout: 15 * SECONDS });
    assert.match(await page.textContent(byTestId("connection-state")), /Sin conexión con Redis desde las \d\d:\d\d/);
    assert.match(await page.textContent(byTestId("connection-data")), /datos de las \d\d:\d\d/);
    assert.equal(await page.isDisabled(byTestId("action-tomar")), true, "actions wait for the lock service");
    assert.ok(await page.isVisible(byTestId(`spool-${next}`)), "the last data stays on screen");
    await page.screenshot({ path: `${output}7-sin-conexion.png` });
  } finally {
    process.kill(redisPid, "SIGCONT");
  }

  await page.waitForSelector(".connection.online", { timeout: 15 * SECONDS });
  assert.equal(await page.isEnabled(byTestId("action-tomar")), true);
  await page.click(byTestId("action-tomar"));
  await page.click(byTestId("dialog-confirm"));
  await page.waitForSelector(byTestId("toast-ok"));
  assert.match(await page.textContent(byTestId("toast-ok")), new RegExp(`${tag}: tomado para ARM`));
  assert.deepEqual(errors, []);
});

test("a viewer station, with no key, opens on the board and offers no action", async () => {
  const { page, errors } = await station("pantalla");
  await page.waitForSelector(byTestId("connection-view-only"));
  assert.match(await page.textContent(byTestId("connection-view-only")), /Solo visualización/);
  await page.waitForSelector(byTestId("board-counts"));
  assert.equal(await page.$(byTestId("mode-worker")), null);
  assert.equal(await page.$(byTestId("worker-93")), null);
  assert.equal(await page.$(byTestId("idle-minutes")), null);
  // The spools taken in the tests before show, from the shop's shared snapshot in Redis.
  await page.waitForSelector('[data-testid^="spool-"]');
  assert.deepEqual(errors, []);
});
