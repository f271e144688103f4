// Who is at the screen: the worker who identified (and the operation they work on, chosen at once when they
// have only one), and this PC's idle time before they are signed out.
import { useCallback, useState } from "react";
import type { Operation, Worker } from "../lib/ipc";
import { useStoredChoice } from "./useStoredChoice";

export const IDLE_CHOICES = [1, 2, 5, 10];

export function useSession() {
  const [worker, setWorker] = useState<Worker | null>(null);
  const [operation, setOperation] = useState<Operation | null>(null);
  const [idleMinutes, setIdleMinutes] = useStoredChoice("spooltrack.idleMinutes", IDLE_CHOICES, 2);

  const identify = useCallback((who: Worker) => {
    setWorker(who);
    setOperation(who.operaciones.length === 1 ? who.operaciones[0] : null);
  }, []);

  const leave = useCallback(() => {
    setWorker(null);
    setOperation(null);
  }, []);

  return { worker, operation, setOperation, identify, leave, idleMinutes, setIdleMinutes };
}
