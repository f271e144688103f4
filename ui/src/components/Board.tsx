// The supervisor's board: every occupied spool with holder, operation, since when and a silent station,
// counts by operation, filters, live updates, history, and force-release for supervisors.
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useMinutesSince } from "../hooks/useMinutesSince";
import type { Operation, SpoolView, Worker } from "../lib/ipc";
import { OCCUPIED } from "../lib/occupations";
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
  /** Occupations this long (minutes) or longer stand out. */
  longAfter: number;
};

const BOARD_FILTERS: readonly (Operation | null)[] = [null, "ARM", "SOLD"];

type SortKey = "duration" | "holder" | "operation" | "station" | "tag";
const SORT_KEYS: readonly SortKey[] = ["duration", "holder", "operation", "station", "tag"];
const sortValue: Record<SortKey, (spool: SpoolView) => string | number> = {
  duration: (spool) => spool.ocupado_minutos ?? -1,
  holder: (spool) => spool.ocupado_por ?? "",
  operation: (spool) => spool.operacion_en_curso ?? "",
  station: (spool) => spool.estacion ?? "",
  tag: (spool) => spool.tag,
};

export function Board({ admin, onHistory, onRelease, reveal, longAfter }: Props) {
  const { t } = useTranslation();
  const { spools, answeredAt } = useSpoolList(OCCUPIED);
  const minutesLater = useMinutesSince(answeredAt);
  const [operation, setOperation] = useState<Operation | null>(null);
  const [text, setText] = useState("");
  // The longest occupations first; choosing the same order again turns it around.
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: "duration", descending: true });
  const index = useMemo(() => indexSpools(spools), [spools]);
  const shown = useMemo(() => {
    const value = sortValue[sort.key];
    const direction = sort.descending ? -1 : 1;
    return filterIndexed(index, text)
      .filter((spool) => operation === null || spool.operacion_en_curso === operation)
      .sort((a, b) => direction * (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : a.tag.localeCompare(b.tag)));
  }, [index, text, operation, sort]);
  const count = (wanted: Operation) => spools.filter((spool) => spool.operacion_en_curso === wanted).length;

  return (
    <section className="board" data-testid="board">
      <div className="picker-bar">
        <h2>{t("board.title")}</h2>
        {/* Until the station answers there is nothing to count: no "0" that is not true. */}
        {answeredAt > 0 && (
          <span className="counts" data-testid="board-counts">
            {t("board.counts", { arm: count("ARM"), sold: count("SOLD") })}
          </span>
        )}
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
      <div className="picker-bar">
        <span className="hint">{t("board.sortBy")}</span>
        <Segmented
          options={SORT_KEYS}
          value={sort.key}
          onChange={(key) => setSort((current) => ({ key, descending: current.key === key ? !current.descending : key === "duration" }))}
          label={(key) => `${t(`board.sort.${key}`)}${sort.key === key ? (sort.descending ? " ↓" : " ↑") : ""}`}
          testId={(key) => `sort-${key}`}
          ariaLabel={t("board.sortBy")}
        />
      </div>
      {!admin && <p className="hint">{t("board.onlySupervisors")}</p>}
      {answeredAt === 0 ? (
        <p className="hint" data-testid="board-loading">
          {t("board.loading")}
        </p>
      ) : spools.length === 0 ? (
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
          minutesLater={minutesLater}
          longAfter={longAfter}
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
