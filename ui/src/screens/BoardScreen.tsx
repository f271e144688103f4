// The board mode: who has what, live, and this PC's idle sign-out setting (not at a viewer station, where
// nobody identifies).
import { useTranslation } from "react-i18next";
import { Board } from "../components/Board";
import { IDLE_CHOICES } from "../hooks/useSession";
import type { SpoolView, Worker } from "../lib/ipc";

type Props = {
  admin: Worker | null;
  viewOnly: boolean;
  onHistory: (tag: string) => void;
  onRelease: (spool: SpoolView) => void;
  reveal: string | null;
  idleMinutes: number;
  onIdleMinutes: (minutes: number) => void;
};

export function BoardScreen({ admin, viewOnly, onHistory, onRelease, reveal, idleMinutes, onIdleMinutes }: Props) {
  const { t } = useTranslation();
  return (
    <>
      <Board admin={admin} onHistory={onHistory} onRelease={onRelease} reveal={reveal} />
      {!viewOnly && (
        <label className="field idle-setting">
          {t("session.idle")}
          <select data-testid="idle-minutes" value={idleMinutes} onChange={(event) => onIdleMinutes(Number(event.target.value))}>
            {IDLE_CHOICES.map((minutes) => (
              <option key={minutes} value={minutes}>
                {t("session.minutes", { count: minutes })}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}
