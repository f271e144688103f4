// The day's work out of the app: the work sessions of a range of days (of one operation, if chosen) saved as a
// CSV that Excel opens with Spanish settings, in this station's export folder; the notice says where.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { describeError } from "../lib/errors";
import { api, type Operation } from "../lib/ipc";
import { Segmented } from "./Segmented";

const OPERATIONS: readonly (Operation | null)[] = [null, "ARM", "SOLD"];

/** Today on this PC's calendar, as a date field writes it (`YYYY-MM-DD`). */
function today(): string {
  const now = new Date();
  return [now.getFullYear(), now.getMonth() + 1, now.getDate()].map((part) => String(part).padStart(2, "0")).join("-");
}

export function ExportSessions({ onSaved }: { onSaved: (kind: "ok" | "error", text: string) => void }) {
  const { t } = useTranslation();
  const [desde, setDesde] = useState(today);
  const [hasta, setHasta] = useState(today);
  const [operation, setOperation] = useState<Operation | null>(null);
  const [saving, setSaving] = useState(false);

  const save = async () => {
    setSaving(true);
    try {
      const saved = await api.exportSessions(desde, hasta, operation);
      onSaved("ok", t("export.saved", { count: saved.sesiones, file: saved.archivo }));
    } catch (error) {
      onSaved("error", describeError(error, t));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="export" data-testid="export">
      <h2>{t("export.title")}</h2>
      <p className="hint">{t("export.hint")}</p>
      <div className="picker-bar">
        <label className="field">
          {t("export.from")}
          <input type="date" data-testid="export-from" value={desde} onChange={(event) => setDesde(event.target.value)} />
        </label>
        <label className="field">
          {t("export.to")}
          <input type="date" data-testid="export-to" value={hasta} onChange={(event) => setHasta(event.target.value)} />
        </label>
        <Segmented
          options={OPERATIONS}
          value={operation}
          onChange={setOperation}
          label={(candidate) => candidate ?? t("board.all")}
          testId={(candidate) => `export-op-${candidate ?? "all"}`}
          ariaLabel={t("board.operation")}
        />
      </div>
      <div>
        <button className="huge primary" data-testid="export-save" disabled={saving || !desde || !hasta} onClick={() => void save()}>
          {t("export.save")}
        </button>
      </div>
    </section>
  );
}
