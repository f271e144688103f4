// A list of spools that stays current: read on mount and whenever the filter changes, again on every
// `spool-changed` event (another station acted), and, while the services cannot be reached, again after a
// growing pause until they answer. The last good list stays on screen meanwhile.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, type ListFilter, type SpoolView } from "../lib/ipc";
import { useConnection } from "../lib/connection";

const RETRY_MS = [2_000, 5_000, 10_000, 30_000];

export function useSpools(filter: ListFilter | null) {
  const [spools, setSpools] = useState<SpoolView[]>([]);
  const [error, setError] = useState<unknown>(null);
  const { online } = useConnection();
  const retries = useRef(0);
  const key = JSON.stringify(filter);

  const reload = useCallback(async () => {
    if (filter === null) {
      // Nobody's list: the next person never sees the previous one's spools, not even for a moment.
      setSpools([]);
      return;
    }
    try {
      setSpools(await api.list(filter));
      setError(null);
      retries.current = 0;
    } catch (failure) {
      setError(failure);
    }
    // Keyed by the filter's content: a new object with the same content is the same list.
  }, [key]);

  useEffect(() => {
    void reload();
    const stop = api.onSpoolChanged(() => void reload());
    return () => {
      void stop.then((unlisten) => unlisten());
    };
  }, [reload]);

  useEffect(() => {
    if (online) return;
    const pause = RETRY_MS[Math.min(retries.current, RETRY_MS.length - 1)];
    retries.current += 1;
    const timer = window.setTimeout(() => void reload(), pause);
    return () => window.clearTimeout(timer);
  }, [online, reload, error]);

  return { spools, error, reload };
}
