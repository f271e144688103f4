// A barcode scanner is a keyboard that types very fast and ends with Enter. Wherever the focus is, a burst of
// keys that fast (a person cannot type 3+ characters under 50 ms apart) ending in Enter is a scan. The gaps are
// measured when the keys were pressed (the event's own time stamp), not when a busy page got to them: a slow
// shop PC re-rendering a list between keys still knows a scan.
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
      const now = event.timeStamp;
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
