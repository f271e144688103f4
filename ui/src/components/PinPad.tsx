// A supervisor's PIN on a large touch keypad (a keyboard's digits work too): the digits show as dots, never as
// numbers, and leave the pad only when OK is tapped.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { PIN_MAX_DIGITS, PIN_MIN_DIGITS } from "../lib/ipc";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

type Props = {
  prompt: string;
  onSubmit: (pin: string) => void;
  onCancel: () => void;
};

export function PinPad({ prompt, onSubmit, onCancel }: Props) {
  const { t } = useTranslation();
  const [pin, setPin] = useState("");
  const press = (digit: string) => setPin((typed) => (typed.length < PIN_MAX_DIGITS ? typed + digit : typed));
  const erase = () => setPin((typed) => typed.slice(0, -1));
  const complete = pin.length >= PIN_MIN_DIGITS;
  const submit = () => {
    if (!complete) return;
    const typed = pin;
    setPin("");
    onSubmit(typed);
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (/^[0-9]$/.test(event.key)) press(event.key);
      else if (event.key === "Backspace") erase();
      else if (event.key === "Enter") submit();
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  return (
    <div className="pin-pad" data-testid="pin-pad">
      <p className="pin-prompt">{prompt}</p>
      <p className="pin-dots" data-testid="pin-dots" aria-label={t("pin.typed", { count: pin.length })}>
        {"●".repeat(pin.length) || "\u00a0"}
      </p>
      <div className="pin-keys">
        {KEYS.map((digit) => (
          <button key={digit} className="pin-key" data-testid={`pin-key-${digit}`} onClick={() => press(digit)}>
            {digit}
          </button>
        ))}
        <button className="pin-key" data-testid="pin-erase" aria-label={t("pin.erase")} onClick={erase}>
          ⌫
        </button>
        <button className="pin-key" data-testid="pin-key-0" onClick={() => press("0")}>
          0
        </button>
        <button className="pin-key primary" data-testid="pin-ok" disabled={!complete} onClick={submit}>
          {t("pin.ok")}
        </button>
      </div>
      <button className="big" data-testid="pin-cancel" onClick={onCancel}>
        {t("actions.no")}
      </button>
    </div>
  );
}
