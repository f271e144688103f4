// Filtering as the person types, on the list already on screen: each spool's searchable text is built once per
// list, so a keystroke costs one substring test per spool (5,000 spools stay well under a frame).
import type { SpoolView, Worker } from "./ipc";

function normalize(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
}

export type Indexed<T> = { item: T; text: string };

export function indexSpools(spools: SpoolView[]): Indexed<SpoolView>[] {
  return spools.map((spool) => ({ item: spool, text: normalize(`${spool.tag} ${spool.nv ?? ""} ${spool.ot ?? ""}`) }));
}

export function indexWorkers(workers: Worker[]): Indexed<Worker>[] {
  return workers.map((worker) => ({
    item: worker,
    text: normalize(`${worker.nombre} ${worker.apellido} ${worker.iniciales} ${worker.id}`),
  }));
}

/** Every word typed must appear somewhere: "1336 cw-252" finds NV-1336 spools of that series. */
export function filterIndexed<T>(index: Indexed<T>[], query: string): T[] {
  const words = normalize(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return index.map((entry) => entry.item);
  return index.filter((entry) => words.every((word) => entry.text.includes(word))).map((entry) => entry.item);
}
