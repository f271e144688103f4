// This PC's settings (the idle sign-out), open only to a supervisor proven by their PIN, and only until the
// board is left. Open, they also set a supervisor's PIN (their own, or another's); a shop with no PIN yet sets
// its first one from here. They reopen the station's setup (spreadsheet, key, Redis). At a kiosk, they are the
// only way to close the window.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { IDLE_CHOICES } from "../hooks/useSession";
import { describeError } from "../lib/errors";
import { api, IpcError, type Worker } from "../lib/ipc";
import { useScreenMode, useWorkers } from "../lib/queries";
import { ChoiceSelect } from "./ChoiceSelect";
import { PinPad } from "./PinPad";

type Props = {
  idleMinutes: number;
  onIdleMinutes: (minutes: number) => void;
  onNotice: (kind: "ok" | "error", text: string) => void;
};

export function StationSettings({ idleMinutes, onIdleMinutes, onNotice }: Props) {
  const { t } = useTranslation();
  const [openedBy, setOpenedBy] = useState<{ supervisor: Worker; pin: string } | null>(null);
  const [dialog, setDialog] = useState<"unlock" | "set-pin" | null>(null);
  const kiosk = useScreenMode().data?.kiosk ?? false;
  const client = useQueryClient();
  return (
    <div className="settings-bar" data-testid="station-settings">
      {openedBy ? (
        <>
          <ChoiceSelect
            label={t("session.idle")}
            testId="idle-minutes"
            choices={IDLE_CHOICES}
            value={idleMinutes}
            onChange={onIdleMinutes}
            text={(minutes) => t("session.minutes", { count: minutes })}
          />
          <button className="big" data-testid="set-pin" onClick={() => setDialog("set-pin")}>
            {t("pin.set")}
          </button>
          {kiosk && (
            <button
              className="big"
              data-testid="kiosk-close"
              onClick={() =>
                api.closeKiosk(openedBy.supervisor.id, openedBy.pin).catch((error: unknown) => {
                  onNotice("error", error instanceof IpcError ? describeError(error, t) : String(error));
                })
              }
            >
              {t("settings.closeKiosk")}
            </button>
          )}
          <button
            className="big"
            data-testid="reconfigure"
            onClick={() =>
              api
                .reopenSetup(openedBy.supervisor.id, openedBy.pin)
                .then(() => client.invalidateQueries({ queryKey: ["setup"] }))
                .catch((error: unknown) => onNotice("error", error instanceof IpcError ? describeError(error, t) : String(error)))
            }
          >
            {t("settings.reconfigure")}
          </button>
          <button className="big" data-testid="settings-lock" onClick={() => setOpenedBy(null)}>
            {t("settings.lock", { name: openedBy.supervisor.iniciales })}
          </button>
        </>
      ) : (
        <button className="big" data-testid="settings-unlock" onClick={() => setDialog("unlock")}>
          {t("settings.unlock")}
        </button>
      )}
      {dialog === "unlock" && (
        <SupervisorDialog
          title={t("settings.unlockTitle")}
          onClose={() => setDialog(null)}
          steps={(supervisor) => [t("pin.prompt", { name: supervisor.iniciales })]}
          run={async (supervisor, [pin]) => {
            await api.verifySupervisor(supervisor.id, pin);
            setOpenedBy({ supervisor, pin });
          }}
        />
      )}
      {dialog === "set-pin" && openedBy && (
        <SupervisorDialog
          title={t("pin.setTitle")}
          onClose={() => setDialog(null)}
          steps={() => [t("pin.new"), t("pin.repeat")]}
          run={async (target, [pin, again]) => {
            if (pin !== again) throw new Error(t("pin.mismatch"));
            await api.setPin(target.id, pin, openedBy.supervisor.id, openedBy.pin);
            onNotice("ok", t("pin.saved", { name: target.iniciales }));
          }}
        />
      )}
    </div>
  );
}

type DialogProps = {
  title: string;
  /** The prompt of each PIN asked of the supervisor picked. */
  steps: (supervisor: Worker) => string[];
  /** What the PINs are for; a throw shows its error and asks the PINs again. */
  run: (supervisor: Worker, pins: string[]) => Promise<void>;
  onClose: () => void;
};

/** Picks a supervisor, asks their PINs on the keypad, then runs; a shop with no PIN yet may set its first. */
function SupervisorDialog({ title, steps, run, onClose }: DialogProps) {
  const { t } = useTranslation();
  const workers = useWorkers();
  const [supervisor, setSupervisor] = useState<Worker | null>(null);
  const [pins, setPins] = useState<string[]>([]);
  const [error, setError] = useState<IpcError | Error | null>(null);
  const [firstPin, setFirstPin] = useState(false);
  const supervisors = (workers.data ?? []).filter((worker) => worker.supervisor && worker.activo);
  const prompts = supervisor ? (firstPin ? [t("pin.new"), t("pin.repeat")] : steps(supervisor)) : [];

  const typed = async (pin: string) => {
    const all = [...pins, pin];
    if (all.length < prompts.length) return setPins(all);
    setPins([]);
    try {
      if (firstPin && supervisor) {
        if (all[0] !== all[1]) throw new Error(t("pin.mismatch"));
        await api.setPin(supervisor.id, all[0], null, null);
        setFirstPin(false);
        setError(null);
        return;
      }
      await run(supervisor!, all);
      onClose();
    } catch (failure) {
      setError(failure instanceof Error ? failure : new Error(String(failure)));
    }
  };

  return (
    <div className="backdrop" data-testid="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-label={title} data-testid="supervisor-dialog">
        <p>
          <strong>{title}</strong>
        </p>
        {!supervisor ? (
          <>
            <p className="hint">{t("settings.who")}</p>
            <div className="worker-grid">
              {supervisors.map((worker) => (
                <button key={worker.id} className="big" data-testid={`supervisor-${worker.id}`} onClick={() => setSupervisor(worker)}>
                  {worker.nombre} {worker.apellido} · {worker.iniciales}
                </button>
              ))}
            </div>
            <button className="big" data-testid="dialog-cancel" onClick={onClose}>
              {t("actions.no")}
            </button>
          </>
        ) : (
          <>
            {error && (
              <p className="error-text" role="alert" data-testid="pin-error">
                {error instanceof IpcError ? describeError(error, t) : error.message}
              </p>
            )}
            {error instanceof IpcError && error.code === "PIN_NOT_SET" && !firstPin && (
              <button className="big" data-testid="first-pin" onClick={() => setFirstPin(true)}>
                {t("pin.first")}
              </button>
            )}
            <PinPad key={`${firstPin}-${pins.length}`} prompt={prompts[pins.length]} onSubmit={typed} onCancel={onClose} />
          </>
        )}
      </div>
    </div>
  );
}
