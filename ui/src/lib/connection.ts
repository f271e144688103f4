// What the screen knows about its link to the register and the lock service: online, or which service is out
// of reach since when, and how old the data on screen is. The station pushes its own view of its services
// (`connection-changed`), which then decides; until it has, every IPC answer updates it. The banner always
// shows it.
import { useSyncExternalStore } from "react";
import type { ConnectionState_Serialize as StationConnection, ErrorCode, Outage } from "../bindings";

export type { Outage, StationConnection };

export type ConnectionState = {
  /** Whether any answer (good or bad) has arrived yet. */
  checked: boolean;
  online: boolean;
  offlineSince: Date | null;
  /** When the list on screen was last read. */
  dataAsOf: Date | null;
  /** The services the station says are out of reach, and since when (`HH:MM`). */
  outages: Outage[];
  /** When the station's copy of the shop was read from the spreadsheet (`HH:MM`), as the station says. */
  dataReadAt: string | null;
  /** Whether the station has pushed its own view: IPC answers then no longer decide online or offline. */
  pushed: boolean;
  /** A call waits its turn in the shop's Google Sheets budget. */
  sheetsBusy: boolean;
  /** A viewer station: no actions are offered. */
  viewOnly: boolean;
};

/** Errors that mean "cannot reach a service", as opposed to a refusal of the action. */
const UNREACHABLE: ErrorCode[] = ["LOCK_UNAVAILABLE", "SHEETS_UNAVAILABLE", "OFFLINE"];

const FRESH: ConnectionState = {
  checked: false,
  online: true,
  offlineSince: null,
  dataAsOf: null,
  outages: [],
  dataReadAt: null,
  pushed: false,
  sheetsBusy: false,
  viewOnly: false,
};

let state: ConnectionState = FRESH;
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
    const dataAsOf = fresh ? new Date() : state.dataAsOf;
    if (state.pushed) {
      update({ ...state, dataAsOf });
      return;
    }
    update({ ...state, checked: true, online: true, offlineSince: null, dataAsOf });
  },
  /** A call failed: offline when the failure says a service cannot be reached (or there was no answer at all). */
  failed(code: ErrorCode | null) {
    if (state.pushed) return;
    if (code !== null && !UNREACHABLE.includes(code)) {
      update({ ...state, checked: true, online: true, offlineSince: null });
      return;
    }
    update({ ...state, checked: true, online: false, offlineSince: state.offlineSince ?? new Date() });
  },
  /** The station's own view of its services, pushed when it changes. */
  pushed(station: StationConnection) {
    const online = station.outages.length === 0;
    update({
      ...state,
      checked: station.checked,
      online,
      offlineSince: online ? null : (state.offlineSince ?? new Date()),
      outages: station.outages,
      dataReadAt: station.data_read_at,
      pushed: true,
      sheetsBusy: station.sheets_busy,
      viewOnly: station.view_only,
    });
  },
  /** For tests: back to the state of a fresh window. */
  reset() {
    update(FRESH);
  },
};

export function useConnection(): ConnectionState {
  return useSyncExternalStore(connection.subscribe, connection.get);
}

/** `10:42`, the way the shop reads the time. */
export function clockTime(moment: Date): string {
  return `${String(moment.getHours()).padStart(2, "0")}:${String(moment.getMinutes()).padStart(2, "0")}`;
}
