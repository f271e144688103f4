// The search field every list has: filtering happens on the list already on screen, keystroke by keystroke.
type Props = { testId: string; placeholder: string; value: string; onChange: (text: string) => void };

export function SearchInput({ testId, placeholder, value, onChange }: Props) {
  return (
    <input
      className="search"
      data-testid={testId}
      placeholder={placeholder}
      aria-label={placeholder}
      value={value}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}
