import { useEffect, useState } from 'react';
import type { RunListItem } from '../../../../engine/contract/index.ts';
import { useClient, useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { age, count, duration, percent } from '../../format.ts';
import { useKeys } from '../../keys.ts';
import { useNav } from '../../navigation.ts';

/** Live progress of running runs, by id, from run.progress events. */
function useLiveProgress(reload: () => void): Map<string, { overall: number; label: string }> {
  const client = useClient();
  const [live, setLive] = useState(new Map<string, { overall: number; label: string }>());
  useEffect(() => {
    const offProgress = client.on('run.progress', (e) => setLive((m) => new Map(m).set(e.runId, { overall: e.overall, label: e.label })));
    const offFinished = client.on('run.finished', () => reload());
    return () => {
      offProgress();
      offFinished();
    };
  }, [client, reload]);
  return live;
}

/** The runs list: status, counts, breaks, checks and gate, age; open a run or start a new one. */
export function RunsScreen() {
  const nav = useNav();
  const { data, error, loading, reload } = useCall('runs.list', {});
  const live = useLiveProgress(reload);
  // Runs registered, finished or decided on by another process on the workspace (or pulled by team sync).
  useEvent('workflow.changed', (e) => (e.what === 'runs' || e.what === 'decision' || e.what === 'approval') && reload());
  const runs = data?.runs ?? [];
  const [selected, setSelected] = useState(0);
  const open = (r: RunListItem | undefined): void => {
    if (r?.status === 'COMPLETED' && r.remoteDevice === null) nav.go({ name: 'run', runId: r.runId, tab: 'overview' });
  };
  const move = (d: number): void => setSelected((s) => Math.max(0, Math.min(runs.length - 1, s + d)));
  useKeys({ n: () => nav.go({ name: 'new-run' }), j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1), Enter: () => open(runs[selected]), r: reload });

  return (
    <section className="screen" aria-labelledby="runs-title">
      <header className="screen-header">
        <h2 id="runs-title">Runs</h2>
        <div className="toolbar">
          <button type="button" onClick={reload} title="Refresh (r)">
            Refresh
          </button>
          <button type="button" className="primary" onClick={() => nav.go({ name: 'new-run' })} title="New run (n)">
            New run
          </button>
        </div>
      </header>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!loading && runs.length === 0 && !error && (
        <div className="empty panel">
          <p>No runs in this workspace yet.</p>
          <button type="button" className="primary" onClick={() => nav.go({ name: 'new-run' })}>
            Start the first run
          </button>
        </div>
      )}
      {runs.length > 0 && (
        <table className="data runs-table">
          <thead>
            <tr>
              <th>Status</th>
              <th>Definition</th>
              <th>Run</th>
              <th>Started</th>
              <th>By</th>
              <th className="num">A</th>
              <th className="num">B</th>
              <th className="num">Matched</th>
              <th className="num">Breaks</th>
              <th className="num">Checks</th>
              <th>Gate</th>
              <th className="num">Took</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r, i) => {
              const p = live.get(r.runId);
              return (
                <tr
                  key={r.runId}
                  className={i === selected ? 'selected' : undefined}
                  aria-selected={i === selected}
                  onClick={() => setSelected(i)}
                  onDoubleClick={() => open(r)}
                >
                  <td>
                    <span className={`pill status-${r.status.toLowerCase()}`}>{r.status}</span>
                  </td>
                  <td>
                    {r.status === 'COMPLETED' && r.remoteDevice === null ? (
                      <button type="button" className="link" onClick={() => open(r)}>
                        {r.definition}
                      </button>
                    ) : (
                      r.definition
                    )}
                    <button type="button" className="link series-link" title={`${r.definition} over time: every run of this definition`} aria-label={`Recon page of ${r.definition}`} onClick={() => nav.go({ name: 'recon', series: r.definition })}>
                      over time
                    </button>
                    {r.remoteDevice !== null && (
                      <span className="pill" title={`Made on another workstation (device ${r.remoteDevice}); its results stay there. Its breaks under review are in Approvals.`}>
                        other workstation
                      </span>
                    )}
                    {r.status === 'RUNNING' && <span className="inline-progress">{percent(p?.overall ?? r.progress ?? 0, 0)} {p?.label ?? ''}</span>}
                    {r.error && <div className="row-error">{`${r.error.code}: ${r.error.message}`}</div>}
                  </td>
                  <td className="mono muted">{r.runId}</td>
                  <td title={r.startedAt}>{age(r.startedAt)}</td>
                  <td className="muted">{r.startedBy ?? '—'}</td>
                  <td className="num">{count(r.counts?.a)}</td>
                  <td className="num">{count(r.counts?.b)}</td>
                  <td className="num">{r.counts ? `${count(r.counts.matched)} (${percent(r.counts.matched / Math.max(1, Math.max(r.counts.a, r.counts.b)), 1)})` : '—'}</td>
                  <td className="num strong">{count(r.breaks)}</td>
                  <td className={`num ${r.checks && r.checks.passed < r.checks.total ? 'bad' : ''}`}>{r.checks ? `${r.checks.passed}/${r.checks.total}` : '—'}</td>
                  <td>{r.gatePassed === null ? '—' : <span className={`pill ${r.gatePassed ? 'gate-pass' : 'gate-fail'}`}>{r.gatePassed ? 'PASS' : 'FAIL'}</span>}</td>
                  <td className="num">{duration(r.startedAt, r.finishedAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p className="hint">
        <kbd>j</kbd>/<kbd>k</kbd> select · <kbd>Enter</kbd> open · <kbd>n</kbd> new run · <kbd>r</kbd> refresh
      </p>
    </section>
  );
}
