// The occupied spools as the board and the wall screen show them.
import type { SpoolView } from "./ipc";

/** The list of every occupied spool. */
export const OCCUPIED = { operation: null, scope: "occupied", nv: null, ot: null, text: null } as const;

/** The longest occupations first (those whose start is unknown last), then by tag. */
export function longestFirst(spools: SpoolView[]): SpoolView[] {
  return [...spools].sort((a, b) => (b.ocupado_minutos ?? -1) - (a.ocupado_minutos ?? -1) || a.tag.localeCompare(b.tag));
}
