// Setup: on a station's first start, try the demo shop or connect the station to the shop (its spreadsheet, the
// service-account key, the shop's Redis); reopened by a supervisor, the running station's answers to change. The
// answers are checked with doctor's own checks before anything is written, each failure said in plain words; a
// configuration that passes opens the station it configures.
import { useQueryClient } from "@tanstack/react-query";
import { open as openFileDialog } from "@tauri-apps/plugin-dialog";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useIdle } from "../hooks/useIdle";
import { describeError } from "../lib/errors";
import { inWindow } from "../lib/host";
import { api, IpcError, type SetupForm, type SetupReport } from "../lib/ipc";
import { useCurrentSetup } from "../lib/queries";

/** Setup a supervisor reopened closes by itself once nobody touched it for this long: nobody else edits it. */
const REOPENED_IDLE_SECONDS = 5 * 60;

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
  const current = useCurrentSetup();
  // The form starts from the running station's answers when a supervisor reopened setup.
  if (current.isPending) return null;
  return <SetupSteps current={current.data ?? null} />;
}

function SetupSteps({ current }: { current: SetupForm | null }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [connecting, setConnecting] = useState(current !== null);
  const [form, setForm] = useState<SetupForm>(current ?? EMPTY);
  const [report, setReport] = useState<SetupReport | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Every screen reads the station opened (or kept) from scratch.
  const done = () => client.invalidateQueries();
  const change = (answers: Partial<SetupForm>) => {
    setForm({ ...form, ...answers });
    // A check is of the answers it checked: changed ones are checked again before they can be saved.
    setReport(null);
  };
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
  const cancel = () => run(() => api.cancelSetup().then(done));
  useIdle(REOPENED_IDLE_SECONDS, current !== null && !busy, () => void cancel());
  const chooseKey = () =>
    run(async () => {
      const chosen = await openFileDialog({
        title: t("setup.chooseKey"),
        filters: [{ name: t("setup.keyFilter"), extensions: ["json"] }],
        multiple: false,
        directory: false,
      });
      if (chosen) change({ key_file: chosen });
    });
  const field = (key: "station" | "spreadsheet" | "redis_url" | "redis_prefix", testId: string) => (
    <label className="setup-field">
      {t(`setup.fields.${key}`)}
      <input
        data-testid={testId}
        value={form[key]}
        onChange={(event) => change({ [key]: event.target.value })}
        autoComplete="off"
      />
    </label>
  );

  return (
    <main className="app setup" data-testid="setup">
      <h1>{t(current ? "setup.reopenedTitle" : "setup.title")}</h1>
      {!connecting ? (
        <div className="setup-choices">
          <button className="big primary" data-testid="setup-demo" disabled={busy} onClick={() => run(() => api.openDemo("").then(done))}>
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
              onChange={(event) => change({ viewer: event.target.checked })}
            />
            {t("setup.fields.viewer")}
          </label>
          {!form.viewer && (
            <div className="setup-field">
              <label htmlFor="setup-key">{t("setup.fields.key_file")}</label>
              <div className="setup-key">
                <input
                  id="setup-key"
                  data-testid="setup-key"
                  value={form.key_file ?? ""}
                  placeholder="/home/…/clave.json"
                  onChange={(event) => change({ key_file: event.target.value })}
                  autoComplete="off"
                />
                {inWindow() && (
                  <button type="button" className="big" data-testid="setup-key-choose" disabled={busy} onClick={chooseKey}>
                    {t("setup.chooseKey")}
                  </button>
                )}
              </div>
            </div>
          )}
          {field("redis_url", "setup-redis")}
          {field("redis_prefix", "setup-prefix")}
          <details className="setup-advanced" open={Boolean(form.endpoint)}>
            <summary data-testid="setup-advanced">{t("setup.advanced")}</summary>
            <label className="setup-field">
              {t("setup.fields.endpoint")}
              <input
                data-testid="setup-endpoint"
                value={form.endpoint ?? ""}
                placeholder="https://sheets.googleapis.com/"
                onChange={(event) => change({ endpoint: event.target.value || null })}
                autoComplete="off"
              />
            </label>
          </details>
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
                  if (saved.ok) await done();
                })
              }
            >
              {t("setup.save")}
            </button>
            <button
              className="big"
              data-testid="setup-back"
              disabled={busy}
              onClick={() => (current ? cancel() : setConnecting(false))}
            >
              {t(current ? "setup.cancel" : "setup.back")}
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
