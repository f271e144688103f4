// Short-lived notices: successes vanish after a few seconds, errors stay until dismissed.
import { useCallback, useEffect, useRef, useState } from "react";

export type Toast = { id: number; kind: "ok" | "error"; text: string };

const SUCCESS_MS = 4_000;
let next = 1;

export function useToasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  // A screen that goes away takes its pending dismissals with it.
  const timers = useRef(new Set<number>());
  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((timer) => window.clearTimeout(timer));
  }, []);
  const dismiss = useCallback((id: number) => setToasts((current) => current.filter((toast) => toast.id !== id)), []);
  const show = useCallback(
    (kind: Toast["kind"], text: string) => {
      const id = next++;
      setToasts((current) => [...current, { id, kind, text }]);
      if (kind === "ok") {
        const timer = window.setTimeout(() => {
          timers.current.delete(timer);
          dismiss(id);
        }, SUCCESS_MS);
        timers.current.add(timer);
      }
    },
    [dismiss],
  );
  return { toasts, show, dismiss };
}
