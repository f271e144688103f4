// The shop's latest events, newest first, as the core lists them: what happened, to which spool, who, at
// which station and how long ago (ticking). Read again whenever any station acts, like every list on screen.
// A tag opens the spool's history.
import { useTranslation } from "react-i18next";
import { useMinutesSince } from "../hooks/useMinutesSince";
import { agoText } from "../lib/ago";
import { describeError } from "../lib/errors";
import { useActivity } from "../lib/queries";

export function Activity({ onHistory }: { onHistory: (tag: string) => void }) {
  const { t } = useTranslation();
  const { data: entries, dataUpdatedAt, failureReason } = useActivity();
  const minutesLater = useMinutesSince(dataUpdatedAt);

  return (
    <section className="activity" data-testid="activity">
      <div className="picker-bar">
        <h2>{t("activity.title")}</h2>
      </div>
      {!entries && failureReason && <p className="field-error">{describeError(failureReason, t)}</p>}
      {entries?.length === 0 && <p className="hint">{t("activity.none")}</p>}
      <ol className="activity-list">
        {entries?.map((entry) => (
          <li key={entry.id} className={`event event-${entry.evento.toLowerCase()}`} data-testid={`event-${entry.id}`}>
            <span className="when" title={entry.cuando}>
              {agoText(t, entry.minutos + minutesLater)}
            </span>
            <strong className="what">{t(`activity.kinds.${entry.evento}`)}</strong>
            {entry.tag && (
              <button className="secondary" data-testid={`event-tag-${entry.id}`} onClick={() => onHistory(entry.tag)}>
                {entry.tag}
                {entry.operation && ` · ${entry.operation}`}
              </button>
            )}
            <span className="who">{entry.worker}</span>
            {entry.estacion && <span className="station">{t("activity.at", { station: entry.estacion })}</span>}
            {entry.nota && <span className="note">{entry.nota}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}
