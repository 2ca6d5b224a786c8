import type { BreakRow, CallResult } from '../../../../engine/contract/index.ts';
import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { percent } from '../../format.ts';
import { useKeys } from '../../keys.ts';
import { useNav } from '../../navigation.ts';
import { RecordsTable } from './RecordsTable.tsx';
import { BulkPanel } from './review/BulkPanel.tsx';
import { HistoryList } from './review/HistoryList.tsx';
import { ReviewPanel } from './review/ReviewPanel.tsx';
import { statusClass } from './review/status.ts';
import './breaks.css';
import './review/review.css';

type Detail = CallResult<'breaks.detail'>;

const fieldLabel = (f: string): string => (f === '*' ? '(whole record)' : f);

/** Break detail: both whole records side by side, the model's view, the review controls and history, the other breaks of the key. */
export function BreakDetail({ runId, breakId }: { runId: string; breakId: number }) {
  const nav = useNav();
  const { data, error, reload } = useCall('breaks.detail', { runId, breakId });
  const history = useCall('review.history', { runId, breakId });
  const reasons = useCall('reasons.list', { includeRetired: false });
  const changed = (): void => {
    reload();
    history.reload();
  };
  // Another window on this host decided something: show where the break stands now.
  useEvent('workflow.changed', (e) => (e.runId === null || e.runId === runId) && changed());
  const step = (d: number): void => nav.replace({ name: 'break', runId, breakId: Math.max(1, breakId + d) });
  useKeys({ '[': () => step(-1), ']': () => step(1) });

  return (
    <section className="screen break-detail" aria-labelledby="break-title">
      <header className="screen-header">
        <div>
          <button type="button" className="link" onClick={nav.back}>
            ← Back <kbd>Esc</kbd>
          </button>
          <h2 id="break-title">
            Break #{breakId}
            {data && (
              <>
                {' '}
                · <span className="mono">{data.break.key}</span> · {fieldLabel(data.break.field)} <span className={`pill diff-${data.break.diffType.toLowerCase()}`}>{data.break.diffType}</span>{' '}
                <span className={statusClass(data.break.status)}>{data.break.status ?? '—'}</span>
              </>
            )}
          </h2>
        </div>
        <div className="toolbar">
          <button type="button" onClick={() => step(-1)} title="Previous break ([)">
            ‹ Prev
          </button>
          <button type="button" onClick={() => step(1)} title="Next break (])">
            Next ›
          </button>
        </div>
      </header>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {data && (
        <div className="detail-layout">
          <div className="detail-main">
            <RecordsTable detail={data} />
            <Related rows={data.related} current={breakId} onOpen={(id) => nav.replace({ name: 'break', runId, breakId: id })} />
          </div>
          <aside className="detail-side">
            <ReviewPanel runId={runId} row={data.break} history={history.data} reasons={reasons.data?.reasons ?? []} onChanged={changed} />
            <Attribution detail={data} />
            <HistoryList history={history.data} />
            <BulkPanel runId={runId} row={data.break} reasons={reasons.data?.reasons ?? []} onChanged={changed} />
          </aside>
        </div>
      )}
    </section>
  );
}

function Attribution({ detail }: { detail: Detail }) {
  const b = detail.break;
  const features = Array.isArray(detail.topFeatures) ? (detail.topFeatures as { feature?: unknown; weight?: unknown }[]) : [];
  return (
    <div className="panel attribution">
      <h4>Model</h4>
      {b.modelReason === null && b.modelStatus === null ? (
        <p className="muted small">This run has no attribution yet.</p>
      ) : (
        <dl className="facts">
          <dt>Reason</dt>
          <dd className={b.modelReason === 'UNKNOWN' ? 'warn' : 'strong mono'}>{b.modelReason ?? '—'}</dd>
          <dt>Confidence</dt>
          <dd>{percent(b.confidence, 0)}</dd>
          <dt>Status</dt>
          <dd>
            <span className={statusClass(b.modelStatus)}>{b.modelStatus ?? '—'}</span>
          </dd>
          {b.modelStatus !== 'AUTO' && (
            <>
              <dt>Best guess</dt>
              <dd className="mono">{b.suggestedReason ?? '—'}</dd>
            </>
          )}
        </dl>
      )}
      {features.length > 0 && (
        <>
          <h5>Why</h5>
          <ul className="features">
            {features.slice(0, 6).map((f, i) => (
              <li key={i}>
                {String(f.feature ?? JSON.stringify(f))}
                {typeof f.weight === 'number' && <span className="muted"> {f.weight.toFixed(2)}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function Related({ rows, current, onOpen }: { rows: BreakRow[]; current: number; onOpen: (id: number) => void }) {
  if (rows.length <= 1) return null;
  return (
    <div className="panel">
      <h4>All breaks of this key ({rows.length})</h4>
      <table className="data compact">
        <tbody>
          {rows.map((r) => (
            <tr key={r.breakId} className={r.breakId === current ? 'selected' : undefined}>
              <td className="num muted">#{r.breakId}</td>
              <td>{fieldLabel(r.field)}</td>
              <td>{r.diffType}</td>
              <td className="mono">{r.valueA ?? '∅'}</td>
              <td className="mono">{r.valueB ?? '∅'}</td>
              <td>
                <span className={statusClass(r.status)}>{r.status ?? '—'}</span>
              </td>
              <td>
                {r.breakId !== current && (
                  <button type="button" className="link" onClick={() => onOpen(r.breakId)}>
                    Open
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
