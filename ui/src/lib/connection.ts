// What the screen knows about its link to the register and the lock service: online, or which service is out
// of reach since when, and how old the data on screen is. The station pushes its own view of its services
// (`connection-changed`, and the `connection` command at start): it alone decides, so the screen keeps no rule
// of its own about which failures mean "offline". The banner always shows it.
import { useSyncExternalStore } from "react";
import type { ConnectionState_Serialize as StationConnection, Outage } from "../bindings";

export type { Outage, StationConnection };

export type ConnectionState = {
  /** Whether any answer (good or bad) has arrived yet. */
  checked: boolean;
  online: boolean;
  /** When the list on screen was last read. */
  dataAsOf: Date | null;
  /** The services the station says are out of reach, and since when (`HH:MM`). */
  outages: Outage[];
  /** When the station's copy of the shop was read from the spreadsheet (`HH:MM`), as the station says. */
  dataReadAt: string | null;
  /** A call waits its turn in the shop's Google Sheets budget. */
  sheetsBusy: boolean;
  /** A viewer station: the banner says so. */
  viewOnly: boolean;
  /** Whether the screen offers actions, as the station decides (not at a viewer, not with a service away). */
  actionsOffered: boolean;
};

const FRESH: ConnectionState = {
  checked: false,
  online: true,
  dataAsOf: null,
  outages: [],
  dataReadAt: null,
  sheetsBusy: false,
  viewOnly: false,
  actionsOffered: true,
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
    if (fresh) update({ ...state, dataAsOf: new Date() });
  },
  /** The station's own view of its services, pushed when it changes. */
  pushed(station: StationConnection) {
    update({
      ...state,
      checked: station.checked,
      online: station.outages.length === 0,
      outages: station.outages,
      dataReadAt: station.data_read_at,
      sheetsBusy: station.sheets_busy,
      viewOnly: station.view_only,
      actionsOffered: station.actions_offered,
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
