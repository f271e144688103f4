// A station's first start on the real core (a test host with no configuration yet): the demo opens the
// station at once; answers that fail doctor's checks are said plainly and cannot be saved; a supervisor reopens
// setup from the board's settings, on the station's own answers.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test } from "vitest";
import { App } from "./App";
import { withTestHost } from "./testing/host";

const host = withTestHost([], true);

describe("the first start", () => {
  test("offers the demo, which opens the station on the demo shop and is written down", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("setup-demo"));
    expect(await screen.findByTestId("worker-93")).toBeInTheDocument();
    expect(screen.queryByTestId("setup")).not.toBeInTheDocument();
    expect(readFileSync(join(host().folder, "estacion", "config.toml"), "utf8")).toBe("");
  });

  test("checks the answers to connect the station and says what fails, saving nothing", async () => {
    const user = userEvent.setup();
    const notAKey = join(host().folder, "foto.json");
    writeFileSync(notAKey, '{"no": "es una clave"}');
    render(<App />);
    await user.click(await screen.findByTestId("setup-connect"));
    await user.type(screen.getByTestId("setup-station"), "Armado-1");
    await user.type(screen.getByTestId("setup-spreadsheet"), "https://docs.google.com/spreadsheets/d/planilla-1/edit#gid=0");
    await user.type(screen.getByTestId("setup-key"), notAKey);
    await user.type(screen.getByTestId("setup-redis"), "redis://127.0.0.1:9/");
    await user.click(screen.getByTestId("setup-check"));
    const key = await screen.findByTestId("setup-check-clave de la cuenta de servicio");
    expect(key).toHaveClass("failing");
    expect(key).toHaveTextContent("no se pudo leer");
    expect(screen.getByTestId("setup-save")).toBeDisabled();

    await user.clear(screen.getByTestId("setup-redis"));
    await user.type(screen.getByTestId("setup-redis"), "10.0.0.5:6379");
    await user.click(screen.getByTestId("setup-check"));
    const answers = await screen.findByTestId("setup-check-respuestas");
    expect(within(answers).getByText(/redis:\/\//)).toBeInTheDocument();
    expect(screen.getByTestId("setup-save")).toBeDisabled();
  });

  test("is reopened by a supervisor on the station's answers, and a cancel keeps the station", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("setup-demo"));
    await user.click(await screen.findByTestId("worker-109"));
    await user.click(screen.getByTestId("mode-board"));
    await user.click(screen.getByTestId("settings-unlock"));
    await user.click(await screen.findByTestId("supervisor-109"));
    for (const digit of "1090") await user.click(await screen.findByTestId(`pin-key-${digit}`));
    await user.click(screen.getByTestId("pin-ok"));
    await user.click(await screen.findByTestId("reconfigure"));

    expect(await screen.findByText("Configuración de esta estación")).toBeInTheDocument();
    expect(screen.queryByTestId("setup-demo")).not.toBeInTheDocument();
    const station = screen.getByTestId("setup-station");
    const doctor = (await host().invoke("doctor", {})) as { checks: { name: string; detail: string }[] };
    expect(station).toHaveValue(doctor.checks.find((check) => check.name === "estación")?.detail);
    await user.type(screen.getByTestId("setup-redis"), "10.0.0.5");
    await user.click(screen.getByTestId("setup-check"));
    expect(await screen.findByTestId("setup-check-respuestas")).toHaveClass("failing");
    await user.click(screen.getByTestId("setup-back"));
    expect(await screen.findByTestId("mode-board")).toBeInTheDocument();
    expect(await host().invoke("setup_needed", {})).toBe(false);
    expect(readFileSync(join(host().folder, "estacion", "config.toml"), "utf8")).toBe("");
  });
});
