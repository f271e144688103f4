// The worker's and the supervisor's actions: each one asks first (twice for PAUSAR, CANCELAR and force-release),
// shows progress while the station works, then a notice (one spool) or a summary (a batch with failures).
// Nothing is reloaded here: the action's own `spool-changed` event brings every list on screen up to date.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Confirmation } from "../components/ConfirmDialog";
import { describeError } from "../lib/errors";
import { api, type ActionOutcome, type BatchEntry, type BatchOutcome, type Operation, type SpoolView, type Worker } from "../lib/ipc";

type Kind = "tomar" | "pausar" | "completar" | "cancelar" | "liberar";

type Options = {
  worker: Worker | null;
  operation: Operation | null;
  show: (kind: "ok" | "error", text: string) => void;
  /** An action was answered (whatever it did to each spool): the selection it acted on is spent. A call that
   * failed as a whole keeps it, to try again. */
  onAnswered: () => void;
};

export function useActions({ worker, operation, show, onAnswered }: Options) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [result, setResult] = useState<BatchOutcome | null>(null);

  const entryText = (entry: BatchEntry) =>
    t(`errors.${entry.code ?? "unknown"}`, { tag: entry.tag, holder: entry.holder, message: entry.message });

  const perform = async (kind: Kind, tags: string[], call: () => Promise<BatchOutcome | ActionOutcome>) => {
    setBusy(tags.length);
    try {
      const outcome = await call();
      const batch: BatchOutcome =
        "total" in outcome
          ? outcome
          : { total: 1, succeeded: 1, failed: 0, details: [{ tag: outcome.tag, success: true, code: null, message: null, holder: null }] };
      if (batch.failed === 0) {
        show("ok", tags.length === 1 ? t(`result.${kind}`, { tag: tags[0], operation }) : t("result.done", { count: batch.succeeded }));
      } else if (batch.total === 1) {
        show("error", entryText(batch.details[0]));
      } else {
        setResult(batch);
      }
      onAnswered();
    } catch (error) {
      show("error", describeError(error, t));
      // A refused call announces nothing; one whose outcome is unknown may have changed the rows after all.
      void queries.invalidateQueries();
    } finally {
      setBusy(null);
    }
  };

  const ask = (question: Confirmation) => setConfirmation(question);

  const tomar = (tags: string[]) => {
    if (!worker || !operation) return;
    ask({
      question: t("confirm.tomar", { count: tags.length, operation }),
      onConfirm: () => perform("tomar", tags, () => api.tomar(tags, worker.id, operation)),
    });
  };
  const pausar = (tags: string[]) => {
    if (!worker) return;
    ask({
      question: t("confirm.pausar", { count: tags.length }),
      again: t("confirm.pausarAgain", { tags: tags.join(", ") }),
      onConfirm: () => perform("pausar", tags, () => api.pausar(tags, worker.id)),
    });
  };
  const completar = (tags: string[]) => {
    if (!worker) return;
    ask({
      question: t("confirm.completar", { count: tags.length }),
      onConfirm: () => perform("completar", tags, () => api.completar(tags, worker.id, null)),
    });
  };
  const cancelar = (tags: string[]) => {
    if (!worker) return;
    ask({
      question: t("confirm.cancelar", { tag: tags.join(", ") }),
      again: t("confirm.cancelarAgain", { tag: tags.join(", ") }),
      onConfirm: () => perform("cancelar", tags, () => api.cancelar(tags, worker.id)),
    });
  };
  const liberar = (spool: SpoolView) => {
    if (!worker?.supervisor) return;
    ask({
      question: t("confirm.liberar", { tag: spool.tag, holder: spool.ocupado_por ?? "?" }),
      again: t("confirm.liberarAgain", { tag: spool.tag }),
      needsReason: true,
      pinOf: worker.iniciales,
      onConfirm: (reason, pin) => perform("liberar", [spool.tag], () => api.liberar(spool.tag, worker.id, reason, pin)),
    });
  };

  return {
    actions: { tomar, pausar, completar, cancelar, liberar },
    confirmation,
    closeConfirmation: () => setConfirmation(null),
    busy,
    result,
    closeResult: () => setResult(null),
  };
}
