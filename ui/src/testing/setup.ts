// Component tests run in jsdom, on the real core through the test host (testing/host.ts), Spanish first.
import "@testing-library/jest-dom/vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach, expect, vi } from "vitest";
import i18n from "../i18n";
import { connection } from "../lib/connection";

// jsdom lays nothing out: every element reports a screen-sized box, so the virtualised list renders the rows
// a screen would show, and size changes are never observed.
Object.defineProperties(HTMLElement.prototype, {
  clientWidth: { configurable: true, get: () => 1280 },
  clientHeight: { configurable: true, get: () => 2000 },
});
class NoResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= NoResizeObserver as unknown as typeof ResizeObserver;

// A screen that logs an error (a React warning, a failed promise) fails its test.
beforeEach(() => {
  vi.spyOn(console, "error");
});

afterEach(async () => {
  expect(console.error).not.toHaveBeenCalled();
  vi.restoreAllMocks();
  cleanup();
  // Unmounting unsubscribes from events asynchronously: let that finish before the mocks go away.
  await new Promise((resolve) => setTimeout(resolve, 0));
  clearMocks();
  connection.reset();
  window.localStorage.clear();
  await i18n.changeLanguage("es");
});
