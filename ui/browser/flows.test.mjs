// The built interface in a real Chromium on the fake backend: the worker's day, a batch with failures, a scan,
// the offline banner, and touch targets measured in the page. Screenshots of each main screen go to output/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { byTestId, launch, open, output, serve } from "./harness.mjs";

let server;
let browser;

before(async () => {
  mkdirSync(output, { recursive: true });
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

const shot = (page, name) => page.screenshot({ path: `${output}${name}.png` });

async function withPage(options, run) {
  const { page, errors } = await open(browser, server.url, options);
  try {
    await run(page);
    assert.deepEqual(errors, [], "no console errors");
  } finally {
    await page.close();
  }
}

async function confirm(page) {
  await page.click(byTestId("dialog-confirm"));
}

test("identify, take, pause, take again, complete", () =>
  withPage({}, async (page) => {
    await page.waitForSelector(byTestId("worker-93"));
    await shot(page, "1-identificarse");
    await page.click(byTestId("worker-94"));
    await page.waitForSelector(byTestId("operation-picker"));
    await shot(page, "2-operacion");
    await page.click(byTestId("leave"));
    await page.click(byTestId("worker-93"));

    await page.click(byTestId("select-S-0006"));
    await page.click(byTestId("select-S-0007"));
    await shot(page, "3-elegir-spools");
    await page.click(byTestId("select-S-0007"));
    await page.click(byTestId("action-tomar"));
    await page.waitForSelector(byTestId("confirm-dialog"));
    await shot(page, "4-confirmar");
    await confirm(page);
    await page.waitForSelector(byTestId("toast-ok"));

    await page.click(byTestId("step-mine"));
    await page.click(byTestId("select-S-0006"));
    await shot(page, "5-mis-spools");
    await page.click(byTestId("action-pausar"));
    await confirm(page);
    assert.match(await page.textContent(byTestId("dialog-question")), /otra vez/);
    await confirm(page);
    await page.waitForSelector(byTestId("spool-list-empty"));

    await page.click(byTestId("step-take"));
    assert.match(await page.textContent(byTestId("state-S-0006")), /Trabajo previo: MR\(93\)/);
    await page.click(byTestId("select-S-0006"));
    await page.click(byTestId("action-tomar"));
    await confirm(page);
    await page.waitForSelector(byTestId("toast-ok"));
    await page.click(byTestId("step-mine"));
    await page.click(byTestId("select-S-0006"));
    await page.click(byTestId("action-completar"));
    await confirm(page);
    await page.waitForSelector(byTestId("spool-list-empty"));
    const ends = await page.evaluate(() => window.fake.sessions.map((session) => session.fin));
    assert.deepEqual(ends, ["PAUSADO", "COMPLETADO"]);
  }));

test("a batch of 10 with 3 failures ends in a summary grouped by cause", () =>
  withPage({}, async (page) => {
    await page.click(byTestId("worker-93"));
    for (const tag of ["S-0006", "S-0007", "S-0008", "S-0009", "S-0011", "S-0016", "S-0017", "S-0018", "S-0019", "S-0021"]) {
      await page.click(byTestId(`select-${tag}`));
    }
    await page.click(byTestId("action-tomar"));
    await page.evaluate(() => window.fake.takeElsewhere(["S-0007"]));
    await confirm(page);
    await page.waitForSelector(byTestId("batch-result"));
    await shot(page, "6-resumen-de-lote");
    assert.match(await page.textContent(byTestId("batch-succeeded")), /7 spools listos/);
    assert.match(await page.textContent(byTestId("cause-PREREQUISITE_MISSING")), /2 sin materiales/);
    assert.match(await page.textContent(byTestId("cause-SPOOL_OCCUPIED")), /1 ocupado por otros/);
  }));

test("a scanned badge identifies and a scanned tag selects, wherever the focus is", () =>
  withPage({}, async (page) => {
    await page.waitForSelector(byTestId("worker-93"));
    await page.focus(byTestId("worker-search"));
    await page.keyboard.type("W93\n", { delay: 5 });
    await page.waitForSelector(byTestId("identified"));
    await page.keyboard.type("S-0009\n", { delay: 5 });
    await page.waitForFunction(() => document.querySelector('[data-testid="select-S-0009"]')?.checked === true);
    // A person typing slowly in the search field is not a scanner.
    await page.focus(byTestId("spool-search"));
    await page.keyboard.type("S-0016", { delay: 120 });
    await page.keyboard.press("Enter");
    assert.equal(await page.inputValue(byTestId("spool-search")), "S-0016");
    assert.equal(await page.isChecked(byTestId("select-S-0016")), false);
  }));

test("the offline banner says which service is away since when, and how old the data is", () =>
  withPage({}, async (page) => {
    await page.click(byTestId("worker-93"));
    await page.waitForSelector(byTestId("select-S-0006"));
    assert.match(await page.textContent(byTestId("connection")), /En línea.*datos de las \d\d:\d\d/);
    await page.evaluate(async () => {
      window.fake.offline = true;
      await window.fake.pushConnection([{ service: "redis", since: "10:42" }], "10:41");
    });
    await page.waitForSelector(".connection.offline");
    assert.match(await page.textContent(byTestId("connection")), /Sin conexión con Redis desde las 10:42.*datos de las 10:41/);
    await page.click(byTestId("select-S-0006"));
    assert.equal(await page.isDisabled(byTestId("action-tomar")), true, "actions wait for the connection");
    await shot(page, "7-sin-conexion");
  }));

test("the supervisor board, in English too", () =>
  withPage({}, async (page) => {
    await page.click(byTestId("worker-109"));
    await page.click(byTestId("mode-board"));
    await page.waitForSelector(byTestId("board-counts"));
    await shot(page, "8-tablero");
    await page.click(byTestId("history-S-0002"));
    await page.waitForSelector(byTestId("history-drawer"));
    await page.click(byTestId("history-close"));
    await page.click(byTestId("language-en"));
    assert.match(await page.textContent(byTestId("board")), /Taken spools/);
    await shot(page, "9-board-english");
  }));

test("every target is at least 48 px and primary actions 64-96 px tall", () =>
  withPage({}, async (page) => {
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
    await page.waitForSelector(byTestId("select-S-0006"));
    check(await measure(), "take");
    await page.click(byTestId("select-S-0006"));
    await page.click(byTestId("action-tomar"));
    check(await measure(), "dialog");
    await page.click(byTestId("dialog-cancel"));
    await page.click(byTestId("mode-board"));
    await page.waitForSelector(byTestId("board-counts"));
    check(await measure(), "board");
  }));
