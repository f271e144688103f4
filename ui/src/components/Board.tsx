// The supervisor's board: every occupied spool with holder, operation, since when and a silent station,
// counts by operation, filters, live updates, history, and force-release for supervisors.
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSpools } from "../hooks/useSpools";
import type { Operation, SpoolView, Worker } from "../lib/ipc";
import { filterIndexed, indexSpools } from "../lib/search";
import { SpoolList } from "./SpoolList";

type Props = {
  admin: Worker | null;
  onHistory: (tag: string) => void;
  onRelease: (spool: SpoolView) => void;
  reveal: string | null;
};

const OCCUPIED = { operation: null, scope: "occupied", nv: null, ot: null, text: null } as const;

export function Board({ admin, onHistory, onRelease, reveal }: Props) {
  const { t } = useTranslation();
  const { spools } = useSpools(OCCUPIED);
  const [operation, setOperation] = useState<Operation | null>(null);
  const [text, setText] = useState("");
  const index = useMemo(() => indexSpools(spools), [spools]);
  const shown = useMemo(
    () => filterIndexed(index, text).filter((spool) => operation === null || spool.operacion_en_curso === operation),
    [index, text, operation],
  );
  const count = (wanted: Operation) => spools.filter((spool) => spool.operacion_en_curso === wanted).length;

  return (
    <section className="board" data-testid="board">
      <div className="picker-bar">
        <h2>{t("board.title")}</h2>
        <span className="counts" data-testid="board-counts">
          {t("board.counts", { arm: count("ARM"), sold: count("SOLD") })}
        </span>
      </div>
      <div className="picker-bar">
        <div className="segmented" role="group" aria-label={t("board.operation")}>
          {([null, "ARM", "SOLD"] as (Operation | null)[]).map((candidate) => (
            <button
              key={candidate ?? "all"}
              data-testid={`board-filter-${candidate ?? "all"}`}
              aria-pressed={operation === candidate}
              className={operation === candidate ? "active" : ""}
              onClick={() => setOperation(candidate)}
            >
              {candidate ?? t("board.all")}
            </button>
          ))}
        </div>
        <input
          className="search"
          data-testid="board-search"
          placeholder={t("spools.search")}
          aria-label={t("spools.search")}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      {!admin && <p className="hint">{t("board.onlySupervisors")}</p>}
      {spools.length === 0 ? (
        <p className="hint" data-testid="board-empty">
          {t("board.empty")}
        </p>
      ) : (
        <SpoolList
          spools={shown}
          selected={new Set()}
          selectable={null}
          onToggle={() => undefined}
          onHistory={onHistory}
          reveal={reveal}
          extra={(spool) =>
            admin && (
              <button className="danger" data-testid={`release-${spool.tag}`} onClick={() => onRelease(spool)}>
                {t("actions.liberar")}
              </button>
            )
          }
        />
      )}
    </section>
  );
}
