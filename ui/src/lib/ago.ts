// How long ago, the way the board says it: "hace 12 min", "hace 3 h 12 min".
import type { TFunction } from "i18next";

export function agoText(t: TFunction, minutes: number): string {
  return minutes < 60
    ? t("spools.agoMinutes", { minutes })
    : t("spools.agoHours", { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}
