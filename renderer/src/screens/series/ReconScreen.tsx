import type { FilterModel, SeriesRun } from '../../../../engine/contract/index.ts';
import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { TrendChart, type TrendLine } from '../../components/TrendChart.tsx';
import { count, percent } from '../../format.ts';
import { useKeys } from '../../keys.ts';
import { useNav } from '../../navigation.ts';
import './series.css';

const LINES: TrendLine[] = [
  { key: 'open', label: 'Open', tone: 'accent', axis: 'count' },
  { key: 'new', label: 'New', tone: 'warn', axis: 'count' },
  { key: 'resolved', label: 'Resolved', tone: 'ok', axis: 'count' },
  { key: 'overdue', label: 'Overdue', tone: 'bad', axis: 'count' },
  { key: 'unknownRate', label: 'Unknown rate', tone: 'muted', axis: 'share' },
];

const OVERDUE: FilterModel = { pastSla: { filterType: 'number', type: 'greaterThan', filter: 0 } };

/**
 * One recon over time: its runs in as-of order with their new, carried,
 * changed, resolved, open, decided and overdue breaks and unknown rate, a
 * trend chart of them, and the breaks open now (the latest run's grid).
 */
export function ReconScreen({ series }: { series: string }) {
  const nav = useNav();
  const { data, error, reload } = useCall('series.get', { name: series });
  // New runs, decisions (decided, overdue by a decision's reason) and SLAs move the figures.
  useEvent('workflow.changed', (e) => ['runs', 'decision', 'approval', 'reasons'].includes(e.what) && reload());
  useEvent('run.finished', () => reload());
  useKeys({ r: reload });
  const runs = data?.runs ?? [];
  const completed = runs.filter((r) => r.status === 'COMPLETED');
  const latest = data?.latest ?? null;
  const latestRun = latest ? runs.find((r) => r.runId === latest.runId) : undefined;
  const openRun = (r: SeriesRun): void => {
    if (r.hasFile) nav.go({ name: 'run', runId: r.runId, tab: 'overview' });
  };

  return (
    <section className="screen" aria-labelledby="recon-title">
      <header className="screen-header">
        <h2 id="recon-title">{series}</h2>
        <div className="toolbar">
          <button type="button" onClick={reload} title="Refresh (r)">
            Refresh
          </button>
        </div>
      </header>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {data && latest && (
        <div className="panel recon-now">
          <span>
            Open now: <strong>{count(latest.open)}</strong> breaks in the latest run <span className="mono muted">{latest.runId}</span>
            {latest.asOf && <span className="muted"> as of {latest.asOf}</span>}
            {latestRun?.overdue ? (
              <>
                {' '}
                · <strong className="bad">{count(latestRun.overdue)}</strong> overdue
              </>
            ) : null}
          </span>
          {latest.hasFile ? (
            <span className="toolbar">
              <button type="button" className="primary" onClick={() => nav.go({ name: 'run', runId: latest.runId, tab: 'breaks' })} title="Every break of the latest run, with its age and first seen">
                Open breaks
              </button>
              {latestRun?.overdue ? (
                <button type="button" onClick={() => nav.go({ name: 'run', runId: latest.runId, tab: 'breaks', preset: OVERDUE })}>
                  Overdue breaks
                </button>
              ) : null}
            </span>
          ) : (
            <span className="muted small">Its file is not in this workspace (made on another workstation, or deleted).</span>
          )}
        </div>
      )}
      {completed.length > 0 && (
        <TrendChart
          title="Breaks per run"
          lines={LINES}
          points={completed.map((r) => ({ label: r.asOf ?? r.startedAt.slice(0, 10), values: { open: r.open, new: r.new, resolved: r.resolved, overdue: r.overdue, unknownRate: r.unknownRate } }))}
        />
      )}
      {data && data.total > runs.length && <p className="muted small">The latest {count(runs.length)} of {count(data.total)} runs.</p>}
      {runs.length > 0 && (
        <table className="data recon-runs" aria-label="Runs of the recon">
          <thead>
            <tr>
              <th>As of</th>
              <th>Run</th>
              <th>Status</th>
              <th className="num" title="Every break the run found">
                Open
              </th>
              <th className="num" title="Accepted, overridden or rejected (carried decisions included)">
                Decided
              </th>
              <th className="num" title="Not open in the previous run">
                New
              </th>
              <th className="num" title="Open before, with the same values">
                Carried
              </th>
              <th className="num" title="Open before, with other values now">
                Changed
              </th>
              <th className="num" title="Breaks of the previous run gone now">
                Resolved
              </th>
              <th className="num" title="Older (in days) than the SLA of their reason">
                Overdue
              </th>
              <th className="num">Unknown rate</th>
            </tr>
          </thead>
          <tbody>
            {[...runs].reverse().map((r) => (
              <tr key={r.runId}>
                <td>{r.asOf ?? <span className="muted">{r.startedAt.slice(0, 10)}</span>}</td>
                <td>
                  {r.hasFile ? (
                    <button type="button" className="link mono" onClick={() => openRun(r)}>
                      {r.runId}
                    </button>
                  ) : (
                    <span className="mono muted" title={r.remoteDevice ? `Made on another workstation (device ${r.remoteDevice}); its results stay there.` : 'Its file is not in this workspace.'}>
                      {r.runId}
                    </span>
                  )}
                </td>
                <td>
                  <span className={`pill status-${r.status.toLowerCase()}`}>{r.status}</span>
                </td>
                <td className="num strong">{count(r.open)}</td>
                <td className="num">{count(r.decided)}</td>
                <td className="num">{count(r.new)}</td>
                <td className="num">{count(r.carried)}</td>
                <td className="num">{count(r.changed)}</td>
                <td className="num">{count(r.resolved)}</td>
                <td className={`num${r.overdue ? ' bad' : ''}`}>{count(r.overdue)}</td>
                <td className="num">{percent(r.unknownRate, 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="hint">
        <kbd>r</kbd> refresh · <kbd>Esc</kbd> back
      </p>
    </section>
  );
}
