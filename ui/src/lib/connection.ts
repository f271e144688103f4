// What the screen knows about its link to the register and the lock service: online, or offline since when,
// and how old the data on screen is. Every IPC answer updates it; the banner always shows it.
import { useSyncExternalStore } from "react";
import type { ErrorCode } from "../bindings";

export type ConnectionState = {
  /** Whether any answer (good or bad) has arrived yet. */
  checked: boolean;
  online: boolean;
  offlineSince: Date | null;
  /** When the list on screen was last read. */
  dataAsOf: Date | null;
};

/** Errors that mean "cannot reach a service", as opposed to a refusal of the action. */
const UNREACHABLE: ErrorCode[] = ["LOCK_UNAVAILABLE", "SHEETS_UNAVAILABLE", "OFFLINE"];

let state: ConnectionState = { checked: false, online: true, offlineSince: null, dataAsOf: null };
const listeners = new Set<() => void>();

function update(next: ConnectionState) {
  state = next;
  listeners.forEach((listener) => listener());
}

export const connection = {
  get: () => state,
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
  /** An answer arrived; `fresh` when it brought the data the screen shows. */
  answered(fresh: boolean) {
    update({ checked: true, online: true, offlineSince: null, dataAsOf: fresh ? new Date() : state.dataAsOf });
  },
  /** A call failed: offline when the failure says a service cannot be reached (or there was no answer at all). */
  failed(code: ErrorCode | null) {
    if (code !== null && !UNREACHABLE.includes(code)) {
      update({ ...state, checked: true, online: true, offlineSince: null });
      return;
    }
    update({ ...state, checked: true, online: false, offlineSince: state.offlineSince ?? new Date() });
  },
  /** For tests: back to the state of a fresh window. */
  reset() {
    update({ checked: false, online: true, offlineSince: null, dataAsOf: null });
  },
};

export function useConnection(): ConnectionState {
  return useSyncExternalStore(connection.subscribe, connection.get);
}

/** `10:42`, the way the shop reads the time. */
export function clockTime(moment: Date): string {
  return `${String(moment.getHours()).padStart(2, "0")}:${String(moment.getMinutes()).padStart(2, "0")}`;
}
