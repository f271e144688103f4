// The built interface in a real Chromium on the real core (a test host on a fresh demo shop per page): the
// worker's day, a batch with failures, a scan, the board, and touch targets measured in the page. Other
// stations' work is done through the host's commands. Screenshots of each main screen go to output/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { byTestId, launch, open, output } from "./harness.mjs";

let browser;

before(async () => {
  mkdirSync(output, { recursive: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const shot = (page, name) => page.screenshot({ path: `${output}${name}.png` });

async function withPage(run, options) {
  const { page, host, errors, close } = await open(browser, options);
  try {
    await run(page, host);
    // A refusal is an answer (422 with its error payload), which Chromium logs as a failed load.
    const refusals = (error) => error.includes("status of 422");
    assert.deepEqual(errors.filter((error) => !refusals(error)), [], "no console errors");
  } finally {
    await close();
  }
}

const filter = (scope, operation = null) => ({ operation, scope, nv: null, ot: null, text: null });
const freeForArm = async (host, count) =>
  (await host.invoke("list_spools", { filter: filter("available", "ARM") })).slice(0, count).map((spool) => spool.tag);

/**
 * What a barcode scanner does: the keys of `code` and Enter, pressed 5 ms apart. The presses carry their own
 * time (as a scanner's do), however long the page takes to handle each.
 */
async function scan(page, code) {
  const keyboard = await page.context().newCDPSession(page);
  const start = Date.now() / 1000;
  const keys = [...code].map((key) => ({ key, text: key }));
  keys.push({ key: "Enter", code: "Enter", windowsVirtualKeyCode: 13, text: "\r" });
  await Promise.all(
    keys.flatMap((key, index) => [
      keyboard.send("Input.dispatchKeyEvent", { type: "keyDown", timestamp: start + index * 0.005, ...key }),
      keyboard.send("Input.dispatchKeyEvent", { type: "keyUp", timestamp: start + index * 0.005 + 0.002, ...key }),
    ]),
  );
  await keyboard.detach();
}

async function confirm(page) {
  await page.click(byTestId("dialog-confirm"));
}

test("identify, take, pause, take again, complete", () =>
  withPage(async (page, host) => {
    const [tag, other] = await freeForArm(host, 2);
    await page.waitForSelector(byTestId("worker-93"));
    await shot(page, "1-identificarse");
    await page.click(byTestId("worker-94"));
    await page.waitForSelector(byTestId("operation-picker"));
    await shot(page, "2-operacion");
    await page.click(byTestId("leave"));
    await page.click(byTestId("worker-93"));

    await page.click(byTestId(`select-${tag}`));
    await page.click(byTestId(`select-${other}`));
    await shot(page, "3-elegir-spools");
    await page.click(byTestId(`select-${other}`));
    await page.click(byTestId("action-tomar"));
    await page.waitForSelector(byTestId("confirm-dialog"));
    await shot(page, "4-confirmar");
    await confirm(page);
    await page.waitForSelector(byTestId("toast-ok"));

    await page.click(byTestId("step-mine"));
    await page.click(byTestId(`select-${tag}`));
    await shot(page, "5-mis-spools");
    await page.click(byTestId("action-pausar"));
    await confirm(page);
    assert.match(await page.textContent(byTestId("dialog-question")), /otra vez/);
    await confirm(page);
    await page.waitForSelector(byTestId(`spool-${tag}`), { state: "detached" });

    await page.click(byTestId("step-take"));
    await page.waitForSelector(byTestId(`paused-${tag}`));
    assert.match(await page.textContent(byTestId(`state-${tag}`)), /Trabajo previo: MR\(93\)/);
    await page.click(byTestId(`select-${tag}`));
    await page.click(byTestId("action-tomar"));
    await confirm(page);
    await page.waitForSelector(byTestId("toast-ok"));
    await page.click(byTestId("step-mine"));
    await page.click(byTestId(`select-${tag}`));
    await page.click(byTestId("action-completar"));
    await confirm(page);
    await page.waitForSelector(byTestId(`spool-${tag}`), { state: "detached" });
    const sessions = await host.invoke("history", { tag });
    assert.deepEqual(
      sessions.map((session) => session.fin),
      ["PAUSADO", "COMPLETADO"],
    );
  }));

test("a batch of 10 with 3 failures ends in a summary grouped by cause", () =>
  withPage(async (page, host) => {
    const tags = await freeForArm(host, 10);
    await page.click(byTestId("worker-93"));
    for (const tag of tags) await page.click(byTestId(`select-${tag}`));
    await page.click(byTestId("action-tomar"));
    await host.invoke("tomar_batch", { tags: tags.slice(1, 3), workerId: 94, operation: "ARM" });
    await host.invoke("tomar_batch", { tags: [tags[3]], workerId: 103, operation: "ARM" });
    await host.invoke("completar_batch", { tags: [tags[3]], workerId: 103, fecha: null });
    await confirm(page);
    await page.waitForSelector(byTestId("batch-result"));
    await shot(page, "6-resumen-de-lote");
    assert.match(await page.textContent(byTestId("batch-succeeded")), /7 spools listos/);
    assert.match(await page.textContent(byTestId("cause-SPOOL_OCCUPIED")), /2 ocupados por otros/);
    assert.match(await page.textContent(byTestId("cause-ALREADY_COMPLETED")), /1 ya completado/);
  }));

test("a scanned badge identifies and a scanned tag selects, wherever the focus is", () =>
  withPage(async (page, host) => {
    const [scanned, typed] = await freeForArm(host, 2);
    await page.waitForSelector(byTestId("worker-93"));
    await page.focus(byTestId("worker-search"));
    await scan(page, "W93");
    await page.waitForSelector(byTestId("identified"));
    await page.waitForSelector(byTestId(`select-${scanned}`));
    await scan(page, scanned);
    await page.waitForFunction((tag) => document.querySelector(`[data-testid="select-${tag}"]`)?.checked === true, scanned);
    // A person typing slowly in the search field is not a scanner.
    await page.focus(byTestId("spool-search"));
    await page.keyboard.type(typed, { delay: 120 });
    await page.keyboard.press("Enter");
    assert.equal(await page.inputValue(byTestId("spool-search")), typed);
    assert.equal(await page.isChecked(byTestId(`select-${typed}`)), false);
  }));

test("the supervisor board, in English too", () =>
  withPage(async (page, host) => {
    // A spool worked on twice, for its history.
    const [worked] = await freeForArm(host, 1);
    await host.invoke("tomar_batch", { tags: [worked], workerId: 93, operation: "ARM" });
    await host.invoke("pausar_batch", { tags: [worked], workerId: 93 });
    await host.invoke("tomar_batch", { tags: [worked], workerId: 94, operation: "ARM" });
    await page.click(byTestId("worker-109"));
    await page.click(byTestId("mode-board"));
    await page.waitForSelector(byTestId("board-counts"));
    await shot(page, "8-tablero");
    await page.fill(byTestId("board-search"), worked);
    await page.click(byTestId(`history-${worked}`));
    await page.waitForSelector(byTestId("history-bar"));
    await shot(page, "15-historial");
    await page.fill(byTestId("board-search"), "");
    await page.click(byTestId("history-close"));
    await page.click(byTestId("section-paused"));
    await page.waitForSelector('[data-testid^="paused-spool-"]');
    await shot(page, "16-pausados");
    await page.click(byTestId("section-crew"));
    await page.waitForSelector(byTestId("crew-counts"));
    await shot(page, "13-trabajadores");
    await page.click(byTestId("section-orders"));
    await page.waitForSelector('[data-testid^="bar-NV-"]');
    await page.locator('[data-testid^="nv-NV-"]').nth(2).click();
    await shot(page, "10-avance");
    await page.click(byTestId("section-activity"));
    await page.waitForSelector('[data-testid^="event-tag-"]');
    assert.match(await page.textContent(byTestId("activity")), new RegExp(`Tomó${worked} · ARMNR\\(94\\)`));
    await shot(page, "18-actividad");
    await page.click(byTestId("section-export"));
    await page.click(byTestId("export-save"));
    await page.waitForSelector(byTestId("toast-ok"));
    await shot(page, "12-exportar");
    await page.click(byTestId("section-health"));
    await page.waitForSelector(byTestId("health-summary"));
    assert.match(await page.textContent(byTestId("health-summary")), /Todo en orden/);
    await shot(page, "11-salud");
    await page.click(byTestId("section-occupied"));
    await page.click(byTestId("language-en"));
    assert.match(await page.textContent(byTestId("board")), /Taken spools/);
    await shot(page, "9-board-english");
  }));

test("every target is at least 48 px and primary actions 64-96 px tall", () =>
  withPage(async (page, host) => {
    const [tag] = await freeForArm(host, 1);
    const measure = () =>
      page.evaluate(() =>
        [...document.querySelectorAll("button, input, select, textarea, [role=button]")]
          .filter((element) => element.getClientRects().length > 0)
          .map((element) => {
            const box = element.getBoundingClientRect();
            return { id: element.dataset.testid ?? element.outerHTML.slice(0, 60), width: box.width, height: box.height, huge: element.classList.contains("huge") };
          }),
      );
    const check = (targets, screen) => {
      assert.ok(targets.length > 0, screen);
      for (const target of targets) {
        assert.ok(target.width >= 48 && target.height >= 48, `${screen}: ${target.id} is ${target.width}×${target.height}`);
        if (target.huge) assert.ok(target.height >= 64 && target.height <= 96, `${screen}: ${target.id} is ${target.height} px tall`);
      }
    };
    await page.waitForSelector(byTestId("worker-93"));
    check(await measure(), "identify");
    await page.click(byTestId("worker-93"));
    await page.waitForSelector(byTestId(`select-${tag}`));
    check(await measure(), "take");
    await page.click(byTestId(`select-${tag}`));
    await page.click(byTestId("action-tomar"));
    check(await measure(), "dialog");
    await page.click(byTestId("dialog-cancel"));
    await page.click(byTestId("mode-board"));
    await page.waitForSelector(byTestId("board-counts"));
    check(await measure(), "board");
    // Each of the board's sections, once what it shows has arrived (an NV opened on its OTs).
    const sections = {
      paused: () => page.waitForSelector('[data-testid^="paused-spool-"]'),
      crew: () => page.waitForSelector(byTestId("crew-counts")),
      orders: () => page.click('[data-testid^="nv-NV-"]'),
      export: () => page.waitForSelector(byTestId("export-save")),
      health: () => page.waitForSelector(byTestId("health-summary")),
    };
    for (const [section, shown] of Object.entries(sections)) {
      await page.click(byTestId(`section-${section}`));
      await shown();
      check(await measure(), section);
    }
  }));

test("the wall screen, on a TV's 1920×1080, has nothing to tap", () =>
  withPage(
    async (page) => {
      await page.waitForSelector(byTestId("wall"));
      await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="wall-arm"] .number')?.textContent ?? ""));
      assert.equal(await page.locator("button").count(), 0);
      const number = await page.locator('[data-testid="wall-arm"] .number').boundingBox();
      assert.ok(number.height >= 100, `the counts are large enough to read from 5 m: ${number.height} px`);
      await shot(page, "14-pantalla");
    },
    { width: 1920, height: 1080, args: ["--pantalla"] },
  ));

/** Taps a PIN on the keypad and OK. */
async function typePin(page, pin) {
  for (const digit of pin) await page.click(byTestId(`pin-key-${digit}`));
  await page.click(byTestId("pin-ok"));
}

test("force-release needs the supervisor's PIN and wrong PINs make the station wait", () =>
  withPage(async (page, host) => {
    const [tag] = await freeForArm(host, 1);
    await host.invoke("tomar_batch", { tags: [tag], workerId: 93, operation: "ARM" });
    await page.click(byTestId("worker-109"));
    await page.click(byTestId("mode-board"));
    assert.equal(await page.$(byTestId("idle-minutes")), null, "settings stay closed without the PIN");
    await page.fill(byTestId("board-search"), tag);
    for (const pin of ["1111", "2222", "3333", "1090"]) {
      await page.click(byTestId(`release-${tag}`));
      await page.fill(byTestId("dialog-reason"), "fin de turno");
      await confirm(page);
      await confirm(page);
      await page.waitForSelector(byTestId("pin-pad"));
      if (pin === "1111") await shot(page, "17-pin");
      await typePin(page, pin);
      const toast = await page.waitForSelector(byTestId("toast-error"));
      const text = await toast.textContent();
      assert.match(text, pin === "1090" ? /Demasiados PIN incorrectos/ : /PIN incorrecto/, text);
      await page.click(byTestId("toast-dismiss"));
    }
    const [spool] = await host.invoke("list_spools", { filter: { ...filter("all"), text: tag } });
    assert.equal(spool.ocupado_por, "MR(93)", "neither a wrong PIN nor a blocked right one released it");
  }));
