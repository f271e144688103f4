// The interface's one state layer: what the station answered, cached by what was asked (a list's filter, a
// spool's tag), and read again only when the station says something changed: a `spool-changed` event (an
// action here or at another station, or a copy brought up to date) or a `connection-changed` one (a service
// went away or came back). Actions reload nothing themselves: their own event does it, once per list on screen.
import { QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, type ListFilter, type SpoolView } from "./ipc";

/** Pauses between retries of a read that failed, while the services cannot be reached. */
const RETRY_MS = [2_000, 5_000, 10_000, 30_000];

export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Pushed, not polled: data stays good until an event says otherwise; a shop screen's focus means nothing.
        staleTime: Infinity,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        // The last good answer stays on screen while reads fail; they are retried with a growing pause.
        retry: true,
        retryDelay: (attempt) => RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)],
      },
      mutations: { retry: false },
    },
  });
}

/**
 * Every read on screen is read again when the station says spools changed, or that a service came back (what
 * changed meanwhile may not have been announced); call once, at the top.
 */
export function useStationEvents() {
  const client = useQueryClient();
  useEffect(() => {
    const reload = () =>
      void client.invalidateQueries({ predicate: ({ queryKey: [kind] }) => kind !== "doctor" && kind !== "setup" });
    // Lists, progress and crew may hold any spool; of the histories, only those of the spools that changed.
    const changed = (tags: string[]) => {
      if (tags.length === 0) return reload();
      void client.invalidateQueries({
        predicate: ({ queryKey: [kind, tag] }) =>
          !UNTOUCHED_BY_CHANGES.includes(kind as string) && (kind !== "history" || tags.includes(tag as string)),
      });
    };
    let away = 0;
    const stopChanges = api.onSpoolChanged(changed);
    const stopConnection = api.onConnectionChanged((state) => {
      if (state.outages.length < away) reload();
      away = state.outages.length;
    });
    return () => {
      void stopChanges.then((unlisten) => unlisten());
      void stopConnection.then((unlisten) => unlisten());
    };
  }, [client]);
}

/**
 * Reads a change of spools does not repeat: the workers (they change with a replaced copy, which reloads
 * everything), what the screen is for, the health checks (a read of every tab each: only when asked), and
 * whether setup is needed (only setup itself changes it).
 */
const UNTOUCHED_BY_CHANGES = ["workers", "screen", "doctor", "setup"];

const NOBODY: SpoolView[] = [];

/**
 * A list of spools and when it was answered (ms since the epoch; durations in it are as of then); `null` is
 * nobody's list, empty at once (the next person never sees the last one's).
 */
export function useSpoolList(filter: ListFilter | null): { spools: SpoolView[]; answeredAt: number } {
  const { data, dataUpdatedAt } = useQuery({
    queryKey: ["spools", filter],
    queryFn: () => api.list(filter!),
    enabled: filter !== null,
  });
  return { spools: filter === null ? NOBODY : (data ?? NOBODY), answeredAt: dataUpdatedAt };
}

export function useWorkers() {
  return useQuery({ queryKey: ["workers"], queryFn: api.workers });
}

/** Whether the window shows setup: its first start (no configuration, no station yet), or reopened. */
export function useSetupNeeded() {
  return useQuery({ queryKey: ["setup"], queryFn: api.setupNeeded });
}

/**
 * The running station's answers while a supervisor has its setup open; none on a first start. Read afresh each
 * time setup opens (never kept once it closes): the form starts from them.
 */
export function useCurrentSetup() {
  return useQuery({ queryKey: ["setup", "current"], queryFn: api.currentSetup, gcTime: 0 });
}

/** What this station's screen is for (a wall screen, or the usual window). */
export function useScreenMode() {
  return useQuery({ queryKey: ["screen"], queryFn: api.screen });
}

export function usePaused() {
  return useQuery({ queryKey: ["paused"], queryFn: api.paused });
}

export function useActivity() {
  return useQuery({ queryKey: ["activity"], queryFn: api.activity });
}

export function useCrew() {
  return useQuery({ queryKey: ["crew"], queryFn: api.crew });
}

export function useOrderProgress() {
  return useQuery({ queryKey: ["progress"], queryFn: api.progress });
}

/** The station's health checks (doctor): run when the section opens and when asked again. */
export function useHealth() {
  return useQuery({ queryKey: ["doctor"], queryFn: api.doctor, gcTime: 0 });
}

export function useHistory(tag: string) {
  return useQuery({ queryKey: ["history", tag], queryFn: () => api.history(tag) });
}
