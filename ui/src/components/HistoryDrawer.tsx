// A spool's work sessions from the audit log: who, which operation, from when to when, how long, how it ended.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { describeError } from "../lib/errors";
import { api, type WorkSession } from "../lib/ipc";

export function HistoryDrawer({ tag, revision, onClose }: { tag: string; revision: number; onClose: () => void }) {
  const { t } = useTranslation();
  const [sessions, setSessions] = useState<WorkSession[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    api.history(tag).then(
      (found) => {
        setSessions(found);
        setProblem(null);
      },
      (error) => setProblem(describeError(error, t)),
    );
  }, [tag, revision, t]);

  return (
    <aside className="drawer" data-testid="history-drawer" aria-label={t("history.title", { tag })}>
      <header>
        <h2>{t("history.title", { tag })}</h2>
        <button className="big" data-testid="history-close" onClick={onClose}>
          {t("actions.close")}
        </button>
      </header>
      {problem && <p className="field-error">{problem}</p>}
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
