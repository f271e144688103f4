// The first screen of a shop PC: big name cards to tap (or a badge to scan), searchable.
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Worker } from "../lib/ipc";
import { filterIndexed, indexWorkers } from "../lib/search";
import { SearchInput } from "./SearchInput";

export function IdentifyScreen({ workers, onIdentify }: { workers: Worker[]; onIdentify: (worker: Worker) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const index = useMemo(() => indexWorkers(workers.filter((worker) => worker.activo)), [workers]);
  const shown = filterIndexed(index, text);
  return (
    <section className="identify" data-testid="identify">
      <h2>{t("identify.title")}</h2>
      <p className="hint">{t("identify.hint")}</p>
      <SearchInput testId="worker-search" placeholder={t("identify.search")} value={text} onChange={setText} />
      <div className="worker-grid">
        {shown.map((worker) => (
          <button key={worker.id} className="worker-card" data-testid={`worker-${worker.id}`} onClick={() => onIdentify(worker)}>
            <span className="name">
              {worker.nombre} {worker.apellido}
            </span>
            <span className="initials">{worker.iniciales}</span>
          </button>
        ))}
      </div>
      {shown.length === 0 && <p className="hint">{t("identify.none", { text })}</p>}
    </section>
  );
}
