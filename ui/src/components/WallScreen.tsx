// The shop floor's wall screen, read from five metres away: live counts of the work in progress and the longest
// occupations, ticking. Nothing to tap, nobody identifies.
import { useTranslation } from "react-i18next";
import { useMinutesSince } from "../hooks/useMinutesSince";
import { agoText } from "../lib/ago";
import { longestFirst, OCCUPIED } from "../lib/occupations";
import { useSpoolList } from "../lib/queries";

const SHOWN = 8;

export function WallScreen() {
  const { t } = useTranslation();
  const { spools, answeredAt } = useSpoolList(OCCUPIED);
  const minutesLater = useMinutesSince(answeredAt);
  const inProgress = (operation: "ARM" | "SOLD") => spools.filter((spool) => spool.operacion_en_curso === operation).length;
  const counts = [
    { id: "arm", value: inProgress("ARM"), label: t("wall.arm") },
    { id: "sold", value: inProgress("SOLD"), label: t("wall.sold") },
    { id: "occupied", value: spools.length, label: t("wall.occupied") },
  ];

  return (
    <main className="wall" data-testid="wall">
      <div className="wall-counts">
        {counts.map((count) => (
          <div key={count.id} className="wall-count" data-testid={`wall-${count.id}`}>
            <span className="number">{answeredAt > 0 ? count.value : "…"}</span>
            <span>{count.label}</span>
          </div>
        ))}
      </div>
      <h2>{t("wall.longest")}</h2>
      <ol className="wall-list">
        {longestFirst(spools)
          .slice(0, SHOWN)
          .map((spool) => (
            <li key={spool.tag} data-testid={`wall-spool-${spool.tag}`}>
              <strong>{spool.tag}</strong>
              <span>{spool.ocupado_por}</span>
              <span>{spool.operacion_en_curso}</span>
              <span>{spool.ocupado_minutos === null ? "" : agoText(t, spool.ocupado_minutos + minutesLater)}</span>
            </li>
          ))}
      </ol>
    </main>
  );
}
