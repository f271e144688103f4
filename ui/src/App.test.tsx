// Flows of the interface with Tauri's IPC mocked by the in-memory fake backend: what a worker and a supervisor
// do, and what they see when something goes wrong.
import { mockIPC } from "@tauri-apps/api/mocks";
import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { App } from "./App";
import { FakeBackend } from "./testing/fakeBackend";

let fake: FakeBackend;

beforeEach(() => {
  fake = new FakeBackend(40);
  mockIPC((command, args) => fake.handle(command, args as Record<string, unknown>), { shouldMockEvents: true });
});

async function identifyAs(user: ReturnType<typeof userEvent.setup>, id: number) {
  render(<App />);
  await user.click(await screen.findByTestId(`worker-${id}`));
}

async function confirm(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId("dialog-confirm"));
}

describe("a worker", () => {
  test("identifies, skips the operation picker, takes, pauses with two confirmations, takes again and completes", async () => {
    const user = userEvent.setup();
    await identifyAs(user, 93);
    expect(screen.getByTestId("identified")).toHaveTextContent("Mauricio Rodriguez · MR(93)");
    expect(screen.queryByTestId("operation-picker")).not.toBeInTheDocument();

    await user.click(await screen.findByTestId("select-S-0006"));
    await user.click(screen.getByTestId("action-tomar"));
    expect(screen.getByTestId("dialog-question")).toHaveTextContent("¿Tomar 1 spool para ARM?");
    await confirm(user);
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("S-0006: tomado para ARM");

    await user.click(screen.getByTestId("step-mine"));
    await user.click(await screen.findByTestId("select-S-0006"));
    await user.click(screen.getByTestId("action-pausar"));
    await confirm(user);
    expect(screen.getByTestId("dialog-question")).toHaveTextContent("Confirma otra vez: pausar S-0006.");
    await confirm(user);
    await waitFor(() => expect(screen.getByTestId("spool-list-empty")).toBeInTheDocument());

    await user.click(screen.getByTestId("step-take"));
    expect(await screen.findByTestId("paused-S-0006")).toHaveTextContent("Pausado ARM");
    expect(screen.getByTestId("state-S-0006")).toHaveTextContent("Trabajo previo: MR(93)");
    await user.click(screen.getByTestId("select-S-0006"));
    await user.click(screen.getByTestId("action-tomar"));
    await confirm(user);

    await user.click(screen.getByTestId("step-mine"));
    await user.click(await screen.findByTestId("select-S-0006"));
    await user.click(screen.getByTestId("action-completar"));
    await confirm(user);
    await waitFor(() => expect(fake.spools[5].armDone).toBe("07-03-2025"));
    expect(fake.sessions.map((session) => session.fin)).toEqual(["PAUSADO", "COMPLETADO"]);
  });

  test("with two operations picks one first; occupied spools are greyed out and name their holder", async () => {
    const user = userEvent.setup();
    await identifyAs(user, 94);
    await user.click(await screen.findByTestId("pick-ARM"));
    const taken = await screen.findByTestId("spool-S-0012");
    expect(taken).toHaveClass("occupied");
    expect(within(taken).getByTestId("select-S-0012")).toBeDisabled();
    expect(within(taken).getByTestId("state-S-0012")).toHaveTextContent("Ocupado por NR(94)");
  });

  test("a batch of 10 with 3 failures shows a summary grouped by cause", async () => {
    const user = userEvent.setup();
    await identifyAs(user, 93);
    const tags = ["S-0006", "S-0007", "S-0008", "S-0009", "S-0011", "S-0016", "S-0017", "S-0018", "S-0019", "S-0021"];
    for (const tag of tags) await user.click(await screen.findByTestId(`select-${tag}`));
    expect(screen.getByTestId("selected-count")).toHaveTextContent("10 seleccionados");
    await user.click(screen.getByTestId("action-tomar"));
    fake.takeElsewhere(["S-0007"]);
    await confirm(user);

    const result = await screen.findByTestId("batch-result");
    expect(within(result).getByTestId("batch-succeeded")).toHaveTextContent("7 spools listos");
    expect(within(result).getByTestId("cause-PREREQUISITE_MISSING")).toHaveTextContent("2 sin materiales: S-0011, S-0021");
    expect(within(result).getByTestId("cause-SPOOL_OCCUPIED")).toHaveTextContent("1 ocupado por otros: S-0007");
  });

  test("a scanned tag selects the spool and a scanned badge identifies, from anywhere", async () => {
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("worker-93");
    await user.keyboard("93{Enter}");
    expect(screen.queryByTestId("identified")).not.toBeInTheDocument();
    fireScan("W93");
    expect(await screen.findByTestId("identified")).toHaveTextContent("MR(93)");
    await screen.findByTestId("select-S-0006");
    fireScan("S-0008");
    await waitFor(() => expect(screen.getByTestId("select-S-0008")).toBeChecked());
    fireScan("S-0002");
    expect(await screen.findByTestId("toast-error")).toHaveTextContent("El spool S-0002 está ocupado por NR(94).");
  });

  test("cancels two wrong takes at once, after two confirmations, and the rows go back", async () => {
    const user = userEvent.setup();
    await identifyAs(user, 93);
    await user.click(await screen.findByTestId("select-S-0008"));
    await user.click(screen.getByTestId("select-S-0009"));
    await user.click(screen.getByTestId("action-tomar"));
    await confirm(user);
    await user.click(screen.getByTestId("step-mine"));
    await user.click(await screen.findByTestId("select-S-0008"));
    await user.click(screen.getByTestId("select-S-0009"));
    await user.click(screen.getByTestId("action-cancelar"));
    await confirm(user);
    expect(screen.getByTestId("dialog-question")).toHaveTextContent("Confirma otra vez: cancelar S-0008, S-0009.");
    await confirm(user);
    await waitFor(() => expect(screen.getAllByTestId("toast-ok").at(-1)).toHaveTextContent("2 spools listos"));
    expect(fake.spools[7]).toMatchObject({ holder: null, armador: null });
    expect(fake.spools[8]).toMatchObject({ holder: null, armador: null });
  });

  test("is signed out after the idle time", async () => {
    window.localStorage.setItem("spooltrack.idleMinutes", "1");
    const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      await identifyAs(user, 93);
      expect(screen.getByTestId("identified")).toBeInTheDocument();
      act(() => vi.advanceTimersByTime(61_000));
      expect(screen.queryByTestId("identified")).not.toBeInTheDocument();
      expect(screen.getByTestId("identify")).toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("the screen", () => {
  test("says when it is offline, keeps the last data while calls fail, refuses actions, and recovers", async () => {
    const user = userEvent.setup();
    await act(() => fake.pushConnection([], null));
    await identifyAs(user, 93);
    await screen.findByTestId("select-S-0006");
    expect(screen.getByTestId("connection-state")).toHaveTextContent("En línea");
    expect(screen.getByTestId("connection-data")).toHaveTextContent(/datos de las \d\d:\d\d/);

    fake.offline = true;
    await act(() => fake.pushConnection([{ service: "google_sheets", since: "10:42" }], null));
    await act(() => fake.announceElsewhere(["S-0016"]));
    await waitFor(() =>
      expect(screen.getByTestId("connection-state")).toHaveTextContent("Sin conexión con Google Sheets desde las 10:42"),
    );
    expect(screen.getByTestId("select-S-0006")).toBeInTheDocument();
    await user.click(screen.getByTestId("select-S-0006"));
    expect(screen.getByTestId("action-tomar")).toBeDisabled();

    fake.offline = false;
    await act(() => fake.pushConnection([], null));
    await waitFor(() => expect(screen.getByTestId("connection-state")).toHaveTextContent("En línea"));
  });

  test("follows the station's pushed connection state with no tap, naming the service and the data's age", async () => {
    const user = userEvent.setup();
    await identifyAs(user, 93);
    await screen.findByTestId("select-S-0006");
    await act(() => fake.pushConnection([{ service: "redis", since: "10:42" }], "10:41"));
    await waitFor(() =>
      expect(screen.getByTestId("connection-state")).toHaveTextContent("Sin conexión con Redis desde las 10:42"),
    );
    expect(screen.getByTestId("connection-data")).toHaveTextContent("datos de las 10:41");
    await user.click(screen.getByTestId("select-S-0006"));
    expect(screen.getByTestId("action-tomar")).toBeDisabled();
    // The list still answers from the station's copy: that does not make the screen say "online".
    await act(() => fake.announceElsewhere(["S-0016"]));
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Sin conexión con Redis");

    await act(() => fake.pushConnection([], "10:43", { sheetsBusy: true }));
    await waitFor(() =>
      expect(screen.getByTestId("connection-state")).toHaveTextContent("Google Sheets ocupado, reintentando…"),
    );
    await act(() => fake.pushConnection([], "10:43"));
    await waitFor(() => expect(screen.getByTestId("connection-state")).toHaveTextContent("En línea"));
    expect(screen.getByTestId("connection-data")).toHaveTextContent("datos de las 10:43");
    expect(screen.getByTestId("action-tomar")).toBeEnabled();

    // A viewer station says so and offers no action: the board takes the screen.
    await act(() => fake.pushConnection([], "10:44", { viewOnly: true }));
    await waitFor(() => expect(screen.getByTestId("connection-view-only")).toHaveTextContent("Solo visualización"));
    expect(screen.queryByTestId("action-tomar")).not.toBeInTheDocument();
    expect(screen.getByTestId("board")).toBeInTheDocument();
  });

  test("a viewer station opens on the board: nobody is asked to identify", async () => {
    await fake.pushConnection([], "10:44", { viewOnly: true });
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("connection-view-only")).toHaveTextContent("Solo visualización"));
    expect(await screen.findByTestId("board")).toBeInTheDocument();
    expect(screen.queryByTestId("mode-worker")).not.toBeInTheDocument();
    expect(screen.queryByTestId("worker-93")).not.toBeInTheDocument();
    expect(screen.queryByTestId("idle-minutes")).not.toBeInTheDocument();
  });

  test("speaks English when asked, and errors stay until dismissed", async () => {
    const user = userEvent.setup();
    await identifyAs(user, 93);
    await user.click(screen.getByTestId("language-en"));
    expect(screen.getByTestId("step-take")).toHaveTextContent("Take spools");
    await user.click(await screen.findByTestId("select-S-0006"));
    fake.takeElsewhere(["S-0006"]);
    await user.click(screen.getByTestId("action-tomar"));
    await confirm(user);
    const toast = await screen.findByTestId("toast-error");
    expect(toast).toHaveTextContent("Spool S-0006 is taken by CP(101).");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await user.click(within(toast).getByTestId("toast-dismiss"));
    expect(screen.queryByTestId("toast-error")).not.toBeInTheDocument();
  });
});

describe("the supervisor board", () => {
  test("counts by operation, updates live, shows history, and force-releases with a reason and two confirmations", async () => {
    const user = userEvent.setup();
    await identifyAs(user, 109);
    await user.click(screen.getByTestId("mode-board"));
    expect(await screen.findByTestId("board-counts")).toHaveTextContent("ARM: 4 · SOLD: 4");
    expect(screen.getByTestId("state-S-0005")).toHaveTextContent("estación sin señal desde 07-03-2025 07:10:00");

    await act(() => fake.announceElsewhere(["S-0006"]));
    expect(await screen.findByTestId("spool-S-0006")).toBeInTheDocument();
    expect(screen.getByTestId("board-counts")).toHaveTextContent("ARM: 5 · SOLD: 4");
    await user.click(screen.getByTestId("board-filter-SOLD"));
    expect(screen.queryByTestId("spool-S-0006")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("board-filter-all"));

    await user.click(screen.getByTestId("release-S-0002"));
    await user.click(screen.getByTestId("dialog-backdrop"));
    expect(screen.getByTestId("confirm-dialog")).toBeInTheDocument();
    await confirm(user);
    expect(screen.getByRole("alert")).toHaveTextContent("Escribe el motivo");
    await user.type(screen.getByTestId("dialog-reason"), "se fue a casa");
    await confirm(user);
    expect(screen.getByTestId("dialog-question")).toHaveTextContent("Confirma otra vez: liberar S-0002.");
    await confirm(user);
    await waitFor(() => expect(screen.queryByTestId("spool-S-0002")).not.toBeInTheDocument());

    await user.click(screen.getByTestId("history-S-0006"));
    expect(await screen.findByTestId("history-drawer")).toHaveTextContent("Historial de S-0006");
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
