// A station's setup in Chromium on the production pair: a first start that tries the demo, and one that connects
// the station to the shop through the form, told plainly what is wrong (a file that is no key, a spreadsheet not
// shared with the service account, a missing column) until a good configuration opens the station, which
// `spooltrack doctor` then reads back; then a supervisor reopens setup and moves the station. Run by
// `tests/browser_shop.rs`, which starts the services and passes them in SETUP (JSON): the Redis URL and, for the
// shop's spreadsheet, one not shared and one with a column renamed, each Sheets fake's address and key.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { byTestId, launch, open, output } from "./harness.mjs";

const services = JSON.parse(process.env.SETUP ?? "null");
if (!services) throw new Error("run through `cargo test --test browser_shop`, which sets up the shop");

let browser;

before(async () => {
  mkdirSync(output, { recursive: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const SECONDS = 1_000;

/** A first start's page; its console errors (other than refusals, which are answers) fail the test. */
async function firstStart(run) {
  const opened = await open(browser, { firstStart: true });
  try {
    await run(opened);
    assert.deepEqual(opened.errors.filter((error) => !error.includes("status of 422")), [], "no console errors");
  } finally {
    await opened.close();
  }
}

async function fill(page, testId, text) {
  await page.fill(byTestId(testId), text);
}

/** Checks the answers on screen and answers the report's checks by name. */
async function check(page) {
  await page.click(byTestId("setup-check"));
  await page.waitForSelector(byTestId("setup-report"), { timeout: 30 * SECONDS });
  return page.$$eval("[data-testid^='setup-check-']", (items) =>
    Object.fromEntries(
      items
        .filter((item) => item.tagName === "LI")
        .map((item) => [item.dataset.testid.slice("setup-check-".length), { ok: item.classList.contains("ok"), text: item.textContent }]),
    ),
  );
}

async function answer(page, spreadsheet) {
  await fill(page, "setup-key", spreadsheet.key);
  await fill(page, "setup-endpoint", spreadsheet.endpoint);
}

test("a first start tries the demo", () =>
  firstStart(async ({ page }) => {
    await page.waitForSelector(byTestId("setup-demo"));
    await page.screenshot({ path: `${output}setup-1-primera-vez.png` });
    await page.click(byTestId("setup-demo"));
    await page.waitForSelector(byTestId("worker-93"));
  }));

test("a first start connects the station to the shop, told what is wrong, then a supervisor moves it", () =>
  firstStart(async ({ page, host }) => {
    await page.click(byTestId("setup-connect"));
    await fill(page, "setup-station", "Armado-3");
    await fill(page, "setup-spreadsheet", `https://docs.google.com/spreadsheets/d/${services.spreadsheet}/edit#gid=0`);
    await fill(page, "setup-redis", services.redis);
    await fill(page, "setup-prefix", services.prefix);
    await page.click(byTestId("setup-advanced"));
    // No file dialog outside the app's window: the key's path is typed.
    assert.equal(await page.$(byTestId("setup-key-choose")), null);

    const notAKey = join(host.folder, "foto.json");
    writeFileSync(notAKey, '{"no": "es una clave"}');
    await answer(page, { ...services.shop, key: notAKey });
    let checks = await check(page);
    assert.equal(checks["clave de la cuenta de servicio"]?.ok, false, JSON.stringify(checks));
    assert.ok(await page.isDisabled(byTestId("setup-save")), "nothing failing is saved");

    await answer(page, services.unshared);
    checks = await check(page);
    assert.equal(checks.planilla?.ok, false, JSON.stringify(checks));
    assert.match(checks.planilla.text, new RegExp(services.email.replace(/[.]/g, "\\.")));
    assert.match(await page.textContent(byTestId("setup-email")), new RegExp(services.email.replace(/[.]/g, "\\.")));
    await page.screenshot({ path: `${output}setup-2-no-compartida.png`, fullPage: true });

    await answer(page, services.drifted);
    checks = await check(page);
    assert.equal(checks["pestaña Roles"]?.ok, false, JSON.stringify(checks));
    assert.match(checks["pestaña Roles"].text, /Rol/);
    assert.ok(await page.isDisabled(byTestId("setup-save")));

    await answer(page, services.shop);
    checks = await check(page);
    assert.ok(Object.values(checks).every((item) => item.ok), JSON.stringify(checks));
    await page.click(byTestId("setup-save"));
    await page.waitForSelector(byTestId("worker-93"), { timeout: 30 * SECONDS });

    const config = join(host.folder, "estacion", "config.toml");
    assert.equal(statSync(join(host.folder, "estacion", "clave-cuenta-servicio.json")).mode & 0o777, 0o600);
    const doctor = () =>
      JSON.parse(
        execFileSync(process.env.SPOOLTRACK_BIN, ["--config", config, "doctor", "--json"], {
          env: { ...process.env, XDG_DATA_HOME: host.folder },
        }),
      );
    const station = (report) => report.checks.find((item) => item.name === "estación").detail;
    const written = doctor();
    assert.equal(written.ok, true, JSON.stringify(written));
    assert.equal(station(written), "Armado-3");

    // A supervisor reopens setup from the board's settings and renames the station; it opens again at once.
    await page.click(byTestId("worker-109"));
    await page.click(byTestId("mode-board"));
    await page.click(byTestId("settings-unlock"));
    await page.click(byTestId("supervisor-109"));
    for (const digit of services.supervisorPin) await page.click(byTestId(`pin-key-${digit}`));
    await page.click(byTestId("pin-ok"));
    await page.click(byTestId("reconfigure"));
    await page.waitForSelector(byTestId("setup-station"));
    assert.equal(await page.inputValue(byTestId("setup-station")), "Armado-3");
    assert.equal(await page.inputValue(byTestId("setup-endpoint")), services.shop.endpoint);
    await fill(page, "setup-station", "Armado-4");
    checks = await check(page);
    assert.ok(Object.values(checks).every((item) => item.ok), JSON.stringify(checks));
    await page.screenshot({ path: `${output}setup-3-reabierta.png`, fullPage: true });
    await page.click(byTestId("setup-save"));
    await page.waitForSelector(byTestId("worker-93"), { timeout: 30 * SECONDS });
    assert.equal(station(await host.invoke("doctor")), "Armado-4");
    assert.equal(station(doctor()), "Armado-4");
  }));
