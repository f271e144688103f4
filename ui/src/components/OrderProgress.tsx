// How far each order has come: per NV a bar of its spools by stage, with the numbers, as the core counts them;
// tapping an NV shows its OTs the same way. Live: every change reloads it.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { StageCounts } from "../bindings";
import { describeError } from "../lib/errors";
import { useOrderProgress } from "../lib/queries";

const STAGES = ["pendientes", "arm_en_curso", "arm_hecho", "sold_en_curso", "sold_hecho", "ilegibles"] as const;

export function OrderProgress() {
  const { t } = useTranslation();
  const { data: orders, failureReason } = useOrderProgress();
  const [open, setOpen] = useState<string | null>(null);
  const name = (nv: string | null) => nv ?? t("orders.noNv");

  return (
    <section className="orders" data-testid="order-progress">
      <div className="picker-bar">
        <h2>{t("orders.title")}</h2>
        <span className="hint">{t("orders.hint")}</span>
      </div>
      <ul className="legend" aria-hidden="true">
        {STAGES.map((stage) => (
          <li key={stage}>
            <span className={`swatch ${stage}`} /> {t(`orders.stages.${stage}`)}
          </li>
        ))}
      </ul>
      {!orders && failureReason && <p className="field-error">{describeError(failureReason, t)}</p>}
      <ul className="order-list">
        {orders?.map((order) => (
          <li key={name(order.nv)}>
            <button
              className="order"
              data-testid={`nv-${name(order.nv)}`}
              aria-expanded={open === name(order.nv)}
              onClick={() => setOpen(open === name(order.nv) ? null : name(order.nv))}
            >
              <strong>{name(order.nv)}</strong>
              <span className="count">{t("orders.total", { count: order.counts.total })}</span>
              <StageBar counts={order.counts} testId={`bar-${name(order.nv)}`} />
            </button>
            {open === name(order.nv) && (
              <ul className="ot-list">
                {order.ots.map((ot) => (
                  <li key={ot.ot ?? ""} className="ot">
                    <span>{ot.ot ?? t("orders.noOt")}</span>
                    <span className="count">{t("orders.total", { count: ot.counts.total })}</span>
                    <StageBar counts={ot.counts} testId={`bar-${name(order.nv)}-${ot.ot ?? ""}`} />
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** One bar: a part per stage that has spools, as wide as its share, with its number written in it. */
function StageBar({ counts, testId }: { counts: StageCounts; testId: string }) {
  const { t } = useTranslation();
  const present = STAGES.filter((stage) => counts[stage] > 0);
  const described = present.map((stage) => `${t(`orders.stages.${stage}`)}: ${counts[stage]}`).join(", ");
  return (
    <span className="stage-bar" data-testid={testId} role="img" aria-label={described}>
      {present.map((stage) => (
        <span key={stage} className={`stage ${stage}`} style={{ flexGrow: counts[stage] }} data-testid={`${testId}-${stage}`}>
          {counts[stage]}
        </span>
      ))}
    </span>
  );
}
