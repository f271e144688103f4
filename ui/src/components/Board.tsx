// The supervisor's board: every occupied spool with holder, operation, since when and a silent station,
// counts by operation, filters, live updates, history, and force-release for supervisors.
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Operation, SpoolView, Worker } from "../lib/ipc";
import { useSpoolList } from "../lib/queries";
import { filterIndexed, indexSpools } from "../lib/search";
import { SearchInput } from "./SearchInput";
import { Segmented } from "./Segmented";
import { SpoolList } from "./SpoolList";

type Props = {
  admin: Worker | null;
  onHistory: (tag: string) => void;
  onRelease: (spool: SpoolView) => void;
  reveal: string | null;
};

const OCCUPIED = { operation: null, scope: "occupied", nv: null, ot: null, text: null } as const;
const BOARD_FILTERS: readonly (Operation | null)[] = [null, "ARM", "SOLD"];

export function Board({ admin, onHistory, onRelease, reveal }: Props) {
  const { t } = useTranslation();
  const spools = useSpoolList(OCCUPIED);
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
        <Segmented
          options={BOARD_FILTERS}
          value={operation}
          onChange={setOperation}
          label={(candidate) => candidate ?? t("board.all")}
          testId={(candidate) => `board-filter-${candidate ?? "all"}`}
          ariaLabel={t("board.operation")}
        />
        <SearchInput testId="board-search" placeholder={t("spools.search")} value={text} onChange={setText} />
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
