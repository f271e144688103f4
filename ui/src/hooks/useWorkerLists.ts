// The two lists of a worker at the screen: the spools to take for their operation (occupied ones included, to
// grey them out) and their own. Nobody's lists are empty at once.
import type { ListFilter, Operation, Worker } from "../lib/ipc";
import { useSpoolList } from "../lib/queries";

const EVERYWHERE = { nv: null, ot: null, text: null } as const;

export function useWorkerLists(worker: Worker | null, operation: Operation | null, shown: boolean) {
  const takeFilter: ListFilter | null = shown && worker && operation ? { operation, scope: "all", ...EVERYWHERE } : null;
  const mineFilter: ListFilter | null = shown && worker ? { operation: null, scope: { worker: worker.id }, ...EVERYWHERE } : null;
  return { take: useSpoolList(takeFilter).spools, mine: useSpoolList(mineFilter).spools };
}
