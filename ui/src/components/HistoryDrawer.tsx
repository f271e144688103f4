// A spool's work sessions from the audit log: who, which operation, from when to when, how long, how it ended.
import { useTranslation } from "react-i18next";
import { describeError } from "../lib/errors";
import { useHistory } from "../lib/queries";

export function HistoryDrawer({ tag, onClose }: { tag: string; onClose: () => void }) {
  const { t } = useTranslation();
  // A read that keeps failing says why while it is retried.
  const { data: sessions, failureReason } = useHistory(tag);

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
