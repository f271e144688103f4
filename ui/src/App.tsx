// The whole interface: a worker identifies, picks the operation (skipped when only one is allowed) and spools,
// confirms and sees the result; "Mis spools" pauses, completes or cancels; the supervisor's board shows who
// has what, live. A scanner works from anywhere; the connection state is always on screen.
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Board } from "./components/Board";
import { BatchResult } from "./components/BatchResult";
import { ConfirmDialog, type Confirmation } from "./components/ConfirmDialog";
import { ConnectionBanner } from "./components/ConnectionBanner";
import { HistoryDrawer } from "./components/HistoryDrawer";
import { IdentifyScreen } from "./components/IdentifyScreen";
import { OperationPicker } from "./components/OperationPicker";
import { Progress } from "./components/Progress";
import { SelectableSpools } from "./components/SelectableSpools";
import { Toasts } from "./components/Toasts";
import { useIdle } from "./hooks/useIdle";
import { useScanner } from "./hooks/useScanner";
import { useSpools } from "./hooks/useSpools";
import { useToasts } from "./hooks/useToasts";
import { LANGUAGES } from "./i18n";
import { describeError } from "./lib/errors";
import { useConnection } from "./lib/connection";
import { api, type ActionOutcome, type BatchEntry, type BatchOutcome, type Operation, type SpoolView, type Worker } from "./lib/ipc";

type Mode = "worker" | "board";
type Step = "take" | "mine";
type Kind = "tomar" | "pausar" | "completar" | "cancelar" | "liberar";

const IDLE_KEY = "spooltrack.idleMinutes";
const IDLE_CHOICES = [1, 2, 5, 10];

function storedIdleMinutes(): number {
  const stored = Number(window.localStorage.getItem(IDLE_KEY));
  return IDLE_CHOICES.includes(stored) ? stored : 2;
}

export function App() {
  const { t, i18n } = useTranslation();
  const { online, viewOnly } = useConnection();
  // A viewer station shows everything and offers no action.
  const canAct = online && !viewOnly;
  const [chosenMode, setMode] = useState<Mode>("worker");
  // Nobody identifies at a viewer station: it shows the board.
  const mode: Mode = viewOnly ? "board" : chosenMode;
  const modes: Mode[] = viewOnly ? ["board"] : ["worker", "board"];
  const [workers, setWorkers] = useState<Worker[]>([]);
  const [worker, setWorker] = useState<Worker | null>(null);
  const [step, setStep] = useState<Step>("take");
  const [operation, setOperation] = useState<Operation | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [history, setHistory] = useState<string | null>(null);
  const [reveal, setReveal] = useState<string | null>(null);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [result, setResult] = useState<BatchOutcome | null>(null);
  const [revision, setRevision] = useState(0);
  const [idleMinutes, setIdleMinutes] = useState(storedIdleMinutes);
  const { toasts, show, dismiss } = useToasts();

  const takeFilter = worker && operation ? { operation, scope: "all" as const, nv: null, ot: null, text: null } : null;
  const mineFilter = worker ? { operation: null, scope: { worker: worker.id }, nv: null, ot: null, text: null } : null;
  const take = useSpools(mode === "worker" ? takeFilter : null);
  const mine = useSpools(mode === "worker" ? mineFilter : null);

  useEffect(() => {
    api.workers().then(setWorkers, (error) => show("error", describeError(error, t)));
    const stop = api.onSpoolChanged(() => setRevision((value) => value + 1));
    return () => void stop.then((unlisten) => unlisten());
  }, [show, t]);

  const identify = useCallback((who: Worker) => {
    setWorker(who);
    setOperation(who.operaciones.length === 1 ? who.operaciones[0] : null);
    setStep("take");
    setSelected([]);
  }, []);

  const leave = useCallback(() => {
    setWorker(null);
    setOperation(null);
    setSelected([]);
    setHistory(null);
  }, []);

  useIdle(idleMinutes * 60, worker !== null && confirmation === null && busy === null, leave);

  const entryText = (entry: BatchEntry) => t(`errors.${entry.code ?? "unknown"}`, { tag: entry.tag, holder: entry.holder, message: entry.message });

  const perform = async (kind: Kind, tags: string[], call: () => Promise<BatchOutcome | ActionOutcome>) => {
    setBusy(tags.length);
    try {
      const outcome = await call();
      const batch: BatchOutcome =
        "total" in outcome
          ? outcome
          : { total: 1, succeeded: 1, failed: 0, details: [{ tag: outcome.tag, success: true, code: null, message: null, holder: null }] };
      if (batch.failed === 0) {
        show("ok", tags.length === 1 ? t(`result.${kind}`, { tag: tags[0], operation }) : t("result.done", { count: batch.succeeded }));
      } else if (batch.total === 1) {
        show("error", entryText(batch.details[0]));
      } else {
        setResult(batch);
      }
      setSelected([]);
    } catch (error) {
      show("error", describeError(error, t));
    } finally {
      setBusy(null);
      void take.reload();
      void mine.reload();
      setRevision((value) => value + 1);
    }
  };

  const ask = (confirmationToAsk: Confirmation) => setConfirmation(confirmationToAsk);

  const tomar = () => {
    if (!worker || !operation) return;
    const tags = selected;
    ask({
      question: t("confirm.tomar", { count: tags.length, operation }),
      onConfirm: () => perform("tomar", tags, () => api.tomar(tags, worker.id, operation)),
    });
  };
  const pausar = () => {
    if (!worker) return;
    const tags = selected;
    ask({
      question: t("confirm.pausar", { count: tags.length }),
      again: t("confirm.pausarAgain", { tags: tags.join(", ") }),
      onConfirm: () => perform("pausar", tags, () => api.pausar(tags, worker.id)),
    });
  };
  const completar = () => {
    if (!worker) return;
    const tags = selected;
    ask({
      question: t("confirm.completar", { count: tags.length }),
      onConfirm: () => perform("completar", tags, () => api.completar(tags, worker.id, null)),
    });
  };
  const cancelar = () => {
    if (!worker) return;
    const tags = selected;
    ask({
      question: t("confirm.cancelar", { tag: tags.join(", ") }),
      again: t("confirm.cancelarAgain", { tag: tags.join(", ") }),
      onConfirm: () => perform("cancelar", tags, () => api.cancelar(tags, worker.id)),
    });
  };
  const liberar = (spool: SpoolView) => {
    if (!worker?.supervisor) return;
    ask({
      question: t("confirm.liberar", { tag: spool.tag, holder: spool.ocupado_por ?? "?" }),
      again: t("confirm.liberarAgain", { tag: spool.tag }),
      needsReason: true,
      onConfirm: (reason) => perform("liberar", [spool.tag], () => api.liberar(spool.tag, worker.id, reason)),
    });
  };

  const takeable = (spool: SpoolView) => spool.ocupado_por === null && spool.problema === null;

  useScanner((code) => {
    const badge = workers.find((candidate) => candidate.activo && [String(candidate.id), `W${candidate.id}`].includes(code.toUpperCase()));
    if (badge) {
      setMode("worker");
      identify(badge);
      return;
    }
    if (mode === "board") {
      setReveal(code);
      setHistory(code);
      return;
    }
    if (!worker) {
      show("error", t("identify.unknownBadge", { code }));
      return;
    }
    const own = mine.spools.find((spool) => spool.tag === code);
    const listed = take.spools.find((spool) => spool.tag === code);
    if (own) {
      setStep("mine");
      setSelected((current) => (step === "mine" && !current.includes(code) ? [...current, code] : [code]));
    } else if (listed && takeable(listed)) {
      setStep("take");
      setSelected((current) => (step === "take" && !current.includes(code) ? [...current, code] : [code]));
    } else if (listed?.ocupado_por) {
      show("error", t("errors.SPOOL_OCCUPIED", { tag: code, holder: listed.ocupado_por }));
    } else {
      show("error", t("scanner.spoolUnknown", { code }));
      return;
    }
    setReveal(code);
  });

  const operations = worker?.operaciones ?? [];
  const mineTags = useMemo(() => new Set(mine.spools.map((spool) => spool.tag)), [mine.spools]);

  return (
    <div className="app">
      <ConnectionBanner />
      <header className="bar">
        <h1>{t("app.title")}</h1>
        <nav className="segmented" aria-label={t("app.title")}>
          {modes.map((candidate) => (
            <button
              key={candidate}
              data-testid={`mode-${candidate}`}
              aria-pressed={mode === candidate}
              className={mode === candidate ? "active" : ""}
              onClick={() => setMode(candidate)}
            >
              {t(`modes.${candidate}`)}
            </button>
          ))}
        </nav>
        {worker && (
          <span className="who" data-testid="identified">
            {worker.nombre} {worker.apellido} · {worker.iniciales}
          </span>
        )}
        {worker && (
          <button className="big" data-testid="leave" onClick={leave}>
            {t("session.leave")}
          </button>
        )}
        <div className="segmented" role="group" aria-label={t("language.label")}>
          {LANGUAGES.map((language) => (
            <button
              key={language}
              data-testid={`language-${language}`}
              aria-pressed={i18n.language === language}
              className={i18n.language === language ? "active" : ""}
              onClick={() => void i18n.changeLanguage(language)}
            >
              {language.toUpperCase()}
            </button>
          ))}
        </div>
      </header>

      <main className="content">
        {mode === "board" && (
          <>
            <Board admin={worker?.supervisor && !viewOnly ? worker : null} onHistory={setHistory} onRelease={liberar} reveal={reveal} />
            {!viewOnly && (
              <label className="field idle-setting">
                {t("session.idle")}
                <select
                  data-testid="idle-minutes"
                  value={idleMinutes}
                  onChange={(event) => {
                    const minutes = Number(event.target.value);
                    window.localStorage.setItem(IDLE_KEY, String(minutes));
                    setIdleMinutes(minutes);
                  }}
                >
                  {IDLE_CHOICES.map((minutes) => (
                    <option key={minutes} value={minutes}>
                      {t("session.minutes", { count: minutes })}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </>
        )}

        {mode === "worker" && !worker && <IdentifyScreen workers={workers} onIdentify={identify} />}

        {mode === "worker" && worker && (
          <>
            <nav className="steps" aria-label={t("modes.worker")}>
              {(["take", "mine"] as Step[]).map((candidate) => (
                <button
                  key={candidate}
                  data-testid={`step-${candidate}`}
                  aria-pressed={step === candidate}
                  className={step === candidate ? "active big" : "big"}
                  onClick={() => {
                    setStep(candidate);
                    setSelected([]);
                  }}
                >
                  {t(`steps.${candidate}`)}
                  {candidate === "mine" && ` (${mine.spools.length})`}
                </button>
              ))}
              {step === "take" && operation && operations.length > 1 && (
                <button className="secondary" data-testid="change-operation" onClick={() => setOperation(null)}>
                  {t("operation.change")} ({operation})
                </button>
              )}
            </nav>

            {step === "take" && !operation && <OperationPicker operations={operations} onPick={setOperation} />}

            {step === "take" && operation && (
              <SelectableSpools
                spools={take.spools}
                selected={selected}
                onSelect={setSelected}
                selectable={takeable}
                onHistory={setHistory}
                reveal={reveal}
              >
                <button className="huge primary" data-testid="action-tomar" disabled={selected.length === 0 || !canAct} onClick={tomar}>
                  {t("actions.tomar", { operation })}
                </button>
              </SelectableSpools>
            )}

            {step === "mine" && (
              <SelectableSpools
                spools={mine.spools}
                selected={selected}
                onSelect={setSelected}
                selectable={(spool) => mineTags.has(spool.tag)}
                onHistory={setHistory}
                reveal={reveal}
              >
                <button className="huge" data-testid="action-pausar" disabled={selected.length === 0 || !canAct} onClick={pausar}>
                  {t("actions.pausar")}
                </button>
                <button className="huge primary" data-testid="action-completar" disabled={selected.length === 0 || !canAct} onClick={completar}>
                  {t("actions.completar")}
                </button>
                <button className="huge danger" data-testid="action-cancelar" disabled={selected.length === 0 || !canAct} onClick={cancelar}>
                  {t("actions.cancelar")}
                </button>
              </SelectableSpools>
            )}
          </>
        )}
      </main>

      {history && <HistoryDrawer tag={history} revision={revision} onClose={() => setHistory(null)} />}
      {confirmation && <ConfirmDialog confirmation={confirmation} onClose={() => setConfirmation(null)} />}
      {busy !== null && <Progress count={busy} />}
      {result && <BatchResult outcome={result} onClose={() => setResult(null)} />}
      <Toasts toasts={toasts} onDismiss={dismiss} />
    </div>
  );
}
