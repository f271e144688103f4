// The interface's other host: `spooltrack serve --dev`, the station's commands and events over HTTP and
// server-sent events (src-tauri/dev_host.rs). It is put in place of the window's IPC through Tauri's own hook
// for running a page outside the app (`mockIPC`), so the generated bindings, and every screen above them, run
// unchanged on the real core in a browser or in vitest.
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";

// Looked at once, as this module loads: connecting to the test host puts a stand-in of Tauri's IPC in place.
const loadedInWindow = "__TAURI_INTERNALS__" in window;

/**
 * Whether this page runs inside the app's window, where Tauri has set up its IPC before any script (and its
 * plugins, such as the file dialog, answer), not on the test host.
 */
export const inWindow = () => loadedInWindow;

/**
 * Routes every command to the host at `base` and every event it streams to the page's listeners. Resolves
 * once the host is streaming, so no event sent after that is missed; answers how to disconnect.
 */
export async function connectToHost(base: string): Promise<() => void> {
  mockIPC((command, args) => invokeOnHost(base, command, args), { shouldMockEvents: true });
  const stopped = new AbortController();
  const response = await fetch(new URL("events", base), {
    headers: { accept: "text/event-stream" },
    signal: stopped.signal,
  });
  if (!response.ok || !response.body) throw new Error(`el host de prueba no envía eventos (${response.status})`);
  void relayEvents(response.body, stopped.signal);
  return () => stopped.abort();
}

async function invokeOnHost(base: string, command: string, args: unknown): Promise<unknown> {
  const response = await fetch(new URL(`ipc/${command}`, base), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(args ?? {}),
  });
  if (response.ok) return response.json();
  // A refused command rejects with its error payload, as Tauri's IPC does; anything else is the host's fault.
  if (response.status === 422) throw await response.json();
  throw new Error(await response.text());
}

/** Server-sent events: blocks separated by a blank line, the JSON in `data:` lines; `:` lines keep it alive. */
async function relayEvents(body: ReadableStream<Uint8Array>, stopped: AbortSignal) {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let pending = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      pending += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = pending.indexOf("\n\n")) >= 0) {
        const block = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const data = block
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart())
          .join("\n");
        if (data) {
          const { event, payload } = JSON.parse(data) as { event: string; payload: unknown };
          await emit(event, payload);
        }
      }
    }
  } catch (error) {
    if (!stopped.aborted) throw error;
  }
}
