// The whole interface: a worker identifies and works on spools (WorkerScreen), the supervisor's board shows
// who has what, live (BoardScreen). A scanner works from anywhere; the connection state is always on screen.
// What the station answered lives in one query cache (lib/queries), refreshed by the station's events.
import { QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { BatchResult } from "./components/BatchResult";
import { ConfirmDialog } from "./components/ConfirmDialog";
import { ConnectionBanner } from "./components/ConnectionBanner";
import { HistoryDrawer } from "./components/HistoryDrawer";
import { IdentifyScreen } from "./components/IdentifyScreen";
import { Progress } from "./components/Progress";
import { Segmented } from "./components/Segmented";
import { Toasts } from "./components/Toasts";
import { WallScreen } from "./components/WallScreen";
import { useActions } from "./hooks/useActions";
import { useIdle } from "./hooks/useIdle";
import { useScanner } from "./hooks/useScanner";
import { useSession } from "./hooks/useSession";
import { useToasts } from "./hooks/useToasts";
import { useWorkerLists } from "./hooks/useWorkerLists";
import { LANGUAGES } from "./i18n";
import { useConnection } from "./lib/connection";
import { describeError } from "./lib/errors";
import { newQueryClient, useScreenMode, useSetupNeeded, useStationEvents, useWorkers } from "./lib/queries";
import { BoardScreen } from "./screens/BoardScreen";
import { SetupScreen } from "./screens/SetupScreen";
import { WorkerScreen, type Step } from "./screens/WorkerScreen";

type Mode = "worker" | "board";
const MODES: readonly Mode[] = ["worker", "board"];
const BOARD_ONLY: readonly Mode[] = ["board"];

export function App() {
  const [queries] = useState(newQueryClient);
  return (
    <QueryClientProvider client={queries}>
      <Screen />
    </QueryClientProvider>
  );
}

/** The first start's setup, the wall screen, or the window for workers and supervisors, as the station says. */
function Screen() {
  const setup = useSetupNeeded();
  if (setup.data === true) return <SetupScreen />;
  return setup.data === false ? <StationScreen /> : null;
}

function StationScreen() {
  useStationEvents();
  const mode = useScreenMode();
  if (mode.data?.pantalla) {
    return (
      <div className="app wall-app">
        <ConnectionBanner />
        <WallScreen />
      </div>
    );
  }
  return mode.data ? <Station /> : <ConnectionBanner />;
}

function Station() {
  const { t, i18n } = useTranslation();
  // A viewer station shows everything and offers no action; nobody identifies there.
  const { viewOnly, actionsOffered: canAct } = useConnection();
  const [chosenMode, setMode] = useState<Mode>("worker");
  const mode: Mode = viewOnly ? "board" : chosenMode;
  const [step, setStep] = useState<Step>("take");
  const [selected, setSelected] = useState<string[]>([]);
  const [history, setHistory] = useState<string | null>(null);
  const [reveal, setReveal] = useState<string | null>(null);
  const { toasts, show, dismiss } = useToasts();
  const workers = useWorkers();
  const session = useSession();
  const { worker, operation } = session;
  const flow = useActions({ worker, operation, show, onAnswered: () => setSelected([]) });
  const lists = useWorkerLists(worker, operation, mode === "worker");

  const identify = (who: NonNullable<typeof worker>) => {
    session.identify(who);
    setStep("take");
    setSelected([]);
  };
  const leave = () => {
    session.leave();
    setSelected([]);
    setHistory(null);
  };
  // Nobody is signed out in the middle of a question or an action.
  useIdle(session.idleMinutes * 60, worker !== null && flow.confirmation === null && flow.busy === null, leave);

  useScanner((code) => {
    const badge = workers.data?.find((candidate) => candidate.activo && [String(candidate.id), `W${candidate.id}`].includes(code.toUpperCase()));
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
    const own = lists.mine.find((spool) => spool.tag === code);
    const listed = lists.take.find((spool) => spool.tag === code);
    const add = (where: Step) => {
      setStep(where);
      setSelected((current) => (step === where && !current.includes(code) ? [...current, code] : [code]));
    };
    if (own) add("mine");
    else if (listed?.tomable) add("take");
    else if (listed?.ocupado_por) show("error", t("errors.SPOOL_OCCUPIED", { tag: code, holder: listed.ocupado_por }));
    else {
      show("error", t("scanner.spoolUnknown", { code }));
      return;
    }
    setReveal(code);
  });

  return (
    <div className="app">
      <ConnectionBanner />
      <header className="bar">
        <h1>{t("app.title")}</h1>
        <Segmented
          options={viewOnly ? BOARD_ONLY : MODES}
          value={mode}
          onChange={setMode}
          label={(candidate) => t(`modes.${candidate}`)}
          testId={(candidate) => `mode-${candidate}`}
          ariaLabel={t("app.title")}
        />
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
        <Segmented
          options={LANGUAGES}
          value={i18n.language as (typeof LANGUAGES)[number]}
          onChange={(language) => void i18n.changeLanguage(language)}
          label={(language) => language.toUpperCase()}
          testId={(language) => `language-${language}`}
          ariaLabel={t("language.label")}
        />
      </header>

      <main className="content">
        {mode === "board" && (
          <BoardScreen
            admin={worker?.supervisor && !viewOnly ? worker : null}
            viewOnly={viewOnly}
            onHistory={setHistory}
            onRelease={flow.actions.liberar}
            reveal={reveal}
            idleMinutes={session.idleMinutes}
            onIdleMinutes={session.setIdleMinutes}
            onNotice={show}
          />
        )}

        {mode === "worker" && !worker && (
          <>
            {workers.failureReason && !workers.data && <p className="field-error">{describeError(workers.failureReason, t)}</p>}
            <IdentifyScreen workers={workers.data ?? []} onIdentify={identify} />
          </>
        )}

        {mode === "worker" && worker && (
          <WorkerScreen
            worker={worker}
            operation={operation}
            onOperation={session.setOperation}
            step={step}
            onStep={setStep}
            lists={lists}
            selected={selected}
            onSelect={setSelected}
            canAct={canAct}
            actions={flow.actions}
            onHistory={setHistory}
            reveal={reveal}
          />
        )}
      </main>

      {history && <HistoryDrawer tag={history} onClose={() => setHistory(null)} />}
      {flow.confirmation && <ConfirmDialog confirmation={flow.confirmation} onClose={flow.closeConfirmation} />}
      {flow.busy !== null && <Progress count={flow.busy} />}
      {flow.result && <BatchResult outcome={flow.result} onClose={flow.closeResult} />}
      <Toasts toasts={toasts} onDismiss={dismiss} />
    </div>
  );
}
