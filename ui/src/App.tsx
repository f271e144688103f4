// The first functional interface: identify, pick the operation and spools, act, and see the board and a
// spool's history. Every command of the contract is reachable from here.
import { useCallback, useEffect, useMemo, useState } from "react";
import {
  api,
  IpcError,
  type BatchOutcome,
  type DoctorReport,
  type ListFilter,
  type Operation,
  type SpoolView,
  type Worker,
} from "./lib/ipc";
import { SpoolDetail } from "./SpoolDetail";
import { ConfirmDialog, type Confirmation } from "./ConfirmDialog";

type View = "disponibles" | "mios" | "ocupados";
type Notice = { kind: "ok" | "error"; text: string };

const VIEWS: { id: View; label: string }[] = [
  { id: "disponibles", label: "Disponibles" },
  { id: "mios", label: "Mis spools" },
  { id: "ocupados", label: "Ocupados" },
];

function errorText(error: unknown): string {
  return error instanceof IpcError ? error.message : String(error);
}

/** "7 de 10 correctos; 3 fallaron", then the failures grouped by cause. */
function batchSummary(outcome: BatchOutcome): string {
  const groups = new Map<string, string[]>();
  for (const entry of outcome.details.filter((entry) => !entry.success)) {
    const cause = entry.code ?? "ERROR";
    groups.set(cause, [...(groups.get(cause) ?? []), entry.message ?? entry.tag]);
  }
  const causes = [...groups.values()].map((messages) => `${messages.length} × ${messages[0]}`);
  return [`${outcome.succeeded} de ${outcome.total} correctos; ${outcome.failed} fallaron`, ...causes].join(" · ");
}

export function App() {
  const [workers, setWorkers] = useState<Worker[]>([]);
  const [workerId, setWorkerId] = useState<number | null>(null);
  const [operation, setOperation] = useState<Operation>("ARM");
  const [view, setView] = useState<View>("disponibles");
  const [text, setText] = useState("");
  const [spools, setSpools] = useState<SpoolView[]>([]);
  const [selected, setSelected] = useState<string[]>([]);
  const [detail, setDetail] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [doctor, setDoctor] = useState<DoctorReport | null>(null);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [revision, setRevision] = useState(0);

  const worker = useMemo(() => workers.find((candidate) => candidate.id === workerId) ?? null, [workers, workerId]);

  useEffect(() => {
    api.workers().then(setWorkers, (error) => setNotice({ kind: "error", text: errorText(error) }));
    api.doctor().then(setDoctor, () => setDoctor(null));
    const unlisten = api.onSpoolChanged(() => setRevision((value) => value + 1));
    return () => {
      unlisten.then((stop) => stop());
    };
  }, []);

  useEffect(() => {
    if (worker && !worker.operaciones.includes(operation) && worker.operaciones.length > 0) {
      setOperation(worker.operaciones[0]);
    }
  }, [worker, operation]);

  const filter = useMemo<ListFilter>(() => {
    const base = { nv: null, ot: null, text: text.trim() || null };
    if (view === "mios" && worker) return { ...base, operation: null, scope: { worker: worker.id } };
    if (view === "ocupados") return { ...base, operation: null, scope: "occupied" };
    return { ...base, operation, scope: "all" };
  }, [view, worker, operation, text]);

  const reload = useCallback(() => {
    api.list(filter).then(
      (found) => {
        setSpools(found);
        setSelected((current) => current.filter((tag) => found.some((spool) => spool.tag === tag)));
      },
      (error) => setNotice({ kind: "error", text: errorText(error) }),
    );
  }, [filter]);

  useEffect(reload, [reload, revision]);

  const run = async (action: () => Promise<BatchOutcome | { estado_detalle: string; tag: string }>) => {
    try {
      const outcome = await action();
      if ("total" in outcome) {
        setNotice({ kind: outcome.failed === 0 ? "ok" : "error", text: batchSummary(outcome) });
      } else {
        setNotice({ kind: "ok", text: `${outcome.tag}: ${outcome.estado_detalle}` });
      }
      setSelected([]);
      setRevision((value) => value + 1);
    } catch (error) {
      setNotice({ kind: "error", text: errorText(error) });
    }
  };

  const confirmThen = (question: string, action: () => Promise<BatchOutcome | { estado_detalle: string; tag: string }>) =>
    setConfirmation({ question, onConfirm: () => run(action) });

  const toggle = (tag: string) =>
    setSelected((current) => (current.includes(tag) ? current.filter((other) => other !== tag) : [...current, tag]));

  const healthy = doctor?.ok ?? false;

  return (
    <div className="app">
      <header className="bar">
        <h1>Spooltrack</h1>
        <span className={healthy ? "pill ok" : "pill error"} data-testid="connection-state">
          {doctor === null ? "Comprobando…" : healthy ? "Conectado" : "Problema de conexión"}
        </span>
        <label className="field">
          Trabajador
          <select
            data-testid="worker-select"
            value={workerId ?? ""}
            onChange={(event) => setWorkerId(event.target.value ? Number(event.target.value) : null)}
          >
            <option value="">— Identifíquese —</option>
            {workers
              .filter((candidate) => candidate.activo)
              .map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.nombre} {candidate.apellido} · {candidate.iniciales}
                </option>
              ))}
          </select>
        </label>
        <div className="segmented" role="group" aria-label="Operación">
          {(["ARM", "SOLD"] as Operation[]).map((candidate) => (
            <button
              key={candidate}
              data-testid={`operation-${candidate}`}
              className={operation === candidate ? "active" : ""}
              disabled={worker !== null && !worker.operaciones.includes(candidate)}
              onClick={() => setOperation(candidate)}
            >
              {candidate}
            </button>
          ))}
        </div>
      </header>

      <nav className="tabs">
        {VIEWS.map((candidate) => (
          <button
            key={candidate.id}
            data-testid={`view-${candidate.id}`}
            className={view === candidate.id ? "active" : ""}
            onClick={() => setView(candidate.id)}
          >
            {candidate.label}
          </button>
        ))}
        <input
          data-testid="search"
          placeholder="Buscar por spool, NV u OT"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </nav>

      {notice && (
        <div className={`notice ${notice.kind}`} data-testid="notice" role="status">
          <span>{notice.text}</span>
          <button data-testid="notice-close" onClick={() => setNotice(null)} aria-label="Cerrar">
            ×
          </button>
        </div>
      )}

      <section className="actions">
        {view === "disponibles" && (
          <button
            className="primary"
            data-testid="action-tomar"
            disabled={!worker || selected.length === 0}
            onClick={() => worker && run(() => api.tomar(selected, worker.id, operation))}
          >
            TOMAR {operation} ({selected.length})
          </button>
        )}
        {view === "mios" && worker && (
          <>
            <button
              className="primary"
              data-testid="action-pausar"
              disabled={selected.length === 0}
              onClick={() => confirmThen(`¿Pausar ${selected.length} spool(s)?`, () => api.pausar(selected, worker.id))}
            >
              PAUSAR ({selected.length})
            </button>
            <button
              className="primary"
              data-testid="action-completar"
              disabled={selected.length === 0}
              onClick={() => run(() => api.completar(selected, worker.id, null))}
            >
              COMPLETAR ({selected.length})
            </button>
            <button
              data-testid="action-cancelar"
              disabled={selected.length !== 1}
              onClick={() => confirmThen(`¿Cancelar la toma de ${selected[0]}?`, () => api.cancelar(selected[0], worker.id))}
            >
              CANCELAR
            </button>
          </>
        )}
        {view === "mios" && !worker && <p>Identifíquese para ver sus spools.</p>}
        {view === "ocupados" && <p>{spools.length} spools ocupados</p>}
      </section>

      <main className="content">
        <ul className="spools" data-testid="spool-list">
          {spools.map((spool) => {
            const occupied = spool.ocupado_por !== null && view === "disponibles";
            return (
              <li key={spool.tag} className={occupied ? "spool occupied" : "spool"} data-testid={`spool-${spool.tag}`}>
                <label>
                  <input
                    type="checkbox"
                    data-testid={`select-${spool.tag}`}
                    disabled={occupied || spool.problema !== null || view === "ocupados"}
                    checked={selected.includes(spool.tag)}
                    onChange={() => toggle(spool.tag)}
                  />
                  <strong>{spool.tag}</strong>
                </label>
                <span>{spool.nv ?? "—"}</span>
                <span>{spool.ot ?? "—"}</span>
                <span className="state">
                  {spool.problema
                    ? spool.problema.message
                    : spool.ocupado_por
                      ? `Ocupado por ${spool.ocupado_por} · ${spool.operacion_en_curso ?? ""} · desde ${spool.ocupado_desde ?? "?"}` +
                        (spool.estacion_sin_senal_desde ? ` · estación sin señal desde ${spool.estacion_sin_senal_desde}` : "")
                      : spool.pausado
                        ? `${spool.pausado} pausado · Trabajo previo: ${spool.trabajo_previo ?? "?"}`
                        : (spool.estado_detalle ?? "Libre")}
                </span>
                {spool.pausado && <span className="badge">Pausado</span>}
                <button data-testid={`detail-${spool.tag}`} onClick={() => setDetail(spool.tag)}>
                  Ver
                </button>
              </li>
            );
          })}
        </ul>
        {detail && (
          <SpoolDetail
            tag={detail}
            revision={revision}
            supervisor={worker?.supervisor ? worker : null}
            onClose={() => setDetail(null)}
            onLiberar={(motivo) =>
              worker &&
              confirmThen(`¿Liberar ${detail} a la fuerza?`, () => api.liberar(detail, worker.id, motivo))
            }
          />
        )}
      </main>

      {confirmation && <ConfirmDialog confirmation={confirmation} onDone={() => setConfirmation(null)} />}
    </div>
  );
}
