// A second confirmation for actions that give a spool away. Only its buttons close it: a tap outside does not.
export type Confirmation = { question: string; onConfirm: () => void };

export function ConfirmDialog({ confirmation, onDone }: { confirmation: Confirmation; onDone: () => void }) {
  return (
    <div className="overlay" data-testid="confirm-dialog" role="dialog" aria-modal="true">
      <div className="dialog">
        <p>{confirmation.question}</p>
        <div className="dialog-buttons">
          <button data-testid="confirm-no" onClick={onDone}>
            No
          </button>
          <button
            className="primary"
            data-testid="confirm-yes"
            onClick={() => {
              onDone();
              confirmation.onConfirm();
            }}
          >
            Sí, confirmar
          </button>
        </div>
      </div>
    </div>
  );
}
