// A worker's screen once identified: "Tomar spools" (pick the operation when there are two, tick spools,
// TOMAR) and "Mis spools" (PAUSAR, COMPLETAR, CANCELAR).
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { OperationPicker } from "../components/OperationPicker";
import { Segmented } from "../components/Segmented";
import { SelectableSpools } from "../components/SelectableSpools";
import type { useActions } from "../hooks/useActions";
import type { Operation, SpoolView, Worker } from "../lib/ipc";

export type Step = "take" | "mine";
const STEPS: readonly Step[] = ["take", "mine"];

type Props = {
  worker: Worker;
  operation: Operation | null;
  onOperation: (operation: Operation | null) => void;
  step: Step;
  onStep: (step: Step) => void;
  lists: { take: SpoolView[]; mine: SpoolView[] };
  selected: string[];
  onSelect: (tags: string[]) => void;
  canAct: boolean;
  actions: ReturnType<typeof useActions>["actions"];
  onHistory: (tag: string) => void;
  reveal: string | null;
};

export function WorkerScreen({ worker, operation, onOperation, step, onStep, lists, selected, onSelect, canAct, actions, onHistory, reveal }: Props) {
  const { t } = useTranslation();
  const mineTags = useMemo(() => new Set(lists.mine.map((spool) => spool.tag)), [lists.mine]);
  const operations = worker.operaciones;
  const idle = selected.length === 0 || !canAct;

  return (
    <>
      <nav className="steps" aria-label={t("modes.worker")}>
        <Segmented
          className="steps-choice"
          buttonClassName="big"
          options={STEPS}
          value={step}
          onChange={(next) => {
            onStep(next);
            onSelect([]);
          }}
          label={(candidate) => (candidate === "mine" ? `${t("steps.mine")} (${lists.mine.length})` : t("steps.take"))}
          testId={(candidate) => `step-${candidate}`}
          ariaLabel={t("modes.worker")}
        />
        {step === "take" && operation && operations.length > 1 && (
          <button className="secondary" data-testid="change-operation" onClick={() => onOperation(null)}>
            {t("operation.change")} ({operation})
          </button>
        )}
      </nav>

      {step === "take" && !operation && <OperationPicker operations={operations} onPick={onOperation} />}

      {step === "take" && operation && (
        <SelectableSpools spools={lists.take} selected={selected} onSelect={onSelect} selectable={(spool) => spool.tomable} onHistory={onHistory} reveal={reveal}>
          <button className="huge primary" data-testid="action-tomar" disabled={idle} onClick={() => actions.tomar(selected)}>
            {t("actions.tomar", { operation })}
          </button>
        </SelectableSpools>
      )}

      {step === "mine" && (
        <SelectableSpools
          spools={lists.mine}
          selected={selected}
          onSelect={onSelect}
          selectable={(spool) => mineTags.has(spool.tag)}
          onHistory={onHistory}
          reveal={reveal}
        >
          <button className="huge" data-testid="action-pausar" disabled={idle} onClick={() => actions.pausar(selected)}>
            {t("actions.pausar")}
          </button>
          <button className="huge primary" data-testid="action-completar" disabled={idle} onClick={() => actions.completar(selected)}>
            {t("actions.completar")}
          </button>
          <button className="huge danger" data-testid="action-cancelar" disabled={idle} onClick={() => actions.cancelar(selected)}>
            {t("actions.cancelar")}
          </button>
        </SelectableSpools>
      )}
    </>
  );
}
