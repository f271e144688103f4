// Always on screen: online, or which service is out of reach since when; and how old the data shown is.
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../lib/ipc";
import { clockTime, useConnection } from "../lib/connection";

export function ConnectionBanner() {
  const { t } = useTranslation();
  const { checked, online, dataAsOf, outages, dataReadAt, sheetsBusy, viewOnly } = useConnection();
  useEffect(() => api.followConnection(), []);
  const state = !checked
    ? t("connection.checking")
    : online
      ? t(sheetsBusy ? "connection.sheetsBusy" : "connection.online")
      : outages
          .map((outage) => t("connection.outage", { service: t(`connection.service.${outage.service}`), time: outage.since }))
          .join(" · ");
  const readAt = dataReadAt ?? (dataAsOf ? clockTime(dataAsOf) : null);
  const age = readAt ? t("connection.dataAsOf", { time: readAt }) : t("connection.noData");
  return (
    <div className={online ? "connection online" : "connection offline"} data-testid="connection" role="status">
      {viewOnly && <span data-testid="connection-view-only">{t("connection.viewOnly")}</span>}
      <span data-testid="connection-state">{state}</span>
      <span data-testid="connection-data">{age}</span>
    </div>
  );
}
