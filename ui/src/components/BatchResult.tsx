// What a batch did: how many went through, and the failures grouped by cause ("3 ocupados por otros").
import { useTranslation } from "react-i18next";
import type { BatchOutcome, ErrorCode } from "../lib/ipc";

const KNOWN_CAUSES: ErrorCode[] = [
  "SPOOL_OCCUPIED",
  "PREREQUISITE_MISSING",
  "ALREADY_COMPLETED",
  "NOT_OWNER",
  "NOT_OCCUPIED",
  "SPOOL_NOT_FOUND",
  "DATA_CORRUPT",
  "LOCK_LOST",
  "ROW_CHANGED",
  "OUTCOME_UNKNOWN",
];

/** Failed entries grouped by cause, biggest group first. */
export function groupFailures(outcome: BatchOutcome): { cause: string; tags: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const entry of outcome.details.filter((entry) => !entry.success)) {
    const cause = entry.code && KNOWN_CAUSES.includes(entry.code) ? entry.code : "other";
    groups.set(cause, [...(groups.get(cause) ?? []), entry.tag]);
  }
  return [...groups.entries()].map(([cause, tags]) => ({ cause, tags })).sort((a, b) => b.tags.length - a.tags.length);
}

export function BatchResult({ outcome, onClose }: { outcome: BatchOutcome; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="result-title" data-testid="batch-result">
        <h2 id="result-title">{t("result.title")}</h2>
        <p className="ok-text" data-testid="batch-succeeded">
          {t("result.done", { count: outcome.succeeded })}
        </p>
        <p className="error-text" data-testid="batch-failed">
          {t("result.failed", { count: outcome.failed })}
        </p>
        <ul className="causes">
          {groupFailures(outcome).map(({ cause, tags }) => (
            <li key={cause} data-testid={`cause-${cause}`}>
              <strong>{t(`causes.${cause}`, { count: tags.length })}</strong>: {tags.join(", ")}
            </li>
          ))}
        </ul>
        <div className="dialog-actions">
          <button className="big primary" data-testid="batch-result-close" onClick={onClose} autoFocus>
            {t("actions.close")}
          </button>
        </div>
      </div>
    </div>
  );
}
