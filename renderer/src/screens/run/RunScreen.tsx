import type { FilterModel } from '../../../../engine/contract/index.ts';
import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { age } from '../../format.ts';
import { useKeys } from '../../keys.ts';
import { useNav, type RunTab } from '../../navigation.ts';
import { BreaksGrid } from '../breaks/BreaksGrid.tsx';
import { MatchingView } from '../matching/MatchingView.tsx';
import { AgreementPanel } from '../rules/AgreementPanel.tsx';
import { ExportMenu } from './ExportMenu.tsx';
import { GatePill } from './GatePill.tsx';
import { RunOverview } from './RunOverview.tsx';
import './run.css';

/** One run: its overview and its breaks grid, as tabs (v / b; o is override in the grid), and a matching run's matching view (m). */
export function RunScreen({ runId, tab, preset }: { runId: string; tab: RunTab; preset?: FilterModel }) {
  const nav = useNav();
  const run = useCall('runs.get', { runId });
  // The overview's decided counts and review figures follow decisions and approvals, this host's or another process's.
  useEvent('workflow.changed', (e) => (e.runId === null || e.runId === runId) && (e.what === 'decision' || e.what === 'approval') && run.reload());
  const show = (t: RunTab): void => nav.replace({ name: 'run', runId, tab: t });
  const s = run.data?.summary;
  const matching = s?.matching;
  useKeys({ v: () => show('overview'), b: () => show('breaks'), ...(matching ? { m: () => show('matching') } : {}) });

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
        {matching && (
          <button type="button" role="tab" aria-selected={tab === 'matching'} onClick={() => show('matching')}>
            Matching <kbd>m</kbd>
          </button>
        )}
        {!matching && (
          <button type="button" role="tab" aria-selected={tab === 'agreement'} onClick={() => show('agreement')}>
            Rules vs model
          </button>
        )}
      </div>
      {run.error && <ErrorMessage error={run.error} onRetry={run.reload} />}
      {tab === 'overview' && run.data && (
        <RunOverview
          run={run.data}
          onFilter={(m) => nav.go({ name: 'run', runId, tab: 'breaks', preset: m })}
          onOpen={(breakId) => nav.go({ name: 'break', runId, breakId })}
          onOpenRun={(id) => nav.go({ name: 'run', runId: id, tab: 'overview' })}
          {...(matching ? { onOpenMatching: () => show('matching') } : {})}
        />
      )}
      {tab === 'breaks' && <BreaksGrid runId={runId} {...(preset ? { preset } : {})} />}
      {tab === 'matching' && matching && <MatchingView runId={runId} matching={matching} />}
      {tab === 'agreement' && <AgreementPanel runId={runId} />}
    </section>
  );
}
