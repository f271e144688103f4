// A barcode scanner is a keyboard that types very fast and ends with Enter. Wherever the focus is, a burst of
// keys that fast (a person cannot type 3+ characters under 50 ms apart) ending in Enter is a scan.
import { useEffect, useRef } from "react";

const MAX_GAP_MS = 50;
const MIN_LENGTH = 3;

export function useScanner(onScan: (code: string) => void) {
  const handler = useRef(onScan);
  handler.current = onScan;

  useEffect(() => {
    let buffer = "";
    let last = 0;
    const onKey = (event: KeyboardEvent) => {
      const now = performance.now();
      const burst = now - last <= MAX_GAP_MS;
      last = now;
      if (event.key === "Enter") {
        if (burst && buffer.length >= MIN_LENGTH) {
          event.preventDefault();
          event.stopPropagation();
          // A focused search field also got the characters, which narrows it to the scanned spool: harmless.
          const code = buffer;
          buffer = "";
          handler.current(code);
        }
        buffer = "";
        return;
      }
      if (event.key.length !== 1) return;
      buffer = burst ? buffer + event.key : event.key;
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);
}
