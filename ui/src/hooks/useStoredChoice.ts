// A setting of this PC, one of a few choices, kept in the browser's storage across restarts.
import { useCallback, useState } from "react";

export function useStoredChoice(key: string, choices: readonly number[], fallback: number) {
  const [value, setValue] = useState(() => {
    const stored = Number(window.localStorage.getItem(key));
    return choices.includes(stored) ? stored : fallback;
  });
  const choose = useCallback(
    (next: number) => {
      window.localStorage.setItem(key, String(next));
      setValue(next);
    },
    [key],
  );
  return [value, choose] as const;
}
