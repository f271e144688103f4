// Calls `onIdle` once nobody has touched the screen (pointer, key, scroll) for `seconds`.
import { useEffect, useRef } from "react";

export function useIdle(seconds: number, active: boolean, onIdle: () => void) {
  const handler = useRef(onIdle);
  handler.current = onIdle;

  useEffect(() => {
    if (!active) return;
    let timer = window.setTimeout(() => handler.current(), seconds * 1000);
    const restart = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => handler.current(), seconds * 1000);
    };
    const activity = ["pointerdown", "keydown", "wheel", "touchstart"] as const;
    activity.forEach((name) => window.addEventListener(name, restart, { passive: true }));
    return () => {
      window.clearTimeout(timer);
      activity.forEach((name) => window.removeEventListener(name, restart));
    };
  }, [seconds, active]);
}
