// The spools left paused, as the core lists them: the longest waiting first, each with its operation, who paused
// it and how long ago (ticking); a pause made by hand in the sheet says only who worked on it. A tag opens the
// spool's history.
import { useTranslation } from "react-i18next";
import { useMinutesSince } from "../hooks/useMinutesSince";
import { agoText } from "../lib/ago";
import { describeError } from "../lib/errors";
import { usePaused } from "../lib/queries";

export function PausedSpools({ onHistory }: { onHistory: (tag: string) => void }) {
  const { t } = useTranslation();
  const { data: paused, dataUpdatedAt, failureReason } = usePaused();
  const minutesLater = useMinutesSince(dataUpdatedAt);

  return (
    <section className="paused" data-testid="paused">
      <div className="picker-bar">
        <h2>{t("paused.title")}</h2>
        {paused && <span className="counts">{t("spools.count", { count: paused.length })}</span>}
      </div>
      {!paused && failureReason && <p className="field-error">{describeError(failureReason, t)}</p>}
      {paused?.length === 0 && <p className="hint">{t("paused.none")}</p>}
      <ul className="paused-list">
        {paused?.map(({ spool, pausado_por, pausado_minutos }) => (
          <li key={spool.tag} className="paused-spool" data-testid={`paused-spool-${spool.tag}`}>
            <strong>{spool.tag}</strong>
            <span className="badge">
              {t("spools.paused")} {spool.pausado}
            </span>
            <span>
              {pausado_por
                ? t("paused.by", { worker: pausado_por })
                : t("spools.previousWork", { worker: spool.trabajo_previo ?? "?" })}
              {pausado_minutos !== null && ` · ${agoText(t, pausado_minutos + minutesLater)}`}
            </span>
            <button className="secondary" data-testid={`paused-history-${spool.tag}`} onClick={() => onHistory(spool.tag)}>
              {t("spools.history")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
