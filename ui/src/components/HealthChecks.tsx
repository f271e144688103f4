// The station's health, as `spooltrack doctor` checks it: configuration, store and every tab, lock service,
// live updates, time zone. Each run reads every tab, so it runs when the section opens and when asked.
import { useTranslation } from "react-i18next";
import { describeError } from "../lib/errors";
import { useHealth } from "../lib/queries";

export function HealthChecks() {
  const { t } = useTranslation();
  const { data: report, error, isFetching, refetch } = useHealth();
  return (
    <section className="health" data-testid="health">
      <div className="picker-bar">
        <h2>{t("health.title")}</h2>
        {report && (
          <span className={report.ok ? "ok-text" : "error-text"} data-testid="health-summary">
            {t(report.ok ? "health.allOk" : "health.failing", { count: report.checks.filter((check) => !check.ok).length })}
          </span>
        )}
        <button className="big" data-testid="health-again" disabled={isFetching} onClick={() => void refetch()}>
          {isFetching ? t("health.checking") : t("health.again")}
        </button>
      </div>
      {error && !report && <p className="field-error">{describeError(error, t)}</p>}
      <ul className="checks">
        {report?.checks.map((check) => (
          <li key={check.name} className={check.ok ? "check ok" : "check failing"} data-testid={`check-${check.name}`}>
            <strong>{check.ok ? "✔" : "✖"} {check.name}</strong>
            <span>{check.detail}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
