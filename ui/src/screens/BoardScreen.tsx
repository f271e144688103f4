// The board mode: who has what and how far each order has come, live, and this PC's idle sign-out setting (not
// at a viewer station, where nobody identifies).
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Board } from "../components/Board";
import { HealthChecks } from "../components/HealthChecks";
import { OrderProgress } from "../components/OrderProgress";
import { Segmented } from "../components/Segmented";
import { IDLE_CHOICES } from "../hooks/useSession";
import type { SpoolView, Worker } from "../lib/ipc";

type Section = "occupied" | "orders" | "health";
const SECTIONS: readonly Section[] = ["occupied", "orders", "health"];

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
  const [section, setSection] = useState<Section>("occupied");
  return (
    <>
      <Segmented
        options={SECTIONS}
        value={section}
        onChange={setSection}
        label={(candidate) => t(`board.sections.${candidate}`)}
        testId={(candidate) => `section-${candidate}`}
        ariaLabel={t("modes.board")}
        buttonClassName="big"
      />
      {section === "occupied" && <Board admin={admin} onHistory={onHistory} onRelease={onRelease} reveal={reveal} />}
      {section === "orders" && <OrderProgress />}
      {section === "health" && <HealthChecks />}
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
