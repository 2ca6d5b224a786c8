import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { statusClass } from './review/status.ts';

const END: Record<string, string> = {
  FIRST_SEEN: 'First seen in the oldest run listed.',
  NO_MEMORY: 'The oldest run listed was made before break memory: what came before is not known.',
  RUN_MISSING: 'The run before is not in this workspace',
  LIMIT: 'Older runs are not shown.',
};

/**
 * The break across the runs of its series, newest first: values, reason and
 * status (a decision's, from the workflow store) in each run, following break
 * memory back (breaks.history). Hidden for a run without break memory.
 */
export function SeriesHistory({ runId, breakId, onOpen }: { runId: string; breakId: number; onOpen: (runId: string, breakId: number) => void }) {
  const history = useCall('breaks.history', { runId, breakId });
  useEvent('workflow.changed', (e) => (e.what === 'decision' || e.what === 'approval') && history.reload());
  if (history.error) return <ErrorMessage error={history.error} onRetry={history.reload} />;
  const h = history.data;
  if (!h || (h.end === 'NO_MEMORY' && h.entries.length <= 1)) return null;
  return (
    <div className="panel series-history" data-testid="series-history">
      <h4>History across runs ({h.entries.length})</h4>
      <table className="data compact" aria-label="The break across runs">
        <thead>
          <tr>
            <th>As of</th>
            <th>Run</th>
            <th>Lifecycle</th>
            <th>Value A</th>
            <th>Value B</th>
            <th>Reason</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {h.entries.map((e, i) => (
            <tr key={e.runId} className={i === 0 ? 'selected' : undefined}>
              <td className="mono nowrap">{e.asOf ?? '—'}</td>
              <td className="mono small">
                {i === 0 ? (
                  e.runId
                ) : (
                  <button type="button" className="link" onClick={() => onOpen(e.runId, e.breakId)} title={`Open break #${e.breakId} of run ${e.runId}`}>
                    {e.runId}
                  </button>
                )}
              </td>
              <td>{e.lifecycle ?? '—'}</td>
              <td className="mono">{e.valueA ?? '∅'}</td>
              <td className="mono">{e.valueB ?? '∅'}</td>
              <td className="mono">{e.reason ?? '—'}</td>
              <td>
                <span className={statusClass(e.status)} title={e.decision ? `Decided ${e.decision.updatedAt}` : 'No decision on this run'}>
                  {e.status ?? '—'}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {END[h.end]}
        {h.end === 'RUN_MISSING' && h.missingRunId ? ` (${h.missingRunId}).` : ''}
      </p>
    </div>
  );
}
