import { useState } from 'react';
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

/** Export the whole trail as NDJSON (one canonical event per line; each line re-checks against its hash). */
export function AuditExport() {
  const client = useClient();
  const [path, setPath] = useState('');
  // As in the run's Export menu: an existing file is replaced only when asked (EXPORT_PATH_EXISTS otherwise).
  const [overwrite, setOverwrite] = useState(false);
  const [done, setDone] = useState<string>();
  const act = useAction((to: string | null) => client.call('audit.export', to === null ? {} : { path: to, overwrite }));
  const run = async (to: string | null): Promise<void> => {
    setDone(undefined);
    const r = await act.run(to);
    if (!r) return;
    if (r.content !== null) download(`audit-trail-${new Date().toISOString().slice(0, 10)}.ndjson`, r.content);
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
        <button type="button" disabled={act.busy || path.trim() === ''} onClick={() => void run(path.trim())}>
          Write file
        </button>
        <label className="check">
          <input type="checkbox" checked={overwrite} disabled={act.busy} onChange={(e) => setOverwrite(e.target.checked)} /> Replace the file if it exists
        </label>
      </div>
      {act.error && <ErrorMessage error={act.error} onDismiss={act.clear} />}
      {done && (
        <p className="notice ok" role="status">
          {done}
        </p>
      )}
    </div>
  );
}
