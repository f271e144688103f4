// Short-lived notices: successes vanish after a few seconds, errors stay until dismissed.
import { useCallback, useState } from "react";

export type Toast = { id: number; kind: "ok" | "error"; text: string };

const SUCCESS_MS = 4_000;
let next = 1;

export function useToasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((current) => current.filter((toast) => toast.id !== id)), []);
  const show = useCallback(
    (kind: Toast["kind"], text: string) => {
      const id = next++;
      setToasts((current) => [...current, { id, kind, text }]);
      if (kind === "ok") window.setTimeout(() => dismiss(id), SUCCESS_MS);
    },
    [dismiss],
  );
  return { toasts, show, dismiss };
}
