// The only way the interface talks to Rust: the generated bindings, with errors turned into IpcError so
// screens can branch on the stable code, and every answer that brought data dating the data on screen.
import { commands, events } from "../bindings";
import type {
  ActionOutcome,
  ActivityEntry_Serialize as ActivityEntry,
  BatchEntry_Serialize as BatchEntry,
  BatchOutcome_Serialize as BatchOutcome,
  CrewMember_Serialize as CrewMember,
  DoctorReport,
  ErrorCode,
  ErrorPayload_Serialize as ErrorPayload,
  ListFilter_Deserialize as ListFilter,
  NvProgress_Serialize as NvProgress,
  Operation,
  SetupForm_Deserialize as SetupForm,
  SetupReport_Serialize as SetupReport,
  SpoolView_Serialize as SpoolView,
  WorkerView as Worker,
  WorkSession_Serialize as WorkSession,
} from "../bindings";
import { connection, type StationConnection } from "./connection";

export type {
  ActionOutcome,
  ActivityEntry,
  BatchEntry,
  BatchOutcome,
  CrewMember,
  DoctorReport,
  ErrorCode,
  ErrorPayload,
  ListFilter,
  NvProgress,
  Operation,
  SetupForm,
  SetupReport,
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
  const result = await answer;
  if (result.status === "error") {
    throw new IpcError(result.error);
  }
  connection.answered(fresh);
  return result.data;
}

export const api = {
  setupNeeded: () => unwrap(commands.setupNeeded()),
  checkSetup: (form: SetupForm) => unwrap(commands.checkSetup(form)),
  connectStation: (form: SetupForm) => unwrap(commands.connectStation(form)),
  openDemo: (station: string) => unwrap(commands.openDemo(station)),
  currentSetup: () => unwrap(commands.currentSetup()),
  reopenSetup: (adminId: number, pin: string) => unwrap(commands.reopenSetup(adminId, pin)),
  cancelSetup: () => unwrap(commands.cancelSetup()),
  list: (filter: ListFilter) => unwrap(commands.listSpools(filter), true),
  history: (tag: string) => unwrap(commands.history(tag)),
  workers: () => unwrap(commands.workers(), true),
  progress: () => unwrap(commands.progress(), true),
  crew: () => unwrap(commands.crew(), true),
  paused: () => unwrap(commands.paused(), true),
  activity: () => unwrap(commands.activity(), true),
  doctor: () => unwrap(commands.doctor()),
  screen: () => unwrap(commands.screen()),
  tomar: (tags: string[], workerId: number, operation: Operation) => unwrap(commands.tomarBatch(tags, workerId, operation)),
  pausar: (tags: string[], workerId: number) => unwrap(commands.pausarBatch(tags, workerId)),
  completar: (tags: string[], workerId: number, fecha: string | null) =>
    unwrap(commands.completarBatch(tags, workerId, fecha)),
  cancelar: (tags: string[], workerId: number) => unwrap(commands.cancelarBatch(tags, workerId)),
  liberar: (tag: string, adminId: number, motivo: string, pin: string) => unwrap(commands.liberar(tag, adminId, motivo, pin)),
  verifySupervisor: (adminId: number, pin: string) => unwrap(commands.verifySupervisor(adminId, pin)),
  closeKiosk: (adminId: number, pin: string) => unwrap(commands.closeKiosk(adminId, pin)),
  setPin: (workerId: number, newPin: string, authorizerId: number | null, authorizerPin: string | null) =>
    unwrap(commands.setPin(workerId, newPin, authorizerId, authorizerPin)),
  exportSessions: (desde: string, hasta: string, operation: Operation | null) =>
    unwrap(commands.exportSessions(desde, hasta, operation, null)),
  onSpoolChanged: (handler: (tags: string[]) => void) => events.spoolChanged.listen((event) => handler(event.payload.tags)),
  onConnectionChanged: (handler: (state: StationConnection) => void) =>
    events.connectionChanged.listen((event) => handler(event.payload)),
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

/** The largest batch the service accepts, as the core says. */
export { MAX_BATCH, PIN_MAX_DIGITS, PIN_MIN_DIGITS } from "../bindings";
