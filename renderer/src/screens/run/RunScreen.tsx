import type { FilterModel } from '../../../../engine/contract/index.ts';
import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { age } from '../../format.ts';
import { useKeys } from '../../keys.ts';
import { useNav } from '../../navigation.ts';
import { BreaksGrid } from '../breaks/BreaksGrid.tsx';
import { ExportMenu } from './ExportMenu.tsx';
import { GatePill } from './GatePill.tsx';
import { RunOverview } from './RunOverview.tsx';
import './run.css';

/** One run: its overview and its breaks grid, as two tabs (v / b; o is override in the grid). */
export function RunScreen({ runId, tab, preset }: { runId: string; tab: 'overview' | 'breaks'; preset?: FilterModel }) {
  const nav = useNav();
  const run = useCall('runs.get', { runId });
  // The overview's decided counts and review figures follow decisions and approvals, this host's or another process's.
  useEvent('workflow.changed', (e) => (e.runId === null || e.runId === runId) && (e.what === 'decision' || e.what === 'approval') && run.reload());
  const show = (t: 'overview' | 'breaks'): void => nav.replace({ name: 'run', runId, tab: t });
  useKeys({ v: () => show('overview'), b: () => show('breaks') });
  const s = run.data?.summary;

  return (
    <section className="screen run-screen" aria-labelledby="run-title">
      <header className="screen-header">
        <div>
          <button type="button" className="link" onClick={nav.back}>
            ← Runs <kbd>Esc</kbd>
          </button>
          <h2 id="run-title">
            {s?.definition ?? 'Run'} <span className="mono muted small">{runId}</span>
          </h2>
          {s && (
            <p className="muted small">
              Finished {age(s.finishedAt)} · A {s.inputs.a.path} · B {s.inputs.b.path}
            </p>
          )}
        </div>
        {run.data && (
          <div className="header-actions">
            <button type="button" onClick={() => nav.go({ name: 'new-run', fromRun: runId })} title="The same definition on new files">
              Run again…
            </button>
            <ExportMenu runId={runId} />
            <GatePill run={run.data} />
          </div>
        )}
      </header>
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'overview'} onClick={() => show('overview')}>
          Overview <kbd>v</kbd>
        </button>
        <button type="button" role="tab" aria-selected={tab === 'breaks'} onClick={() => show('breaks')}>
          Breaks {s ? `(${s.breaks.total.toLocaleString('en-US')})` : ''} <kbd>b</kbd>
        </button>
      </div>
      {run.error && <ErrorMessage error={run.error} onRetry={run.reload} />}
      {tab === 'overview' && run.data && (
        <RunOverview
          run={run.data}
          onFilter={(m) => nav.go({ name: 'run', runId, tab: 'breaks', preset: m })}
          onOpen={(breakId) => nav.go({ name: 'break', runId, breakId })}
          onOpenRun={(id) => nav.go({ name: 'run', runId: id, tab: 'overview' })}
        />
      )}
      {tab === 'breaks' && <BreaksGrid runId={runId} {...(preset ? { preset } : {})} />}
    </section>
  );
}
