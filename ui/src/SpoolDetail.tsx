// One spool's status and its history of work sessions; supervisors can force-release it from here.
import { useEffect, useState } from "react";
import { api, IpcError, type SpoolView, type Worker, type WorkSession } from "./lib/ipc";

const ENDINGS: Record<WorkSession["fin"], string> = {
  EN_CURSO: "en curso",
  PAUSADO: "pausado",
  COMPLETADO: "completado",
  CANCELADO: "cancelado",
  LIBERADO: "liberado",
};

type Props = {
  tag: string;
  revision: number;
  supervisor: Worker | null;
  onClose: () => void;
  onLiberar: (motivo: string) => void;
};

export function SpoolDetail({ tag, revision, supervisor, onClose, onLiberar }: Props) {
  const [status, setStatus] = useState<SpoolView | null>(null);
  const [sessions, setSessions] = useState<WorkSession[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [motivo, setMotivo] = useState("");

  useEffect(() => {
    setError(null);
    const fail = (reason: unknown) => setError(reason instanceof IpcError ? reason.message : String(reason));
    api.status(tag).then(setStatus, fail);
    api.history(tag).then(setSessions, fail);
  }, [tag, revision]);

  return (
    <aside className="detail" data-testid="spool-detail">
      <header>
        <h2>{tag}</h2>
        <button data-testid="detail-close" onClick={onClose} aria-label="Cerrar">
          ×
        </button>
      </header>
      {error && <p className="notice error">{error}</p>}
      {status && (
        <dl>
          <dt>Estado</dt>
          <dd data-testid="detail-estado">{status.estado_detalle ?? "—"}</dd>
          <dt>Ocupado por</dt>
          <dd data-testid="detail-ocupado">{status.ocupado_por ? `${status.ocupado_por} desde ${status.ocupado_desde}` : "Libre"}</dd>
          <dt>Materiales</dt>
          <dd>{status.fecha_materiales ?? "—"}</dd>
          <dt>ARM</dt>
          <dd>
            {status.armador ?? "—"} {status.fecha_armado ?? ""}
          </dd>
          <dt>SOLD</dt>
          <dd>
            {status.soldador ?? "—"} {status.fecha_soldadura ?? ""}
          </dd>
        </dl>
      )}
      <h3>Historial</h3>
      <table data-testid="history">
        <tbody>
          {sessions.map((session, index) => (
            <tr key={index}>
              <td>{session.worker}</td>
              <td>{session.operation ?? "—"}</td>
              <td>{session.desde}</td>
              <td>{session.hasta ?? "…"}</td>
              <td>{session.duracion_minutos === null ? "" : `${session.duracion_minutos} min`}</td>
              <td>{ENDINGS[session.fin]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {supervisor && status?.ocupado_por && (
        <div className="liberar">
          <input
            data-testid="liberar-motivo"
            placeholder="Motivo (obligatorio)"
            value={motivo}
            onChange={(event) => setMotivo(event.target.value)}
          />
          <button data-testid="action-liberar" disabled={motivo.trim() === ""} onClick={() => onLiberar(motivo)}>
            Liberar
          </button>
        </div>
      )}
    </aside>
  );
}
