// A searchable, multi-select spool list with its action buttons below: the picker for TOMAR and "Mis spools"
// share it. Filtering happens on the list already on screen, keystroke by keystroke.
import { useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { MAX_BATCH, type SpoolView } from "../lib/ipc";
import { filterIndexed, indexSpools } from "../lib/search";
import { SearchInput } from "./SearchInput";
import { SpoolList } from "./SpoolList";

type Props = {
  spools: SpoolView[];
  selected: string[];
  onSelect: (tags: string[]) => void;
  selectable: (spool: SpoolView) => boolean;
  onHistory: (tag: string) => void;
  reveal: string | null;
  children: ReactNode;
};

export function SelectableSpools({ spools, selected, onSelect, selectable, onHistory, reveal, children }: Props) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const index = useMemo(() => indexSpools(spools), [spools]);
  const shown = useMemo(() => filterIndexed(index, text), [index, text]);
  const ticked = useMemo(() => new Set(selected), [selected]);
  const full = selected.length >= MAX_BATCH;

  const toggle = (tag: string) => {
    if (ticked.has(tag)) onSelect(selected.filter((other) => other !== tag));
    else if (!full) onSelect([...selected, tag]);
  };

  return (
    <section className="picker">
      <div className="picker-bar">
        <SearchInput testId="spool-search" placeholder={t("spools.search")} value={text} onChange={setText} />
        <span className="count" data-testid="spool-count">
          {t("spools.count", { count: shown.length })}
        </span>
      </div>
      <SpoolList
        spools={shown}
        selected={ticked}
        selectable={(spool) => selectable(spool) && (ticked.has(spool.tag) || !full)}
        onToggle={toggle}
        onHistory={onHistory}
        reveal={reveal}
      />
      <div className="action-bar">
        <span data-testid="selected-count">{t("spools.selected", { count: selected.length })}</span>
        {full && <span className="hint">{t("spools.maxBatch", { max: MAX_BATCH })}</span>}
        {selected.length > 0 && (
          <button className="secondary" data-testid="clear-selection" onClick={() => onSelect([])}>
            {t("spools.clear")}
          </button>
        )}
        <div className="action-buttons">{children}</div>
      </div>
    </section>
  );
}
