// Errors in the person's language: the stable code picks the sentence, the details fill it in.
import type { TFunction } from "i18next";
import { IpcError } from "./ipc";

export function describeError(error: unknown, t: TFunction): string {
  if (error instanceof IpcError) {
    return t(`errors.${error.code}`, { ...error.details });
  }
  return t("errors.unknown", { message: error instanceof Error ? error.message : String(error) });
}
