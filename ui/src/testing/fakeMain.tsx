// The interface on the in-memory fake backend, for the browser tests: `?spools=5000` sizes the shop, and
// `window.fake` lets a test stage what other stations do or take the services away.
import { mockIPC } from "@tauri-apps/api/mocks";
import { FakeBackend } from "./fakeBackend";

declare global {
  interface Window {
    fake: FakeBackend;
  }
}

const spools = Number(new URLSearchParams(window.location.search).get("spools") ?? 40);
window.fake = new FakeBackend(spools);
mockIPC((command, args) => window.fake.handle(command, args as Record<string, unknown>), { shouldMockEvents: true });
await import("../main");
