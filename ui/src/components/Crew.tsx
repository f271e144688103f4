// Who works on what now, as the core lists them: the busiest first, each with the spools they hold and for how
// long (ticking), then those holding nothing. A spool's tag opens its history.
import { useTranslation } from "react-i18next";
import { useMinutesSince } from "../hooks/useMinutesSince";
import { describeError } from "../lib/errors";
import { agoText } from "../lib/ago";
import { useCrew } from "../lib/queries";

export function Crew({ onHistory }: { onHistory: (tag: string) => void }) {
  const { t } = useTranslation();
  const { data: crew, dataUpdatedAt, failureReason } = useCrew();
  const minutesLater = useMinutesSince(dataUpdatedAt);
  const working = crew?.filter((member) => member.spools.length > 0).length ?? 0;

  return (
    <section className="crew" data-testid="crew">
      <div className="picker-bar">
        <h2>{t("crew.title")}</h2>
        {crew && (
          <span className="counts" data-testid="crew-counts">
            {t("crew.working", { count: working })} · {t("crew.idle", { count: crew.length - working })}
          </span>
        )}
      </div>
      {!crew && failureReason && <p className="field-error">{describeError(failureReason, t)}</p>}
      <ul className="crew-list">
        {crew?.map(({ worker, spools }) => (
          <li key={worker.id} className={spools.length > 0 ? "member working" : "member"} data-testid={`member-${worker.id}`}>
            <span className="name">
              <strong>{worker.nombre} {worker.apellido}</strong> {worker.iniciales}
            </span>
            {spools.length === 0 && <span className="hint">{t("crew.nothing")}</span>}
            <span className="held">
              {spools.map((spool) => (
                <button key={spool.tag} className="secondary" data-testid={`member-${worker.id}-${spool.tag}`} onClick={() => onHistory(spool.tag)}>
                  {spool.tag} · {spool.operacion_en_curso ?? "?"}
                  {spool.ocupado_minutos !== null && ` · ${agoText(t, spool.ocupado_minutos + minutesLater)}`}
                </button>
              ))}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
