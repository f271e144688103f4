// A spool's work sessions from the audit log as a timeline: one bar a session, in the order they started, as
// long as the session lasted (against the longest), coloured by how it ended; who, which operation, from when
// to when, how long.
import { useTranslation } from "react-i18next";
import { describeError } from "../lib/errors";
import { useHistory } from "../lib/queries";

export function HistoryDrawer({ tag, onClose }: { tag: string; onClose: () => void }) {
  const { t } = useTranslation();
  // A read that keeps failing says why while it is retried.
  const { data: sessions, failureReason } = useHistory(tag);
  const longest = Math.max(1, ...(sessions ?? []).map((session) => session.duracion_minutos ?? 0));

  return (
    <aside className="drawer" data-testid="history-drawer" aria-label={t("history.title", { tag })}>
      <header>
        <h2>{t("history.title", { tag })}</h2>
        <button className="big" data-testid="history-close" onClick={onClose}>
          {t("actions.close")}
        </button>
      </header>
      {!sessions && failureReason && <p className="field-error">{describeError(failureReason, t)}</p>}
      {sessions?.length === 0 && <p className="hint">{t("history.empty")}</p>}
      <ol className="sessions">
        {sessions?.map((session, index) => (
          <li key={index} data-testid="history-session">
            <span
              className={`session-bar ${session.fin}`}
              data-testid="history-bar"
              // A session in progress has no length yet: its bar runs to the end, open.
              style={{ width: `${session.duracion_minutos === null ? 100 : Math.max(2, (100 * session.duracion_minutos) / longest)}%` }}
            />
            <strong>{session.worker}</strong> {session.operation ?? ""} · {session.desde} → {session.hasta ?? "…"}
            {session.duracion_minutos !== null && <> · {t("history.minutes", { count: session.duracion_minutos })}</>}
            {" · "}
            <em>{t(`history.${session.fin}`)}</em>
            {session.nota && <span className="note"> · {session.nota}</span>}
          </li>
        ))}
      </ol>
    </aside>
  );
}
