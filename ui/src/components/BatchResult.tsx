// What a batch did: how many went through, and the failures grouped by cause ("3 ocupados por otros").
import { useTranslation } from "react-i18next";
import type { BatchOutcome } from "../lib/ipc";

/** Failed entries grouped by cause, biggest group first; `named` says which codes have a phrase of their own. */
function groupFailures(outcome: BatchOutcome, named: (code: string) => boolean): { cause: string; tags: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const entry of outcome.details.filter((entry) => !entry.success)) {
    const cause = entry.code && named(entry.code) ? entry.code : "other";
    groups.set(cause, [...(groups.get(cause) ?? []), entry.tag]);
  }
  return [...groups.entries()].map(([cause, tags]) => ({ cause, tags })).sort((a, b) => b.tags.length - a.tags.length);
}

export function BatchResult({ outcome, onClose }: { outcome: BatchOutcome; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const named = (code: string) => i18n.exists(`causes.${code}_other`);
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
          {groupFailures(outcome, named).map(({ cause, tags }) => (
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
