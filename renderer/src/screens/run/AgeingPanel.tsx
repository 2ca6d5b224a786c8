import type { FilterModel } from '../../../../engine/contract/index.ts';
import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';

const BUCKETS = [
  ['d0to1', '0–1 d'],
  ['d2to5', '2–5 d'],
  ['d6to30', '6–30 d'],
  ['over30', '> 30 d'],
] as const;

/**
 * Break memory on the run overview: new, carried, changed and resolved breaks
 * against the previous run of the series (linked), the breaks past their
 * reason's SLA, and how long the breaks of each reason have been open.
 */
export function AgeingPanel({ runId, onFilter, onOpenRun }: { runId: string; onFilter: (m: FilterModel) => void; onOpenRun: (runId: string) => void }) {
  const ageing = useCall('runs.ageing', { runId });
  // Decisions move reasons, and admins move SLAs: the buckets and the overdue count follow.
  useEvent('workflow.changed', (e) => (e.runId === null || e.runId === runId) && ['decision', 'approval', 'reasons'].includes(e.what) && ageing.reload());
  if (ageing.error) return <ErrorMessage error={ageing.error} onRetry={ageing.reload} />;
  const a = ageing.data;
  if (!a) return null;
  if (!a.hasMemory) {
    return (
      <div className="panel" data-testid="ageing">
        <h4>Break memory</h4>
        <p className="muted small">This run was made before break memory: its breaks have no lifecycle and no age.</p>
      </div>
    );
  }
  const lifecycle = (value: 'NEW' | 'CARRIED' | 'CHANGED'): void => onFilter({ lifecycle: { filterType: 'set', values: [value] } });
  const tiles: { label: string; value: number; note?: string; onClick?: () => void; bad?: boolean }[] = [
    { label: 'New', value: a.lifecycle.new, onClick: () => lifecycle('NEW') },
    { label: 'Carried', value: a.lifecycle.carried, onClick: () => lifecycle('CARRIED') },
    { label: 'Changed', value: a.lifecycle.changed, onClick: () => lifecycle('CHANGED') },
    { label: 'Resolved', value: a.lifecycle.resolved, note: 'gone since the previous run' },
    { label: 'Overdue', value: a.overdue, note: 'past their reason’s SLA', bad: a.overdue > 0, onClick: () => onFilter({ pastSla: { filterType: 'number', type: 'greaterThan', filter: 0 } }) },
  ];
  return (
    <div className="panel ageing" data-testid="ageing">
      <h4>
        Break memory <span className="muted small">as of {a.asOf ?? '?'}</span>{' '}
        {a.previousRunId ? (
          <span className="small">
            · against the previous run{' '}
            <button type="button" className="link mono" onClick={() => onOpenRun(a.previousRunId!)}>
              {a.previousRunId}
            </button>
          </span>
        ) : (
          <span className="muted small">· the first run of its series</span>
        )}
      </h4>
      <div className="tiles">
        {tiles.map((t) => (
          <button key={t.label} type="button" className={`tile${t.bad ? ' tile-bad' : ''}`} disabled={t.onClick === undefined} onClick={t.onClick} title={t.onClick ? `Show these breaks in the grid` : undefined}>
            <span className="tile-label">{t.label}</span>
            <span className="tile-value">{count(t.value)}</span>
            {t.note && <span className="tile-note">{t.note}</span>}
          </button>
        ))}
      </div>
      <table className="data compact" aria-label="Breaks by reason and age">
        <thead>
          <tr>
            <th>Reason</th>
            {BUCKETS.map(([, label]) => (
              <th key={label} className="num">
                {label}
              </th>
            ))}
            <th className="num">SLA</th>
            <th className="num">Overdue</th>
          </tr>
        </thead>
        <tbody>
          {a.byReason.map((r) => (
            <tr key={r.reason ?? ''}>
              <td className="mono">
                <button type="button" className="link" onClick={() => onFilter({ reason: { filterType: 'set', values: [r.reason] } })}>
                  {r.reason ?? '(none)'}
                </button>
              </td>
              {BUCKETS.map(([key]) => (
                <td key={key} className={`num${r[key] === 0 ? ' muted' : ''}`}>
                  {count(r[key])}
                </td>
              ))}
              <td className="num muted">{r.slaDays === null ? '—' : `${r.slaDays} d`}</td>
              <td className={`num${r.overdue > 0 ? ' bad' : ' muted'}`}>{count(r.overdue)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th>All</th>
            {BUCKETS.map(([key]) => (
              <th key={key} className="num">
                {count(a.total[key])}
              </th>
            ))}
            <th />
            <th className="num">{count(a.overdue)}</th>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
