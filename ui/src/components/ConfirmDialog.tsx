// A modal question. Tapping outside never closes it; PAUSAR, CANCELAR and force-release ask a second time
// (`again`); force-release also needs a reason before it can go on, and the supervisor's PIN last.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { PinPad } from "./PinPad";

export type Confirmation = {
  question: string;
  /** The second question, for actions that need two confirmations. */
  again?: string;
  needsReason?: boolean;
  /** Whose PIN proves the action, asked after the confirmations. */
  pinOf?: string;
  onConfirm: (reason: string, pin: string) => void;
};

export function ConfirmDialog({ confirmation, onClose }: { confirmation: Confirmation; onClose: () => void }) {
  const { t } = useTranslation();
  const [second, setSecond] = useState(false);
  const [askingPin, setAskingPin] = useState(false);
  const [reason, setReason] = useState("");
  const [missingReason, setMissingReason] = useState(false);
  const first = useRef<HTMLButtonElement>(null);

  useEffect(() => first.current?.focus(), [second]);

  const accept = () => {
    if (confirmation.needsReason && !reason.trim()) {
      setMissingReason(true);
      return;
    }
    if (confirmation.again && !second) {
      setSecond(true);
      return;
    }
    if (confirmation.pinOf !== undefined) {
      setAskingPin(true);
      return;
    }
    onClose();
    confirmation.onConfirm(reason.trim(), "");
  };

  if (askingPin) {
    return (
      <div className="backdrop" data-testid="dialog-backdrop">
        <div className="dialog" role="dialog" aria-modal="true" data-testid="confirm-dialog">
          <PinPad
            prompt={t("pin.prompt", { name: confirmation.pinOf })}
            onCancel={onClose}
            onSubmit={(pin) => {
              onClose();
              confirmation.onConfirm(reason.trim(), pin);
            }}
          />
        </div>
      </div>
    );
  }

  return (
    <div className="backdrop" data-testid="dialog-backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="dialog-question"
        data-testid="confirm-dialog"
        onKeyDown={(event) => event.key === "Escape" && onClose()}
      >
        <p id="dialog-question" data-testid="dialog-question">
          {second ? confirmation.again : confirmation.question}
        </p>
        {confirmation.needsReason && !second && (
          <label className="field wide">
            {t("confirm.reason")}
            <textarea data-testid="dialog-reason" value={reason} onChange={(event) => setReason(event.target.value)} />
          </label>
        )}
        {missingReason && !reason.trim() && (
          <p className="field-error" role="alert">
            {t("confirm.reasonMissing")}
          </p>
        )}
        <div className="dialog-actions">
          <button ref={first} className="big" data-testid="dialog-cancel" onClick={onClose}>
            {t("actions.no")}
          </button>
          <button className="big primary" data-testid="dialog-confirm" onClick={accept}>
            {t("actions.yes")}
          </button>
        </div>
      </div>
    </div>
  );
}
