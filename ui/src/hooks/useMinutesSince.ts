// Whole minutes since a moment (ms since the epoch), looked at every half minute from that moment on: what
// makes "hace 3 h 12 min" move on between the station's answers.
import { useEffect, useState } from "react";

const TICK_MS = 30_000;

export function useMinutesSince(moment: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), TICK_MS);
    return () => window.clearInterval(timer);
  }, [moment]);
  return moment > 0 ? Math.max(0, Math.floor((now - moment) / 60_000)) : 0;
}
