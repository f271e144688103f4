// An in-memory Spooltrack behind Tauri's IPC mocks, for component tests (vitest) and for the browser tests of
// the built interface. It keeps the rules the screens depend on (roles, prerequisites, one holder per spool,
// owners only, batches spool by spool, force-release by supervisors) and emits `spool-changed` like the app.
import { emit } from "@tauri-apps/api/event";
import type {
  BatchOutcome_Serialize as BatchOutcome,
  ErrorCode,
  ErrorPayload_Serialize as ErrorPayload,
  ListFilter_Deserialize as ListFilter,
  Operation,
  Role,
  SpoolView_Serialize as SpoolView,
  WorkerView,
  WorkSession_Serialize as WorkSession,
} from "../bindings";

type Holder = { id: number; name: string; operation: Operation; since: string; station: string };

type FakeSpool = {
  tag: string;
  nv: string;
  ot: string;
  materiales: boolean;
  armador: string | null;
  armDone: string | null;
  soldador: string | null;
  soldDone: string | null;
  holder: Holder | null;
  paused: Operation | null;
  previous: string | null;
  /** The row before the current holder took it, for CANCELAR. */
  before: Omit<FakeSpool, "before"> | null;
};

type Session = WorkSession & { tag: string };

const PEOPLE: [number, string, string, boolean, Role[]][] = [
  [93, "Mauricio", "Rodriguez", true, ["Armador"]],
  [94, "Nicolás", "Rodríguez", true, ["Armador", "Soldador"]],
  [101, "Carlos", "Pérez", true, ["Soldador"]],
  [104, "Pedro", "Soto", true, ["Ayudante"]],
  [105, "Andrea", "Fuentes", true, ["Metrologia"]],
  [108, "Sebastián", "Díaz", false, ["Armador"]],
  [109, "Camila", "Rojas", true, ["Supervisor"]],
];

function initials(nombre: string, apellido: string, id: number): string {
  return `${nombre[0]}${apellido[0]}(${id})`.toUpperCase();
}

function worker([id, nombre, apellido, activo, roles]: (typeof PEOPLE)[number]): WorkerView {
  const operaciones: Operation[] = [];
  if (roles.some((role) => role === "Armador" || role === "Ayudante")) operaciones.push("ARM");
  if (roles.some((role) => role === "Soldador" || role === "Ayudante")) operaciones.push("SOLD");
  return { id, nombre, apellido, iniciales: initials(nombre, apellido, id), activo, roles, operaciones, supervisor: roles.includes("Supervisor") };
}

export function tagOf(index: number): string {
  return `S-${String(index + 1).padStart(4, "0")}`;
}

/** The fake shop: every tenth spool lacks materials, one in ten is in ARM, one paused, one waiting for SOLD… */
function spoolAt(index: number): FakeSpool {
  const spool: FakeSpool = {
    tag: tagOf(index),
    nv: `NV-${1300 + Math.floor(index / 50)}`,
    ot: `OT-${5000 + Math.floor(index / 10)}`,
    materiales: index % 10 !== 0,
    armador: null,
    armDone: null,
    soldador: null,
    soldDone: null,
    holder: null,
    paused: null,
    previous: null,
    before: null,
  };
  switch (index % 10) {
    case 1:
      spool.armador = "NR(94)";
      spool.holder = { id: 94, name: "NR(94)", operation: "ARM", since: "07-03-2025 07:40:00", station: "armado-2" };
      break;
    case 2:
      spool.armador = "NR(94)";
      spool.paused = "ARM";
      spool.previous = "NR(94)";
      break;
    case 3:
      spool.armador = "MR(93)";
      spool.armDone = "05-03-2025";
      break;
    case 4:
      spool.armador = "MR(93)";
      spool.armDone = "04-03-2025";
      spool.soldador = "CP(101)";
      spool.holder = { id: 101, name: "CP(101)", operation: "SOLD", since: "07-03-2025 06:55:00", station: "soldadura-1" };
      break;
  }
  return spool;
}

function failure(code: ErrorCode, message: string, details: ErrorPayload["details"] = {}): ErrorPayload {
  return { code, message, details };
}

export class FakeBackend {
  readonly workers: WorkerView[] = PEOPLE.map(worker);
  readonly spools: FakeSpool[];
  readonly sessions: Session[] = [];
  /** Every command invoked, for tests that check what the screen asked for. */
  readonly calls: string[] = [];
  offline = false;
  /** As a station answers once it has looked at its services: everything reached. */
  connection: {
    checked: boolean;
    outages: { service: string; since: string }[];
    data_read_at: string | null;
    sheets_busy: boolean;
    view_only: boolean;
  } = { checked: true, outages: [], data_read_at: null, sheets_busy: false, view_only: false };
  private clock = 0;

  constructor(count = 40) {
    this.spools = Array.from({ length: count }, (_, index) => spoolAt(index));
  }

  /** Another station takes these spools without this screen hearing about it (a race). */
  takeElsewhere(tags: string[]) {
    for (const tag of tags) {
      const spool = this.find(tag);
      if (spool) spool.holder = { id: 101, name: "CP(101)", operation: "ARM", since: this.now(), station: "otra" };
    }
  }

  /** Another station acts and announces it, as Redis would carry it. */
  async announceElsewhere(tags: string[]) {
    this.takeElsewhere(tags);
    await emit("spool-changed", { tags, action: "TOMAR", worker: "CP(101)", station: "otra" });
  }

  /** The station's own view of its services, pushed as the app pushes it. */
  async pushConnection(
    outages: { service: "redis" | "google_sheets"; since: string }[],
    dataReadAt: string | null,
    { sheetsBusy = false, viewOnly = false } = {},
  ) {
    this.connection = { checked: true, outages, data_read_at: dataReadAt, sheets_busy: sheetsBusy, view_only: viewOnly };
    await emit("connection-changed", this.connection);
  }

  handle = async (command: string, args: Record<string, unknown> = {}): Promise<unknown> => {
    this.calls.push(command);
    if (command === "connection") return this.connection;
    if (this.offline) {
      throw failure("SHEETS_UNAVAILABLE", "El registro de spools no responde.", { reason: "fake offline" });
    }
    switch (command) {
      case "workers":
        return this.workers;
      case "doctor":
        return { ok: true, checks: [{ name: "registro", ok: true, detail: "falso, en memoria" }] };
      case "list_spools":
        return this.list(args.filter as ListFilter);
      case "history":
        this.require(args.tag as string);
        return this.sessions.filter((session) => session.tag === args.tag);
      case "tomar_batch":
        return this.batch(args.tags as string[], (tag) => this.tomar(tag, args.workerId as number, args.operation as Operation), "TOMAR", args.workerId as number);
      case "pausar_batch":
        return this.batch(args.tags as string[], (tag) => this.release(tag, args.workerId as number, "PAUSADO"), "PAUSAR", args.workerId as number);
      case "completar_batch":
        return this.batch(args.tags as string[], (tag) => this.release(tag, args.workerId as number, "COMPLETADO"), "COMPLETAR", args.workerId as number);
      case "cancelar_batch":
        return this.batch(args.tags as string[], (tag) => this.release(tag, args.workerId as number, "CANCELADO"), "CANCELAR", args.workerId as number);
      case "liberar":
        return this.single(args.tag as string, () => this.liberar(args.tag as string, args.adminId as number), "LIBERAR", args.adminId as number);
      default:
        throw failure("INVALID_INPUT", `comando desconocido ${command}`, { field: "comando" });
    }
  };

  private now(): string {
    this.clock += 1;
    const minutes = 15 + this.clock;
    return `07-03-2025 ${String(8 + Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}:00`;
  }

  private find(tag: string): FakeSpool | undefined {
    return this.spools.find((spool) => spool.tag === tag);
  }

  private require(tag: string): FakeSpool {
    const spool = this.find(tag);
    if (!spool) throw failure("SPOOL_NOT_FOUND", `No existe el spool ${tag}.`, { tag });
    return spool;
  }

  private person(id: number): WorkerView {
    const found = this.workers.find((candidate) => candidate.id === id);
    if (!found) throw failure("WORKER_NOT_FOUND", `No existe un trabajador con el número ${id}.`, { worker_id: id });
    if (!found.activo) throw failure("WORKER_INACTIVE", `${found.iniciales} no está activo.`, { worker_id: id });
    return found;
  }

  private needs(spool: FakeSpool, operation: Operation): boolean {
    return operation === "ARM" ? spool.armDone === null : spool.soldDone === null;
  }

  private list(filter: ListFilter): SpoolView[] {
    const text = (filter.text ?? "").toLowerCase();
    return this.spools
      .filter((spool) => {
        const scope = filter.scope;
        if (scope === "occupied" && !spool.holder) return false;
        if (scope === "available" && spool.holder) return false;
        if (typeof scope === "object" && spool.holder?.id !== scope.worker) return false;
        if (filter.operation && !this.needs(spool, filter.operation)) return false;
        return !text || `${spool.tag} ${spool.nv} ${spool.ot}`.toLowerCase().includes(text);
      })
      .map((spool) => this.view(spool));
  }

  private view(spool: FakeSpool): SpoolView {
    const paused = spool.holder ? null : spool.paused;
    return {
      tag: spool.tag,
      nv: spool.nv,
      ot: spool.ot,
      fecha_materiales: spool.materiales ? "02-01-2025" : null,
      armador: spool.armador,
      fecha_armado: spool.armDone,
      soldador: spool.soldador,
      fecha_soldadura: spool.soldDone,
      fecha_qc_metrologia: null,
      ocupado_por: spool.holder?.name ?? null,
      ocupado_desde: spool.holder?.since ?? null,
      operacion_en_curso: spool.holder?.operation ?? null,
      estacion: spool.holder?.station ?? null,
      estacion_sin_senal_desde: spool.holder?.station === "soldadura-1" ? "07-03-2025 07:10:00" : null,
      estado_detalle: spool.holder ? `${spool.holder.name} trabajando ${spool.holder.operation}` : spool.armDone ? "ARM completado, SOLD pendiente" : null,
      pausado: paused,
      trabajo_previo: paused ? spool.previous : null,
      problema: null,
    };
  }

  private tomar(tag: string, workerId: number, operation: Operation) {
    const who = this.person(workerId);
    if (!who.operaciones.includes(operation)) {
      throw failure("ROLE_NOT_ALLOWED", `${who.iniciales} no tiene el rol necesario.`, { worker_id: workerId });
    }
    const spool = this.require(tag);
    if (!spool.materiales || (operation === "SOLD" && !spool.armDone)) {
      throw failure("PREREQUISITE_MISSING", `El spool ${tag} no se puede tomar todavía.`, { tag });
    }
    if (!this.needs(spool, operation)) throw failure("ALREADY_COMPLETED", `${operation} de ${tag} ya está completado.`, { tag, operation });
    if (spool.holder) {
      throw failure("SPOOL_OCCUPIED", `El spool ${tag} está ocupado por ${spool.holder.name}.`, { tag, holder: spool.holder.name, since: spool.holder.since });
    }
    const { before: _, ...row } = spool;
    spool.before = structuredClone(row);
    spool.holder = { id: who.id, name: who.iniciales, operation, since: this.now(), station: "esta-estacion" };
    if (operation === "ARM") spool.armador ??= who.iniciales;
    else spool.soldador ??= who.iniciales;
    spool.paused = null;
    this.sessions.push({ tag, worker_id: who.id, worker: who.iniciales, operation, desde: spool.holder.since, hasta: null, duracion_minutos: null, fin: "EN_CURSO", nota: null });
  }

  private release(tag: string, workerId: number, end: "PAUSADO" | "COMPLETADO" | "CANCELADO") {
    const who = this.person(workerId);
    const spool = this.require(tag);
    if (!spool.holder) throw failure("NOT_OCCUPIED", `Nadie tiene el spool ${tag}.`, { tag });
    if (spool.holder.id !== who.id) {
      throw failure("NOT_OWNER", `El spool ${tag} lo tiene ${spool.holder.name}.`, { tag, holder: spool.holder.name });
    }
    const operation = spool.holder.operation;
    this.close(tag, end);
    if (end === "CANCELADO" && spool.before) {
      Object.assign(spool, spool.before, { before: null });
      return;
    }
    spool.holder = null;
    spool.paused = end === "PAUSADO" ? operation : null;
    spool.previous = who.iniciales;
    if (end === "COMPLETADO") {
      if (operation === "ARM") spool.armDone = "07-03-2025";
      else spool.soldDone = "07-03-2025";
    }
  }

  private liberar(tag: string, adminId: number) {
    const admin = this.person(adminId);
    if (!admin.supervisor) throw failure("ROLE_NOT_ALLOWED", `${admin.iniciales} no es supervisor.`, { worker_id: adminId });
    const spool = this.require(tag);
    if (!spool.holder) throw failure("NOT_OCCUPIED", `Nadie tiene el spool ${tag}.`, { tag });
    this.close(tag, "LIBERADO");
    spool.paused = spool.holder.operation;
    spool.previous = spool.holder.name;
    spool.holder = null;
  }

  private close(tag: string, end: Session["fin"]) {
    const open = [...this.sessions].reverse().find((session) => session.tag === tag && session.fin === "EN_CURSO");
    if (open) Object.assign(open, { hasta: this.now(), duracion_minutos: 1, fin: end });
  }

  private async batch(tags: string[], act: (tag: string) => void, action: string, workerId: number): Promise<BatchOutcome> {
    const details = tags.map((tag) => {
      try {
        act(tag);
        return { tag, success: true, code: null, message: null, holder: null };
      } catch (error) {
        const payload = error as ErrorPayload;
        return { tag, success: false, code: payload.code, message: payload.message, holder: payload.details.holder ?? null };
      }
    });
    const done = details.filter((entry) => entry.success).map((entry) => entry.tag);
    if (done.length > 0) await this.announce(done, action, workerId);
    return { total: tags.length, succeeded: done.length, failed: tags.length - done.length, details };
  }

  private async single(tag: string, act: () => void, action: string, workerId: number) {
    act();
    await this.announce([tag], action, workerId);
    const spool = this.require(tag);
    return { tag, operation: spool.paused ?? "ARM", worker: this.person(workerId).iniciales, estado_detalle: this.view(spool).estado_detalle ?? "" };
  }

  private async announce(tags: string[], action: string, workerId: number) {
    await emit("spool-changed", { tags, action, worker: this.person(workerId).iniciales, station: "esta-estacion" });
  }
}
