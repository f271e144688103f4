// A kiosk station on the real core (started with `--kiosk`): its window closes only from the board's station
// settings, opened with a supervisor's PIN; the core checks the PIN again before it lets the window close.
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test, vi } from "vitest";
import { App } from "./App";
import { withTestHost } from "./testing/host";

const host = withTestHost(["--kiosk"]);

describe("a kiosk", () => {
  test("is closed from the station settings a supervisor's PIN opened, and by nobody else", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("worker-109"));
    await user.click(screen.getByTestId("mode-board"));
    expect(screen.queryByTestId("kiosk-close")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("settings-unlock"));
    await user.click(await screen.findByTestId("supervisor-109"));
    for (const digit of "1090") await user.click(await screen.findByTestId(`pin-key-${digit}`));
    await user.click(screen.getByTestId("pin-ok"));
    const fetches = vi.spyOn(globalThis, "fetch");
    const closing = () => fetches.mock.calls.findIndex(([url]) => String(url).endsWith("/ipc/close_kiosk"));
    await user.click(await screen.findByTestId("kiosk-close"));
    await waitFor(() => expect(closing()).toBeGreaterThanOrEqual(0));
    const answer = (await fetches.mock.results[closing()].value) as Response;
    expect(answer.status).toBe(200);
    await expect(host().invoke("close_kiosk", { adminId: 94, pin: "1090" })).rejects.toThrow(/ROLE_NOT_ALLOWED/);
  });
});
