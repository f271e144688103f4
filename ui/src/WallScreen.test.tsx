// The wall screen on the real core: a station started with `--pantalla` shows the shop's live state in large
// type, with nothing to tap and nobody asked to identify.
import { render, screen, waitFor, within } from "@testing-library/react";
import { expect, test } from "vitest";
import { App } from "./App";
import type { BatchOutcome, ListFilter, SpoolView } from "./lib/ipc";
import { withTestHost } from "./testing/host";

const host = withTestHost(["--pantalla"]);

const list = (scope: ListFilter["scope"], operation: ListFilter["operation"] = null) =>
  host().invoke<SpoolView[]>("list_spools", { filter: { operation, scope, nv: null, ot: null, text: null } });

test("counts the work in progress live, lists the longest occupations, and offers nothing to tap", async () => {
  const occupied = await list("occupied");
  const inArm = occupied.filter((spool) => spool.operacion_en_curso === "ARM").length;
  render(<App />);
  const arm = await screen.findByTestId("wall-arm");
  await waitFor(() => expect(arm).toHaveTextContent(`${inArm}en ARM`));
  expect(screen.getByTestId("wall-occupied")).toHaveTextContent(`${occupied.length}spools ocupados`);
  const longest = Math.max(...occupied.map((spool) => spool.ocupado_minutos ?? 0));
  const first = within(screen.getByTestId("wall")).getAllByRole("listitem")[0];
  expect(occupied.find((spool) => first.dataset.testid === `wall-spool-${spool.tag}`)?.ocupado_minutos).toBe(longest);
  expect(screen.queryAllByRole("button")).toEqual([]);
  expect(screen.queryByTestId("identify")).not.toBeInTheDocument();

  const [tag] = (await list("available", "ARM")).map((spool) => spool.tag);
  await host().invoke<BatchOutcome>("tomar_batch", { tags: [tag], workerId: 93, operation: "ARM" });
  await waitFor(() => expect(arm).toHaveTextContent(`${inArm + 1}en ARM`));
});
