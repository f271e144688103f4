/// <reference types="node" />
// Flows of the interface on the real core: every test has a fresh demo shop behind the test host, and other
// stations' work is done through the same commands the screens call.
import { readFileSync } from "node:fs";
import { emit } from "@tauri-apps/api/event";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test, vi } from "vitest";
import { App } from "./App";
import type { ConnectionState_Serialize as StationConnection } from "./bindings";
import type { BatchOutcome, ListFilter, NvProgress, Operation, SpoolView, WorkSession } from "./lib/ipc";
import { withTestHost } from "./testing/host";

const host = withTestHost();

const filter = (scope: ListFilter["scope"], operation: Operation | null = null, text: string | null = null): ListFilter => ({
  operation,
  scope,
  nv: null,
  ot: null,
  text,
});
const list = (wanted: ListFilter) => host().invoke<SpoolView[]>("list_spools", { filter: wanted });
const spool = async (tag: string) => (await list(filter("all", null, tag))).find((found) => found.tag === tag)!;
const freeForArm = async (count: number) => (await list(filter("available", "ARM"))).slice(0, count).map((found) => found.tag);
const takeElsewhere = (tags: string[], workerId: number, operation: Operation = "ARM") =>
  host().invoke<BatchOutcome>("tomar_batch", { tags, workerId, operation });
const pauseElsewhere = (tags: string[], workerId: number) => host().invoke<BatchOutcome>("pausar_batch", { tags, workerId });

async function identifyAs(user: ReturnType<typeof userEvent.setup>, id: number) {
  render(<App />);
  await user.click(await screen.findByTestId(`worker-${id}`));
}

/** A supervisor at the board, on one of its sections. */
async function openBoard(user: ReturnType<typeof userEvent.setup>, section: string) {
  await identifyAs(user, 109);
  await user.click(screen.getByTestId("mode-board"));
  await user.click(screen.getByTestId(`section-${section}`));
}

async function confirm(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId("dialog-confirm"));
}

/** Types a PIN on the keypad, key by key, and taps OK. */
async function typePin(user: ReturnType<typeof userEvent.setup>, pin: string) {
  for (const digit of pin) await user.click(await screen.findByTestId(`pin-key-${digit}`));
  expect(screen.getByTestId("pin-dots")).toHaveTextContent("●".repeat(pin.length));
  expect(screen.getByTestId("pin-pad")).not.toHaveTextContent(pin);
  await user.click(screen.getByTestId("pin-ok"));
}

describe("a worker", () => {
  test("identifies, skips the operation picker, takes, pauses with two confirmations, takes again and completes", async () => {
    const user = userEvent.setup();
    const [tag] = await freeForArm(1);
    await identifyAs(user, 93);
    expect(screen.getByTestId("identified")).toHaveTextContent("Mauricio Rodriguez · MR(93)");
    expect(screen.queryByTestId("operation-picker")).not.toBeInTheDocument();

    await user.click(await screen.findByTestId(`select-${tag}`));
    await user.click(screen.getByTestId("action-tomar"));
    expect(screen.getByTestId("dialog-question")).toHaveTextContent("¿Tomar 1 spool para ARM?");
    await confirm(user);
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent(`${tag}: tomado para ARM`);

    await user.click(screen.getByTestId("step-mine"));
    await user.click(await screen.findByTestId(`select-${tag}`));
    await user.click(screen.getByTestId("action-pausar"));
    await confirm(user);
    expect(screen.getByTestId("dialog-question")).toHaveTextContent(`Confirma otra vez: pausar ${tag}.`);
    await confirm(user);
    await waitFor(() => expect(screen.queryByTestId(`spool-${tag}`)).not.toBeInTheDocument());

    await user.click(screen.getByTestId("step-take"));
    expect(await screen.findByTestId(`paused-${tag}`)).toHaveTextContent("Pausado ARM");
    expect(screen.getByTestId(`state-${tag}`)).toHaveTextContent("Trabajo previo: MR(93)");
    await user.click(screen.getByTestId(`select-${tag}`));
    await user.click(screen.getByTestId("action-tomar"));
    await confirm(user);

    await user.click(screen.getByTestId("step-mine"));
    await user.click(await screen.findByTestId(`select-${tag}`));
    await user.click(screen.getByTestId("action-completar"));
    await confirm(user);
    await waitFor(() => expect(screen.queryByTestId(`spool-${tag}`)).not.toBeInTheDocument());
    expect((await spool(tag)).fecha_armado).not.toBeNull();
    const sessions = await host().invoke<WorkSession[]>("history", { tag });
    expect(sessions.map((session) => session.fin)).toEqual(["PAUSADO", "COMPLETADO"]);
  });

  test("with two operations picks one first; a spool taken at another station greys out and names its holder", async () => {
    const user = userEvent.setup();
    const [tag] = await freeForArm(1);
    await identifyAs(user, 94);
    await user.click(await screen.findByTestId("pick-ARM"));
    expect(await screen.findByTestId(`select-${tag}`)).toBeEnabled();

    await takeElsewhere([tag], 93);
    await waitFor(() => expect(screen.getByTestId(`spool-${tag}`)).toHaveClass("occupied"));
    expect(screen.getByTestId(`select-${tag}`)).toBeDisabled();
    expect(screen.getByTestId(`state-${tag}`)).toHaveTextContent("Ocupado por MR(93)");
  });

  test("a batch of 10 with 3 failures shows a summary grouped by cause", async () => {
    const user = userEvent.setup();
    const tags = await freeForArm(10);
    await identifyAs(user, 93);
    for (const tag of tags) await user.click(await screen.findByTestId(`select-${tag}`));
    expect(screen.getByTestId("selected-count")).toHaveTextContent("10 seleccionados");
    await user.click(screen.getByTestId("action-tomar"));
    // While the worker reads the question, other stations take two of them and finish one's assembly.
    await takeElsewhere([tags[1], tags[2]], 94);
    await takeElsewhere([tags[3]], 103);
    await host().invoke("completar_batch", { tags: [tags[3]], workerId: 103, fecha: null });
    await confirm(user);

    const result = await screen.findByTestId("batch-result");
    expect(within(result).getByTestId("batch-succeeded")).toHaveTextContent("7 spools listos");
    expect(within(result).getByTestId("cause-SPOOL_OCCUPIED")).toHaveTextContent(
      `2 ocupados por otros: ${tags[1]}, ${tags[2]}`,
    );
    expect(within(result).getByTestId("cause-ALREADY_COMPLETED")).toHaveTextContent(`1 ya completado: ${tags[3]}`);
  });

  test("a scanned tag selects the spool and a scanned badge identifies, from anywhere", async () => {
    const user = userEvent.setup();
    const [first, second] = await freeForArm(2);
    const [occupied] = await list(filter("occupied", "ARM"));
    render(<App />);
    await screen.findByTestId("worker-93");
    await user.keyboard("93{Enter}");
    expect(screen.queryByTestId("identified")).not.toBeInTheDocument();
    fireScan("W93");
    expect(await screen.findByTestId("identified")).toHaveTextContent("MR(93)");
    await screen.findByTestId(`select-${first}`);
    fireScan(second);
    await waitFor(() => expect(screen.getByTestId(`select-${second}`)).toBeChecked());
    fireScan(occupied.tag);
    expect(await screen.findByTestId("toast-error")).toHaveTextContent(
      `El spool ${occupied.tag} está ocupado por ${occupied.ocupado_por}.`,
    );
  });

  test("cancels two wrong takes at once, after two confirmations, and the rows go back", async () => {
    const user = userEvent.setup();
    const [first, second] = await freeForArm(2);
    await identifyAs(user, 93);
    await user.click(await screen.findByTestId(`select-${first}`));
    await user.click(screen.getByTestId(`select-${second}`));
    await user.click(screen.getByTestId("action-tomar"));
    await confirm(user);
    await user.click(screen.getByTestId("step-mine"));
    await user.click(await screen.findByTestId(`select-${first}`));
    await user.click(screen.getByTestId(`select-${second}`));
    await user.click(screen.getByTestId("action-cancelar"));
    await confirm(user);
    expect(screen.getByTestId("dialog-question")).toHaveTextContent(`Confirma otra vez: cancelar ${first}, ${second}.`);
    await confirm(user);
    await waitFor(() => expect(screen.queryByTestId(`spool-${first}`)).not.toBeInTheDocument());
    expect(screen.queryByTestId(`spool-${second}`)).not.toBeInTheDocument();
    expect(screen.getAllByTestId("toast-ok").at(-1)).toHaveTextContent("2 spools listos");
    for (const tag of [first, second]) expect(await spool(tag)).toMatchObject({ ocupado_por: null, armador: null });
  });

  test("an action reads each list on screen once, through its own event; another station's change, once again", async () => {
    const user = userEvent.setup();
    const [tag, other] = await freeForArm(2);
    await identifyAs(user, 93);
    await user.click(await screen.findByTestId(`select-${tag}`));
    const fetches = vi.spyOn(globalThis, "fetch");
    const reads = (command: string) => fetches.mock.calls.filter(([url]) => String(url).endsWith(`/ipc/${command}`)).length;
    const listReads = () => reads("list_spools");
    const settled = () => new Promise((resolve) => setTimeout(resolve, 500));

    await user.click(screen.getByTestId("action-tomar"));
    await confirm(user);
    await waitFor(() => expect(screen.getByTestId(`spool-${tag}`)).toHaveClass("occupied"));
    await settled();
    // The worker's two lists ("Tomar spools" and "Mis spools"), each read once.
    expect(listReads()).toBe(2);

    await takeElsewhere([other], 94);
    await waitFor(() => expect(screen.getByTestId(`spool-${other}`)).toHaveClass("occupied"));
    await settled();
    expect(listReads()).toBe(4);
    expect(reads("workers")).toBe(0);
  });

  test("is signed out after the idle time", async () => {
    window.localStorage.setItem("spooltrack.idleMinutes", "1");
    const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      await identifyAs(user, 93);
      expect(screen.getByTestId("identified")).toBeInTheDocument();
      // The screen looks at the clock every half minute: a minute and a half later it says one minute more.
      act(() => vi.advanceTimersByTime(91_000));
      expect(screen.queryByTestId("identified")).not.toBeInTheDocument();
      expect(screen.getByTestId("identify")).toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });
});

/** What the station pushes about its services (src-tauri/events.rs `ConnectionChanged`). */
const pushConnection = (state: Partial<StationConnection>) =>
  act(() =>
    emit("connection-changed", {
      checked: true,
      outages: [],
      data_read_at: null,
      sheets_busy: false,
      view_only: false,
      actions_offered: true,
      ...state,
    } satisfies StationConnection),
  );

describe("the screen", () => {
  // The embedded store has no network to lose; these follow the states the station pushes, as the window does.
  test("follows the station's pushed connection state with no tap, naming the service and the data's age", async () => {
    const user = userEvent.setup();
    const [tag] = await freeForArm(1);
    await identifyAs(user, 93);
    await screen.findByTestId(`select-${tag}`);
    expect(screen.getByTestId("connection-state")).toHaveTextContent("En línea");
    await pushConnection({ outages: [{ service: "redis", since: "10:42" }], data_read_at: "10:41", actions_offered: false });
    await waitFor(() =>
      expect(screen.getByTestId("connection-state")).toHaveTextContent("Sin conexión con Redis desde las 10:42"),
    );
    expect(screen.getByTestId("connection-data")).toHaveTextContent("datos de las 10:41");
    await user.click(screen.getByTestId(`select-${tag}`));
    expect(screen.getByTestId("action-tomar")).toBeDisabled();
    // Lists still answer from the station's copy: that does not make the screen say "online".
    await takeElsewhere((await freeForArm(2)).slice(1), 94);
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Sin conexión con Redis");

    await pushConnection({ data_read_at: "10:43", sheets_busy: true });
    await waitFor(() =>
      expect(screen.getByTestId("connection-state")).toHaveTextContent("Google Sheets ocupado, reintentando…"),
    );
    await pushConnection({ data_read_at: "10:43" });
    await waitFor(() => expect(screen.getByTestId("connection-state")).toHaveTextContent("En línea"));
    expect(screen.getByTestId("connection-data")).toHaveTextContent("datos de las 10:43");
    expect(screen.getByTestId("action-tomar")).toBeEnabled();

    // A viewer station says so and offers no action: the board takes the screen.
    await pushConnection({ data_read_at: "10:44", view_only: true, actions_offered: false });
    await waitFor(() => expect(screen.getByTestId("connection-view-only")).toHaveTextContent("Solo visualización"));
    expect(screen.queryByTestId("action-tomar")).not.toBeInTheDocument();
    expect(screen.getByTestId("board")).toBeInTheDocument();
    expect(screen.queryByTestId("mode-worker")).not.toBeInTheDocument();
    expect(screen.queryByTestId("idle-minutes")).not.toBeInTheDocument();
  });

  test("speaks English when asked, and errors stay until dismissed", async () => {
    const user = userEvent.setup();
    const [tag] = await freeForArm(1);
    await identifyAs(user, 93);
    await user.click(screen.getByTestId("language-en"));
    expect(screen.getByTestId("step-take")).toHaveTextContent("Take spools");
    await user.click(await screen.findByTestId(`select-${tag}`));
    await takeElsewhere([tag], 94);
    await user.click(screen.getByTestId("action-tomar"));
    await confirm(user);
    const toast = await screen.findByTestId("toast-error");
    expect(toast).toHaveTextContent(`Spool ${tag} is taken by NR(94).`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await user.click(within(toast).getByTestId("toast-dismiss"));
    expect(screen.queryByTestId("toast-error")).not.toBeInTheDocument();
  });
});

describe("the supervisor board", () => {
  test("counts by operation, updates live, shows history, and force-releases with a reason, two confirmations and the PIN", async () => {
    const user = userEvent.setup();
    const occupied = await list(filter("occupied"));
    const count = (operation: Operation) => occupied.filter((found) => found.operacion_en_curso === operation).length;
    expect(count("ARM")).toBeGreaterThan(0);
    await identifyAs(user, 109);
    await user.click(screen.getByTestId("mode-board"));
    await waitFor(() =>
      expect(screen.getByTestId("board-counts")).toHaveTextContent(`ARM: ${count("ARM")} · SOLD: ${count("SOLD")}`),
    );

    const [tag] = await freeForArm(1);
    await takeElsewhere([tag], 93);
    await waitFor(() => expect(screen.getByTestId("board-counts")).toHaveTextContent(`ARM: ${count("ARM") + 1} · SOLD: ${count("SOLD")}`));
    await user.click(screen.getByTestId("board-filter-SOLD"));
    expect(screen.queryByTestId(`spool-${tag}`)).not.toBeInTheDocument();
    await user.click(screen.getByTestId("board-filter-all"));

    // The first row on the board (the longest occupation).
    const released = screen.getAllByTestId(/^release-/)[0].dataset.testid!.slice("release-".length);
    await user.click(screen.getByTestId(`release-${released}`));
    await user.click(screen.getByTestId("dialog-backdrop"));
    expect(screen.getByTestId("confirm-dialog")).toBeInTheDocument();
    await confirm(user);
    expect(screen.getByRole("alert")).toHaveTextContent("Escribe el motivo");
    await user.type(screen.getByTestId("dialog-reason"), "se fue a casa");
    await confirm(user);
    expect(screen.getByTestId("dialog-question")).toHaveTextContent(`Confirma otra vez: liberar ${released}.`);
    await confirm(user);
    expect(screen.getByTestId("pin-pad")).toHaveTextContent("PIN de CR(109)");
    expect(screen.getByTestId("pin-ok")).toBeDisabled();
    await typePin(user, "1091");
    expect(await screen.findByTestId("toast-error")).toHaveTextContent("PIN incorrecto. Quedan 2 intentos");
    expect((await spool(released)).ocupado_por).not.toBeNull();
    await user.click(screen.getByTestId(`release-${released}`));
    await confirm(user);
    await user.type(screen.getByTestId("dialog-reason"), "se fue a casa");
    await confirm(user);
    await confirm(user);
    await typePin(user, "1090");
    await waitFor(() => expect(screen.queryByTestId(`spool-${released}`)).not.toBeInTheDocument());
    expect((await spool(released)).ocupado_por).toBeNull();

    // Just taken, it is the shortest occupation: the search finds it.
    await user.type(screen.getByTestId("board-search"), tag);
    await user.click(await screen.findByTestId(`history-${tag}`));
    const drawer = await screen.findByTestId("history-drawer");
    expect(drawer).toHaveTextContent(`Historial de ${tag}`);
    expect(await within(drawer).findByTestId("history-session")).toHaveTextContent("MR(93)");
  });
});

describe("the station's settings", () => {
  test("open only with a supervisor's PIN, and there set another supervisor's PIN", async () => {
    const user = userEvent.setup();
    await identifyAs(user, 93);
    await user.click(screen.getByTestId("mode-board"));
    expect(screen.queryByTestId("idle-minutes")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("settings-unlock"));
    expect(screen.queryByTestId("supervisor-93")).not.toBeInTheDocument();
    await user.click(await screen.findByTestId("supervisor-109"));
    await typePin(user, "4444");
    expect(await screen.findByTestId("pin-error")).toHaveTextContent("PIN incorrecto");
    expect(screen.queryByTestId("idle-minutes")).not.toBeInTheDocument();
    await typePin(user, "1090");
    await user.selectOptions(await screen.findByTestId("idle-minutes"), "5");
    expect(screen.queryByTestId("kiosk-close")).not.toBeInTheDocument();
    expect(window.localStorage.getItem("spooltrack.idleMinutes")).toBe("5");

    await user.click(screen.getByTestId("set-pin"));
    await user.click(await screen.findByTestId("supervisor-112"));
    await typePin(user, "97531");
    await typePin(user, "97532");
    expect(await screen.findByTestId("pin-error")).toHaveTextContent("no coinciden");
    await typePin(user, "97531");
    await typePin(user, "97531");
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("PIN de DC(112) guardado");
    await host().invoke("verify_supervisor", { adminId: 112, pin: "97531" });

    await user.click(screen.getByTestId("settings-lock"));
    expect(screen.queryByTestId("idle-minutes")).not.toBeInTheDocument();
  });
});

describe("the supervisor's list of occupied spools", () => {
  test("puts the longest first, sorts by any column, highlights long ones, and durations tick", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
      const occupied = await list(filter("occupied"));
      const minutes = new Map(occupied.map((found) => [found.tag, found.ocupado_minutos!]));
      const longest = Math.max(...minutes.values());
      await identifyAs(user, 109);
      await user.click(screen.getByTestId("mode-board"));
      await screen.findByTestId("board-counts");
      const rows = () => screen.getAllByTestId(/^spool-MK-/).map((row) => row.dataset.testid!.slice("spool-".length));
      await waitFor(() => expect(minutes.get(rows()[0])).toBe(longest));
      const first = rows()[0];
      const ago = (total: number) => `hace ${Math.floor(total / 60)} h ${total % 60} min`;
      expect(screen.getByTestId(`state-${first}`)).toHaveTextContent(ago(longest));

      // Four hours by default: the longest (over five hours in the demo shop) stands out, a short one does not.
      expect(longest).toBeGreaterThanOrEqual(240);
      expect(screen.getByTestId(`spool-${first}`)).toHaveClass("long");
      const short = rows().find((tag) => minutes.get(tag)! < 240)!;
      expect(screen.getByTestId(`spool-${short}`)).not.toHaveClass("long");

      act(() => vi.advanceTimersByTime(61_000));
      expect(screen.getByTestId(`state-${first}`)).toHaveTextContent(ago(longest + 1));

      const tags = [...minutes.keys()].sort();
      await user.click(screen.getByTestId("sort-tag"));
      expect(rows()[0]).toBe(tags[0]);
      await user.click(screen.getByTestId("sort-tag"));
      expect(rows()[0]).toBe(tags.at(-1));
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("the paused spools", () => {
  test("say who paused each and since when, the sheet's own pauses who worked on them, and follow changes", async () => {
    const user = userEvent.setup();
    const [tag] = await freeForArm(1);
    await openBoard(user, "paused");
    // The demo shop's pauses have no PAUSAR in the audit: they name who worked on them.
    const demo = (await screen.findAllByTestId(/^paused-spool-/))[0];
    expect(demo).toHaveTextContent(/Pausado ARM.*Trabajo previo: \w+\(\d+\)/);

    await takeElsewhere([tag], 93);
    await pauseElsewhere([tag], 93);
    expect(await screen.findByTestId(`paused-spool-${tag}`)).toHaveTextContent("Pausado por MR(93) · hace 0 min");
    await takeElsewhere([tag], 94);
    await waitFor(() => expect(screen.queryByTestId(`paused-spool-${tag}`)).not.toBeInTheDocument());
  });
});

describe("the shop's activity", () => {
  test("lists the latest events newest first, with who, where and why, and follows other stations live", async () => {
    const user = userEvent.setup();
    const [tag] = await freeForArm(1);
    await openBoard(user, "activity");
    await screen.findByTestId("activity");
    await takeElsewhere([tag], 93);
    await waitFor(() => expect(screen.getAllByTestId(/^event-[^t]/)[0]).toHaveTextContent(`hace 0 minTomó${tag} · ARMMR(93)`));
    await pauseElsewhere([tag], 93);
    await waitFor(() => expect(screen.getAllByTestId(/^event-[^t]/)[0]).toHaveTextContent(`Pausó${tag}`));
    const [newest, before] = screen.getAllByTestId(/^event-[^t]/);
    expect(newest).toHaveTextContent(/MR\(93\)en \S+/);
    expect(before).toHaveTextContent(`Tomó${tag}`);

    await takeElsewhere([tag], 94);
    await host().invoke("liberar", { tag, adminId: 109, motivo: "turno", pin: "1090" });
    await waitFor(() => expect(screen.getAllByTestId(/^event-[^t]/)[0]).toHaveTextContent(`Liberó (supervisor)${tag}`));
    expect(screen.getAllByTestId(/^event-[^t]/)[0]).toHaveTextContent("CR(109)");
    expect(screen.getAllByTestId(/^event-[^t]/)[0]).toHaveTextContent("turno");
    await user.click(within(screen.getAllByTestId(/^event-[^t]/)[0]).getByRole("button"));
    expect(await screen.findByTestId("history-drawer")).toBeInTheDocument();
  });
});

describe("who works on what", () => {
  test("lists each worker with what they hold, the busy ones first, and follows a take elsewhere", async () => {
    const user = userEvent.setup();
    const [tag] = await freeForArm(1);
    await openBoard(user, "crew");
    // Pedro Soto (Ayudante) holds nothing in the demo shop; the supervisor, who takes no spools, is not listed.
    expect(await screen.findByTestId("member-104")).toHaveTextContent("Sin spools");
    expect(screen.queryByTestId("member-109")).not.toBeInTheDocument();
    const order = () => screen.getAllByTestId(/^member-\d+$/).map((member) => member.dataset.testid);
    expect(order().indexOf("member-104")).toBeGreaterThan(order().indexOf("member-93"));

    await takeElsewhere([tag], 104);
    expect(await screen.findByTestId(`member-104-${tag}`)).toHaveTextContent(`${tag} · ARM · hace 0 min`);
    expect(screen.getByTestId("member-104")).not.toHaveTextContent("Sin spools");
  });
});

describe("a spool's history", () => {
  test("is a timeline: a bar per session in order, coloured by how it ended, the one in progress open", async () => {
    const user = userEvent.setup();
    const [tag] = await freeForArm(1);
    await takeElsewhere([tag], 93);
    await pauseElsewhere([tag], 93);
    await takeElsewhere([tag], 94);
    await identifyAs(user, 109);
    await user.click(screen.getByTestId("mode-board"));
    await user.type(await screen.findByTestId("board-search"), tag);
    await user.click(await screen.findByTestId(`history-${tag}`));
    const drawer = await screen.findByTestId("history-drawer");
    await waitFor(() => expect(within(drawer).getAllByTestId("history-session")).toHaveLength(2));
    const [paused, working] = within(drawer).getAllByTestId("history-session");
    expect(paused).toHaveTextContent("MR(93) ARM");
    expect(paused).toHaveTextContent("pausado");
    expect(within(paused).getByTestId("history-bar")).toHaveClass("PAUSADO");
    expect(working).toHaveTextContent("NR(94) ARM");
    expect(within(working).getByTestId("history-bar")).toHaveClass("EN_CURSO");
    expect(within(working).getByTestId("history-bar").style.width).toBe("100%");
  });
});

describe("the progress of the orders", () => {
  test("draws each NV's spools by stage with the core's numbers, which add up to its rows, and follows changes", async () => {
    const user = userEvent.setup();
    const [tag] = await freeForArm(1);
    const nv = (await spool(tag)).nv!;
    const counts = async () => (await host().invoke<NvProgress[]>("progress")).find((order) => order.nv === nv)!.counts;
    const before = await counts();
    expect(before.total).toBe((await list({ ...filter("all"), nv })).length);
    await openBoard(user, "orders");
    const part = (stage: string) => screen.queryByTestId(`bar-${nv}-${stage}`)?.textContent ?? "0";
    await waitFor(() => expect(part("pendientes")).toBe(String(before.pendientes)));
    for (const stage of ["arm_en_curso", "arm_hecho", "sold_en_curso", "sold_hecho"] as const) {
      expect(part(stage)).toBe(String(before[stage]));
    }

    await takeElsewhere([tag], 93);
    await waitFor(() => expect(part("arm_en_curso")).toBe(String(before.arm_en_curso + 1)));
    expect(part("pendientes")).toBe(String(before.pendientes - 1));
    await user.click(screen.getByTestId(`nv-${nv}`));
    const ot = (await spool(tag)).ot!;
    expect(screen.getByTestId(`bar-${nv}-${ot}`)).toBeInTheDocument();
  });
});

describe("the export of work sessions", () => {
  test("saves the day's sessions as a CSV Excel opens with Spanish settings, and says where", async () => {
    const user = userEvent.setup();
    const [tag] = await freeForArm(1);
    await takeElsewhere([tag], 94);
    await pauseElsewhere([tag], 94);
    await openBoard(user, "export");
    // Today on the shop's clock (this machine's may be another day): the day the session was recorded.
    const today = new Intl.DateTimeFormat("es-CL", { timeZone: "America/Santiago", day: "2-digit", month: "2-digit", year: "numeric" })
      .format(new Date())
      .replaceAll("/", "-");
    const [day, month, year] = today.split("-");
    for (const field of ["export-from", "export-to"]) {
      fireEvent.change(screen.getByTestId(field), { target: { value: `${year}-${month}-${day}` } });
    }
    await user.click(screen.getByTestId("export-save"));

    const notice = await screen.findByTestId("toast-ok");
    const file = notice.textContent!.match(/guardada en (\S+\.csv)/)![1];
    expect(file.startsWith(host().folder)).toBe(true);
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, row] = bytes.subarray(3).toString("utf8").split("\r\n").map((line) => line.split(";"));
    expect(header.slice(0, 6)).toEqual(["TAG_SPOOL", "NV", "OT", "Operación", "Trabajador", "Fecha inicio"]);
    expect([row[0], row[3], row[4], row[5], row[10]]).toEqual([tag, "ARM", "NR(94)", today, "Pausado"]);
  });
});

describe("the station's health", () => {
  test("shows doctor's checks when opened and when asked again, never because spools changed", async () => {
    const user = userEvent.setup();
    const [tag] = await freeForArm(1);
    await identifyAs(user, 109);
    await user.click(screen.getByTestId("mode-board"));
    const fetches = vi.spyOn(globalThis, "fetch");
    const checks = () => fetches.mock.calls.filter(([url]) => String(url).endsWith("/ipc/doctor")).length;
    await user.click(screen.getByTestId("section-health"));
    expect(await screen.findByTestId("health-summary")).toHaveTextContent("Todo en orden");
    expect(screen.getByTestId("check-pestaña Operaciones")).toHaveTextContent("columnas críticas presentes");
    expect(checks()).toBe(1);

    await takeElsewhere([tag], 93);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(checks()).toBe(1);
    await user.click(screen.getByTestId("health-again"));
    await waitFor(() => expect(checks()).toBe(2));
    await waitFor(() => expect(screen.getByTestId("health-again")).toBeEnabled());
  });
});

/** What a barcode scanner does: keys much faster than a person, then Enter. */
function fireScan(code: string) {
  for (const key of [...code, "Enter"]) {
    act(() => {
      window.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    });
  }
}
