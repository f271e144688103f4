import { useTranslation } from "react-i18next";

/** Shown while an action is being recorded: the screen waits, nothing can be tapped twice. */
export function Progress({ count }: { count: number }) {
  const { t } = useTranslation();
  return (
    <div className="backdrop" data-testid="progress">
      <div className="dialog progress" role="progressbar" aria-busy="true" aria-label={t("progress.working", { count })}>
        <div className="spinner" />
        <p>{t("progress.working", { count })}</p>
      </div>
    </div>
  );
}
