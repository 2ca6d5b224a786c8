import { useEffect, useRef, useState } from 'react';
import { EXPORT_FORMAT_INFO, EXPORT_FORMATS, type ErrorData, type ExportFormat, type ExportResultDto } from '../../../../engine/contract/index.ts';
import { errorData } from '../../bridge/client.ts';
import { useClient } from '../../bridge/use-client.ts';
import { useTask } from '../../bridge/use-task.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { bytes, count } from '../../format.ts';

/**
 * The run screen's Export menu: every report format, written by the host's
 * task worker to a file on the engine machine (by default the workspace's
 * exports folder), with a live bar, Cancel, and where it went with its
 * SHA-256 (each export is also in the audit trail).
 */
export function ExportMenu({ runId }: { runId: string }) {
  const client = useClient();
  const [open, setOpen] = useState(false);
  const [format, setFormat] = useState<ExportFormat>('xlsx');
  const [path, setPath] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [done, setDone] = useState<ExportResultDto>();
  const panel = useRef<HTMLDivElement>(null);
  const task = useTask((taskId, f: ExportFormat, to: string, replace: boolean) =>
    client.call('runs.export', { runId, format: f, overwrite: replace, taskId, ...(to !== '' ? { path: to } : {}) }),
  );

  useEffect(() => {
    if (open) panel.current?.querySelector('select')?.focus();
  }, [open]);

  const [pickError, setPickError] = useState<ErrorData>();
  const choose = async (): Promise<void> => {
    setPickError(undefined);
    const ext = EXPORT_FORMAT_INFO[format].extension.replace(/^.*\./, '');
    const r = await client.call('files.choose', { mode: 'save', title: `Export ${EXPORT_FORMAT_INFO[format].label}`, defaultPath: `${runId}${EXPORT_FORMAT_INFO[format].extension}`, filters: [{ name: ext.toUpperCase(), extensions: [ext] }] });
    if (r.path !== null) {
      setPath(r.path);
      // The dialog has already asked whether to replace an existing file.
      setOverwrite(true);
    }
  };
  const chooseSafely = (): void => {
    choose().catch((err: unknown) => setPickError(errorData(err)));
  };

  const start = async (): Promise<void> => {
    setDone(undefined);
    const r = await task.run(format, path.trim(), overwrite);
    if (r) setDone(r);
  };

  return (
    <div className="export-menu">
      <button type="button" aria-expanded={open} aria-haspopup="dialog" onClick={() => setOpen((o) => !o)}>
        Export ▾
      </button>
      {open && (
        <div
          className="panel export-panel"
          role="dialog"
          aria-label="Export"
          ref={panel}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && !task.busy) {
              e.stopPropagation();
              setOpen(false);
            }
          }}
        >
          <label>
            <span>Format</span>
            <select aria-label="Export format" value={format} disabled={task.busy} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
              {EXPORT_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {EXPORT_FORMAT_INFO[f].label}
                </option>
              ))}
            </select>
          </label>
          <p className="muted small">{EXPORT_FORMAT_INFO[format].description}</p>
          <label>
            <span>File on this machine</span>
            <input
              aria-label="Export to file"
              className="mono"
              value={path}
              disabled={task.busy}
              spellCheck={false}
              placeholder={`workspace/exports/${runId}${EXPORT_FORMAT_INFO[format].extension}`}
              onChange={(e) => setPath(e.target.value)}
            />
          </label>
          {client.kind === 'desktop' && (
            <button type="button" disabled={task.busy} onClick={chooseSafely}>
              Browse…
            </button>
          )}
          <label className="check">
            <input type="checkbox" checked={overwrite} disabled={task.busy} onChange={(e) => setOverwrite(e.target.checked)} /> Replace the file if it exists
          </label>
          <div className="row">
            {task.busy ? (
              <button type="button" onClick={task.cancel}>
                Cancel
              </button>
            ) : (
              <button type="button" className="primary" onClick={() => void start()}>
                Export
              </button>
            )}
          </div>
          {task.progress && <ProgressBar value={task.progress.overall} label={task.progress.label} />}
          {task.error && <ErrorMessage error={task.error} onDismiss={task.clear} />}
          {pickError && <ErrorMessage error={pickError} onDismiss={() => setPickError(undefined)} />}
          {done && (
            <div className="notice ok" role="status">
              Wrote {EXPORT_FORMAT_INFO[done.format].label.toLowerCase()} ({count(done.rows)} breaks, {bytes(done.bytes)}) to <span className="mono export-path">{done.path}</span>
              <div className="row">
                <span className="mono muted small" title={done.sha256}>
                  sha256 {done.sha256.slice(0, 16)}…
                </span>
                <button type="button" className="link" onClick={() => void navigator.clipboard?.writeText(done.path)}>
                  Copy path
                </button>
                {done.audited && <span className="muted small">Recorded in the audit trail.</span>}
              </div>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
