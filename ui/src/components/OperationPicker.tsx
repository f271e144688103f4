import { useTranslation } from "react-i18next";
import type { Operation } from "../lib/ipc";

export function OperationPicker({ operations, onPick }: { operations: Operation[]; onPick: (operation: Operation) => void }) {
  const { t } = useTranslation();
  if (operations.length === 0) return <p className="hint" data-testid="no-operation">{t("operation.none")}</p>;
  return (
    <section className="operation-picker" data-testid="operation-picker">
      <h2>{t("operation.title")}</h2>
      <div className="operation-buttons">
        {operations.map((operation) => (
          <button key={operation} className="huge primary" data-testid={`pick-${operation}`} onClick={() => onPick(operation)}>
            {t(`operation.${operation}`)}
          </button>
        ))}
      </div>
    </section>
  );
}
