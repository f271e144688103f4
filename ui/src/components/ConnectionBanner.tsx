// Always on screen: online, or offline since when; and how old the data shown is.
import { useTranslation } from "react-i18next";
import { clockTime, useConnection } from "../lib/connection";

export function ConnectionBanner() {
  const { t } = useTranslation();
  const { checked, online, offlineSince, dataAsOf } = useConnection();
  const state = !checked
    ? t("connection.checking")
    : online
      ? t("connection.online")
      : t("connection.offlineSince", { time: clockTime(offlineSince ?? new Date()) });
  const age = dataAsOf ? t("connection.dataAsOf", { time: clockTime(dataAsOf) }) : t("connection.noData");
  return (
    <div className={online ? "connection online" : "connection offline"} data-testid="connection" role="status">
      <span data-testid="connection-state">{state}</span>
      <span data-testid="connection-data">{age}</span>
    </div>
  );
}
