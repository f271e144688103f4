// The board mode: who has what and how far each order has come, live, and this PC's settings behind a
// supervisor's PIN (not at a viewer station, where nobody identifies).
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Activity } from "../components/Activity";
import { Board } from "../components/Board";
import { ChoiceSelect } from "../components/ChoiceSelect";
import { Crew } from "../components/Crew";
import { ExportSessions } from "../components/ExportSessions";
import { HealthChecks } from "../components/HealthChecks";
import { OrderProgress } from "../components/OrderProgress";
import { PausedSpools } from "../components/PausedSpools";
import { Segmented } from "../components/Segmented";
import { StationSettings } from "../components/StationSettings";
import { useStoredChoice } from "../hooks/useStoredChoice";
import type { SpoolView, Worker } from "../lib/ipc";

type Section = "occupied" | "paused" | "crew" | "orders" | "activity" | "export" | "health";
const SECTIONS: readonly Section[] = ["occupied", "paused", "crew", "orders", "activity", "export", "health"];
const LONG_HOURS = [1, 2, 4, 8, 12];

type Props = {
  admin: Worker | null;
  viewOnly: boolean;
  onHistory: (tag: string) => void;
  onRelease: (spool: SpoolView) => void;
  reveal: string | null;
  idleMinutes: number;
  onIdleMinutes: (minutes: number) => void;
  /** A notice for the person (an export saved, or why not). */
  onNotice: (kind: "ok" | "error", text: string) => void;
};

export function BoardScreen({ admin, viewOnly, onHistory, onRelease, reveal, idleMinutes, onIdleMinutes, onNotice }: Props) {
  const { t } = useTranslation();
  const [section, setSection] = useState<Section>("occupied");
  const [longHours, setLongHours] = useStoredChoice("spooltrack.longOccupationHours", LONG_HOURS, 4);
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
      {section === "occupied" && (
        <Board admin={admin} onHistory={onHistory} onRelease={onRelease} reveal={reveal} longAfter={longHours * 60} />
      )}
      {section === "paused" && <PausedSpools onHistory={onHistory} />}
      {section === "crew" && <Crew onHistory={onHistory} />}
      {section === "orders" && <OrderProgress />}
      {section === "activity" && <Activity onHistory={onHistory} />}
      {section === "export" && <ExportSessions onSaved={onNotice} />}
      {section === "health" && <HealthChecks />}
      <div className="picker-bar">
        {section === "occupied" && (
          <ChoiceSelect
            label={t("board.longAfter")}
            testId="long-hours"
            choices={LONG_HOURS}
            value={longHours}
            onChange={setLongHours}
            text={(hours) => t("board.hours", { count: hours })}
          />
        )}
        {!viewOnly && <StationSettings idleMinutes={idleMinutes} onIdleMinutes={onIdleMinutes} onNotice={onNotice} />}
      </div>
    </>
  );
}
