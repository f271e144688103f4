// Who is at the screen: the worker who identified (and the operation they work on, chosen at once when they
// have only one), and this PC's idle time before they are signed out.
import { useCallback, useState } from "react";
import type { Operation, Worker } from "../lib/ipc";

const IDLE_KEY = "spooltrack.idleMinutes";
export const IDLE_CHOICES = [1, 2, 5, 10];

function storedIdleMinutes(): number {
  const stored = Number(window.localStorage.getItem(IDLE_KEY));
  return IDLE_CHOICES.includes(stored) ? stored : 2;
}

export function useSession() {
  const [worker, setWorker] = useState<Worker | null>(null);
  const [operation, setOperation] = useState<Operation | null>(null);
  const [idleMinutes, setIdle] = useState(storedIdleMinutes);

  const identify = useCallback((who: Worker) => {
    setWorker(who);
    setOperation(who.operaciones.length === 1 ? who.operaciones[0] : null);
  }, []);

  const leave = useCallback(() => {
    setWorker(null);
    setOperation(null);
  }, []);

  const setIdleMinutes = useCallback((minutes: number) => {
    window.localStorage.setItem(IDLE_KEY, String(minutes));
    setIdle(minutes);
  }, []);

  return { worker, operation, setOperation, identify, leave, idleMinutes, setIdleMinutes };
}
