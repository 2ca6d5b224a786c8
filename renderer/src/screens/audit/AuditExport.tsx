import { useState } from 'react';
import type { ErrorData } from '../../../../engine/contract/index.ts';
import { errorData } from '../../bridge/client.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';

/** Saves text as a file through the browser's download (both hosts' renderers can). */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The name the trail is offered under: today's date. */
const trailName = (): string => `audit-trail-${new Date().toISOString().slice(0, 10)}.ndjson`;

/**
 * Export the whole trail as NDJSON (one canonical event per line; each line re-checks against its hash):
 * downloaded by the page, or written to a file by the host. In the desktop app that file is chosen with
 * Browse… (a Save dialog; a typed path is refused unless it is in the workspace's exports folder); the
 * browser host has no dialog and takes the typed path.
 */
export function AuditExport() {
  const client = useClient();
  const [path, setPath] = useState('');
  // As in the run's Export menu: an existing file is replaced only when asked (EXPORT_PATH_EXISTS otherwise).
  const [overwrite, setOverwrite] = useState(false);
  const [done, setDone] = useState<string>();
  const act = useAction((to: string | null) => client.call('audit.export', to === null ? {} : { path: to, overwrite }));
  const [pickError, setPickError] = useState<ErrorData>();
  const browse = async (): Promise<void> => {
    setPickError(undefined);
    try {
      const r = await client.call('files.choose', { mode: 'save', title: 'Export the audit trail', defaultPath: path.trim() !== '' ? path.trim() : trailName(), filters: [{ name: 'NDJSON', extensions: ['ndjson'] }] });
      if (r.path !== null) {
        setPath(r.path);
        // The dialog has already asked whether to replace an existing file.
        setOverwrite(true);
      }
    } catch (err) {
      setPickError(errorData(err));
    }
  };
  const run = async (to: string | null): Promise<void> => {
    setDone(undefined);
    const r = await act.run(to);
    if (!r) return;
    if (r.content !== null) download(trailName(), r.content);
    setDone(`Exported ${count(r.events)} events${r.path ? ` to ${r.path}` : ''} · sha256 ${r.sha256.slice(0, 16)}…`);
  };
  return (
    <div className="panel audit-export" aria-label="Export">
      <h4>Export</h4>
      <div className="row">
        <button type="button" className="primary" disabled={act.busy} onClick={() => void run(null)}>
          {act.busy && <span className="spinner" />} Download NDJSON
        </button>
        <span className="muted small">or write to a file on this machine:</span>
        <input aria-label="Export path" className="export-path" value={path} placeholder="/path/to/audit.ndjson" onChange={(e) => setPath(e.target.value)} />
        {client.kind === 'desktop' && (
          <button type="button" disabled={act.busy} onClick={() => void browse()}>
            Browse…
          </button>
        )}
        <button type="button" disabled={act.busy || path.trim() === ''} onClick={() => void run(path.trim())}>
          Write file
        </button>
        <label className="check">
          <input type="checkbox" checked={overwrite} disabled={act.busy} onChange={(e) => setOverwrite(e.target.checked)} /> Replace the file if it exists
        </label>
      </div>
      {act.error && <ErrorMessage error={act.error} onDismiss={act.clear} />}
      {pickError && <ErrorMessage error={pickError} onDismiss={() => setPickError(undefined)} />}
      {done && (
        <p className="notice ok" role="status">
          {done}
        </p>
      )}
    </div>
  );
}
