// The only way the interface talks to Rust: the generated bindings, with errors turned into IpcError so
// screens can branch on the stable code, and every answer reported to the connection state.
import { commands, events } from "../bindings";
import type {
  ActionOutcome,
  BatchEntry_Serialize as BatchEntry,
  BatchOutcome_Serialize as BatchOutcome,
  DoctorReport,
  ErrorCode,
  ErrorPayload_Serialize as ErrorPayload,
  ListFilter_Deserialize as ListFilter,
  Operation,
  SpoolView_Serialize as SpoolView,
  WorkerView as Worker,
  WorkSession_Serialize as WorkSession,
} from "../bindings";
import { connection } from "./connection";

export type {
  ActionOutcome,
  BatchEntry,
  BatchOutcome,
  DoctorReport,
  ErrorCode,
  ErrorPayload,
  ListFilter,
  Operation,
  SpoolView,
  Worker,
  WorkSession,
};

export class IpcError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorPayload["details"];

  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.code = payload.code;
    this.details = payload.details;
  }
}

type Answer<T> = { status: "ok"; data: T } | { status: "error"; error: ErrorPayload };

async function unwrap<T>(answer: Promise<Answer<T>>, fresh = false): Promise<T> {
  let result: Answer<T>;
  try {
    result = await answer;
  } catch (error) {
    connection.failed(null);
    throw error;
  }
  if (result.status === "error") {
    connection.failed(result.error.code);
    throw new IpcError(result.error);
  }
  connection.answered(fresh);
  return result.data;
}

export const api = {
  status: (tag: string) => unwrap(commands.status(tag)),
  list: (filter: ListFilter) => unwrap(commands.listSpools(filter), true),
  history: (tag: string) => unwrap(commands.history(tag)),
  workers: () => unwrap(commands.workers(), true),
  doctor: () => unwrap(commands.doctor()),
  tomar: (tags: string[], workerId: number, operation: Operation) => unwrap(commands.tomarBatch(tags, workerId, operation)),
  pausar: (tags: string[], workerId: number) => unwrap(commands.pausarBatch(tags, workerId)),
  completar: (tags: string[], workerId: number, fecha: string | null) =>
    unwrap(commands.completarBatch(tags, workerId, fecha)),
  cancelar: (tag: string, workerId: number) => unwrap(commands.cancelar(tag, workerId)),
  /** CANCELAR has no batch command (each puts its row back from its own TOMAR): one call per spool, summed up
   * like a batch. */
  cancelarEach: async (tags: string[], workerId: number): Promise<BatchOutcome> => {
    const details: BatchEntry[] = [];
    for (const tag of tags) {
      try {
        await api.cancelar(tag, workerId);
        details.push({ tag, success: true, code: null, message: null, holder: null });
      } catch (error) {
        if (!(error instanceof IpcError)) throw error;
        details.push({ tag, success: false, code: error.code, message: error.message, holder: error.details.holder ?? null });
      }
    }
    const succeeded = details.filter((entry) => entry.success).length;
    return { total: tags.length, succeeded, failed: tags.length - succeeded, details };
  },
  liberar: (tag: string, adminId: number, motivo: string) => unwrap(commands.liberar(tag, adminId, motivo)),
  onSpoolChanged: (handler: (tags: string[]) => void) => events.spoolChanged.listen((event) => handler(event.payload.tags)),
  /** Follows the station's pushed connection state (its last one first); answers how to stop. */
  followConnection: (): (() => void) => {
    let stopped = false;
    const listening = events.connectionChanged.listen((event) => connection.pushed(event.payload));
    void commands.connection().then((answer) => {
      if (!stopped && answer.status === "ok" && answer.data.checked) connection.pushed(answer.data);
    });
    return () => {
      stopped = true;
      void listening.then((stop) => stop());
    };
  },
};

/** The largest batch the service accepts. */
export const MAX_BATCH = 50;
