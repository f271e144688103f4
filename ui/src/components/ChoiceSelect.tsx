// A labelled drop-down of a few numeric choices: the board's settings of this PC.
type Props = {
  label: string;
  testId: string;
  choices: readonly number[];
  value: number;
  onChange: (value: number) => void;
  text: (choice: number) => string;
};

export function ChoiceSelect({ label, testId, choices, value, onChange, text }: Props) {
  return (
    <label className="field">
      {label}
      <select data-testid={testId} value={value} onChange={(event) => onChange(Number(event.target.value))}>
        {choices.map((choice) => (
          <option key={choice} value={choice}>
            {text(choice)}
          </option>
        ))}
      </select>
    </label>
  );
}
