// The spool list every screen shares: virtualised (only the rows in view exist in the page, so 5,000 spools
// scroll smoothly), one big row per spool with a selection box, its state in words, and its history button.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { agoText } from "../lib/ago";
import type { SpoolView } from "../lib/ipc";

const ROW_HEIGHT = 76;

type Props = {
  spools: SpoolView[];
  selected: ReadonlySet<string>;
  /** Whether a spool may be ticked; `null` hides the boxes (a list to look at). */
  selectable: ((spool: SpoolView) => boolean) | null;
  onToggle: (tag: string) => void;
  onHistory: (tag: string) => void;
  /** A spool to bring into view (a scanned tag). */
  reveal?: string | null;
  extra?: (spool: SpoolView) => ReactNode;
  /** Minutes gone by since the list was answered, added to its occupations' durations. */
  minutesLater?: number;
  /** Occupations this long or longer (minutes) stand out. */
  longAfter?: number | null;
};

export function SpoolList({ spools, selected, selectable, onToggle, onHistory, reveal, extra, minutesLater = 0, longAfter = null }: Props) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({
    count: spools.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    initialRect: { width: 800, height: 600 },
  });

  useEffect(() => {
    const index = reveal ? spools.findIndex((spool) => spool.tag === reveal) : -1;
    if (index >= 0) rows.scrollToIndex(index, { align: "center" });
  }, [reveal, spools, rows]);

  const held = (spool: SpoolView) => (spool.ocupado_minutos === null ? null : spool.ocupado_minutos + minutesLater);

  // The core decides which state a spool is in; the screen only says it in the person's language.
  const state = (spool: SpoolView): string => {
    switch (spool.estado) {
      case "problema":
        return spool.problema?.message ?? "";
      case "ocupado": {
        const parts = [t("spools.occupiedBy", { holder: spool.ocupado_por })];
        if (spool.operacion_en_curso) parts.push(spool.operacion_en_curso);
        if (spool.estacion) parts.push(t("spools.atStation", { station: spool.estacion }));
        const minutes = held(spool);
        if (minutes !== null) parts.push(agoText(t, minutes));
        else if (spool.ocupado_desde) parts.push(t("spools.since", { since: spool.ocupado_desde }));
        if (spool.estacion_sin_senal_desde) parts.push(t("spools.silentStation", { since: spool.estacion_sin_senal_desde }));
        return parts.join(" · ");
      }
      case "pausado":
        return t("spools.previousWork", { worker: spool.trabajo_previo ?? "?" });
      case "libre":
        return spool.estado_detalle ?? t("spools.free");
    }
  };

  if (spools.length === 0) return <p className="hint" data-testid="spool-list-empty">{t("spools.empty")}</p>;

  return (
    <div className="spool-scroller" ref={scroller} data-testid="spool-list">
      <ul style={{ height: rows.getTotalSize() }} className="spool-rows">
        {rows.getVirtualItems().map((row) => {
          const spool = spools[row.index];
          const canTick = selectable?.(spool) ?? false;
          const taken = spool.estado === "ocupado" && selectable !== null && !canTick;
          const ticked = selected.has(spool.tag);
          const minutes = held(spool);
          const long = longAfter !== null && minutes !== null && minutes >= longAfter;
          return (
            <li
              key={spool.tag}
              className={["spool", taken ? "occupied" : "", ticked ? "ticked" : "", spool.estado === "problema" ? "problem" : "", long ? "long" : ""].join(" ")}
              style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
              data-testid={`spool-${spool.tag}`}
              aria-disabled={selectable !== null && !canTick}
            >
              {selectable && (
                <input
                  type="checkbox"
                  className="tick"
                  data-testid={`select-${spool.tag}`}
                  aria-label={spool.tag}
                  disabled={!canTick}
                  checked={ticked}
                  onChange={() => onToggle(spool.tag)}
                />
              )}
              <div className="spool-main" onClick={() => canTick && onToggle(spool.tag)}>
                <strong className="tag">{spool.tag}</strong>
                <span className="meta">{[spool.nv, spool.ot].filter(Boolean).join(" · ")}</span>
                <span className="state" data-testid={`state-${spool.tag}`}>
                  {state(spool)}
                </span>
              </div>
              {spool.pausado && (
                <span className="badge" data-testid={`paused-${spool.tag}`}>
                  {t("spools.paused")} {spool.pausado}
                </span>
              )}
              {extra?.(spool)}
              <button className="secondary" data-testid={`history-${spool.tag}`} onClick={() => onHistory(spool.tag)}>
                {t("spools.history")}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
