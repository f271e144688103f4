// One row of big toggle buttons, one of them pressed: modes, languages, the board's operation filter, steps.
import type { ReactNode } from "react";

type Props<T> = {
  options: readonly T[];
  value: T;
  onChange: (value: T) => void;
  label: (option: T) => ReactNode;
  /** Each button's test id, from its option. */
  testId: (option: T) => string;
  ariaLabel: string;
  className?: string;
  buttonClassName?: string;
};

export function Segmented<T>({ options, value, onChange, label, testId, ariaLabel, className = "segmented", buttonClassName = "" }: Props<T>) {
  return (
    <div className={className} role="group" aria-label={ariaLabel}>
      {options.map((option) => (
        <button
          key={testId(option)}
          data-testid={testId(option)}
          aria-pressed={value === option}
          className={[buttonClassName, value === option ? "active" : ""].filter(Boolean).join(" ")}
          onClick={() => onChange(option)}
        >
          {label(option)}
        </button>
      ))}
    </div>
  );
}
