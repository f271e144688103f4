// The first start of a station with no configuration: try the demo shop, or connect the station to the shop
// (its spreadsheet, the service-account key, the shop's Redis). The answers are checked with doctor's own checks
// before anything is written, each failure said in plain words; a configuration that passes opens the station.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { describeError } from "../lib/errors";
import { api, IpcError, type SetupForm, type SetupReport } from "../lib/ipc";

const EMPTY: SetupForm = {
  station: "",
  spreadsheet: "",
  key_file: null,
  redis_url: "",
  redis_prefix: "",
  viewer: false,
  endpoint: null,
};

export function SetupScreen() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [connecting, setConnecting] = useState(false);
  const [form, setForm] = useState<SetupForm>(EMPTY);
  const [report, setReport] = useState<SetupReport | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const opened = () => client.invalidateQueries({ queryKey: ["setup"] });
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    try {
      await work();
    } catch (error) {
      setFailure(error instanceof IpcError ? describeError(error, t) : String(error));
    } finally {
      setBusy(false);
    }
  };
  const field = (key: "station" | "spreadsheet" | "redis_url" | "redis_prefix", testId: string) => (
    <label className="setup-field">
      {t(`setup.fields.${key}`)}
      <input
        data-testid={testId}
        value={form[key]}
        onChange={(event) => setForm({ ...form, [key]: event.target.value })}
        autoComplete="off"
      />
    </label>
  );

  return (
    <main className="app setup" data-testid="setup">
      <h1>{t("setup.title")}</h1>
      {!connecting ? (
        <div className="setup-choices">
          <button className="big primary" data-testid="setup-demo" disabled={busy} onClick={() => run(() => api.openDemo("").then(opened))}>
            {t("setup.demo")}
          </button>
          <button className="big" data-testid="setup-connect" onClick={() => setConnecting(true)}>
            {t("setup.connect")}
          </button>
        </div>
      ) : (
        <form className="setup-form" onSubmit={(event) => event.preventDefault()}>
          {field("station", "setup-station")}
          {field("spreadsheet", "setup-spreadsheet")}
          <label className="setup-check-box">
            <input
              type="checkbox"
              data-testid="setup-viewer"
              checked={form.viewer}
              onChange={(event) => setForm({ ...form, viewer: event.target.checked })}
            />
            {t("setup.fields.viewer")}
          </label>
          {!form.viewer && (
            <label className="setup-field">
              {t("setup.fields.key_file")}
              <input
                data-testid="setup-key"
                value={form.key_file ?? ""}
                placeholder="/home/…/clave.json"
                onChange={(event) => setForm({ ...form, key_file: event.target.value })}
                autoComplete="off"
              />
            </label>
          )}
          {field("redis_url", "setup-redis")}
          {field("redis_prefix", "setup-prefix")}
          <div className="setup-actions">
            <button className="big" data-testid="setup-check" disabled={busy} onClick={() => run(async () => setReport(await api.checkSetup(form)))}>
              {busy ? t("health.checking") : t("setup.check")}
            </button>
            <button
              className="big primary"
              data-testid="setup-save"
              disabled={busy || !report?.ok}
              onClick={() =>
                run(async () => {
                  const saved = await api.connectStation(form);
                  setReport(saved);
                  if (saved.ok) await opened();
                })
              }
            >
              {t("setup.save")}
            </button>
            <button className="big" data-testid="setup-back" onClick={() => setConnecting(false)}>
              {t("setup.back")}
            </button>
          </div>
          {report?.service_account && (
            <p className="hint" data-testid="setup-email">
              {t("setup.shareWith", { email: report.service_account })}
            </p>
          )}
          {report && (
            <ul className="checks" data-testid="setup-report">
              {report.checks.map((check) => (
                <li key={check.name} className={check.ok ? "check ok" : "check failing"} data-testid={`setup-check-${check.name}`}>
                  <strong>{check.ok ? "✔" : "✖"} {check.name}</strong>
                  <span>{check.detail}</span>
                </li>
              ))}
            </ul>
          )}
        </form>
      )}
      {failure && (
        <p className="field-error" role="alert" data-testid="setup-error">
          {failure}
        </p>
      )}
    </main>
  );
}
