import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';
import { useKeys } from '../../keys.ts';
import { useNav } from '../../navigation.ts';
import './series.css';

/** Every recon of the workspace (the runs of one definition name form a series): its runs, last run and open breaks. */
export function ReconsScreen() {
  const nav = useNav();
  const { data, error, loading, reload } = useCall('series.list', {});
  useEvent('workflow.changed', (e) => e.what === 'runs' && reload());
  useEvent('run.finished', () => reload());
  useKeys({ r: reload });
  const series = data?.series ?? [];

  return (
    <section className="screen" aria-labelledby="recons-title">
      <header className="screen-header">
        <h2 id="recons-title">Recons</h2>
        <div className="toolbar">
          <button type="button" onClick={reload} title="Refresh (r)">
            Refresh
          </button>
        </div>
      </header>
      <p className="muted small">The runs of one definition form a recon’s series: each run is linked to the one before, so breaks carry their age and decisions.</p>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!loading && series.length === 0 && !error && (
        <div className="empty panel">
          <p>No runs in this workspace yet.</p>
        </div>
      )}
      {series.length > 0 && (
        <table className="data recons-table">
          <thead>
            <tr>
              <th>Recon</th>
              <th className="num">Runs</th>
              <th>Last run</th>
              <th>Latest as of</th>
              <th className="num">Open breaks</th>
            </tr>
          </thead>
          <tbody>
            {series.map((s) => (
              <tr key={s.name}>
                <td>
                  <button type="button" className="link" onClick={() => nav.go({ name: 'recon', series: s.name })}>
                    {s.name}
                  </button>
                </td>
                <td className="num">{count(s.runs)}</td>
                <td>
                  <span className={`pill status-${s.lastRun.status.toLowerCase()}`}>{s.lastRun.status}</span> <span className="mono muted">{s.lastRun.runId}</span>
                </td>
                <td>{s.latest?.asOf ?? '—'}</td>
                <td className="num strong">
                  {s.latest === null ? (
                    '—'
                  ) : s.latest.hasFile ? (
                    <button type="button" className="link" title="The breaks of the latest run" onClick={() => nav.go({ name: 'run', runId: s.latest!.runId, tab: 'breaks' })}>
                      {count(s.latest.open)}
                    </button>
                  ) : (
                    count(s.latest.open)
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
