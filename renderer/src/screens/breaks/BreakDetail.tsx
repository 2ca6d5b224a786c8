import { useState } from 'react';
import type { BreakRow, CallResult } from '../../../../engine/contract/index.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { percent } from '../../format.ts';
import { useKeys } from '../../keys.ts';
import { useNav } from '../../navigation.ts';
import { recall, rememberPart } from './grid-memory.ts';
import { RecordsTable } from './RecordsTable.tsx';
import { SeriesHistory } from './SeriesHistory.tsx';
import { BulkPanel } from './review/BulkPanel.tsx';
import { HistoryList } from './review/HistoryList.tsx';
import { ReviewPanel } from './review/ReviewPanel.tsx';
import { modelGuess, statusClass } from './review/status.ts';
import { DEFAULT_VIEW, stepInView } from './step.ts';
import { sideText, ValueDiff } from './ValueDiff.tsx';
import './breaks.css';
import './review/review.css';

type Detail = CallResult<'breaks.detail'>;

const fieldLabel = (f: string): string => (f === '*' ? '(whole record)' : f);

/** Break detail: every record of its key side by side, the model's view, the review controls and history, the other breaks of the key. */
export function BreakDetail({ runId, breakId }: { runId: string; breakId: number }) {
  const nav = useNav();
  const client = useClient();
  const detail = useCall('breaks.detail', { runId, breakId });
  const { error, reload } = detail;
  // While the next break loads, the previous one's answer is not shown under its number.
  const data = detail.data?.break.breakId === breakId ? detail.data : undefined;
  const history = useCall('review.history', { runId, breakId });
  const reasons = useCall('reasons.list', { includeRetired: false });
  const [edge, setEdge] = useState<string>();
  const changed = (): void => {
    reload();
    history.reload();
  };
  // Another window on this host decided something: show where the break stands now.
  useEvent('workflow.changed', (e) => (e.runId === null || e.runId === runId) && changed());

  // [ and ] step through the grid's rows: its view, from the row this break was opened at (by id when the grid was never shown).
  const step = async (d: 1 | -1): Promise<void> => {
    const m = recall(runId);
    const view = m?.view ?? DEFAULT_VIEW;
    const from = m?.focus ?? { index: breakId - 1, breakId };
    try {
      const next = await stepInView(client, runId, view, from, d);
      if (next === null) return setEdge(d > 0 ? 'This is the last break of the grid’s view.' : 'This is the first break of the grid’s view.');
      setEdge(undefined);
      rememberPart(runId, { focus: next });
      nav.replace({ name: 'break', runId, breakId: next.breakId });
    } catch {
      setEdge('Could not read the grid’s next row; try again.');
    }
  };
  useKeys({ '[': () => void step(-1), ']': () => void step(1) });
  const filtered = (() => {
    const v = recall(runId)?.view;
    return v !== undefined && (v.sortModel.length > 0 || Object.keys(v.filterModel).length > 0 || v.quickFilter !== '');
  })();

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
                · <span className="mono">{data.break.key}</span> · {fieldLabel(data.break.field)} <span className={`pill diff-${data.break.diffType.toLowerCase()}`}>
                  {data.break.diffType}
                  {data.break.diffType === 'DUPLICATE_KEY' && data.break.side ? ` ${sideText(data.break)}` : ''}
                </span>{' '}
                <span className={statusClass(data.break.status)}>{data.break.status ?? '—'}</span>
              </>
            )}
          </h2>
          {data?.break.lifecycle && (
            <p className="muted small" data-testid="break-memory">
              {data.break.lifecycle} · first seen {data.break.firstSeenAsOf} in run <span className="mono">{data.break.firstSeenRun}</span> · open {data.break.ageRuns} run
              {data.break.ageRuns === 1 ? '' : 's'}, {data.break.ageDays} day{data.break.ageDays === 1 ? '' : 's'}
              {data.break.pastSla !== null && (
                <span className={data.break.pastSla > 0 ? 'bad' : undefined}>
                  {' '}
                  · SLA {data.break.slaDays} d: {data.break.pastSla > 0 ? `overdue by ${data.break.pastSla} d` : `${-data.break.pastSla} d left`}
                </span>
              )}
            </p>
          )}
        </div>
        <div className="toolbar">
          <button type="button" onClick={() => void step(-1)} title={`Previous row of the grid${filtered ? ' (its filter and sort)' : ''} ([)`}>
            ‹ Prev
          </button>
          <button type="button" onClick={() => void step(1)} title={`Next row of the grid${filtered ? ' (its filter and sort)' : ''} (])`}>
            Next ›
          </button>
        </div>
      </header>
      {edge && (
        <p className="notice" role="status">
          {edge}
        </p>
      )}
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {data && (
        <div className="detail-layout">
          <div className="detail-main">
            <RecordsTable detail={data} />
            <ValueDiff row={data.break} label="Values of this break" />
            <SeriesHistory runId={runId} breakId={breakId} onOpen={(run, id) => nav.go({ name: 'break', runId: run, breakId: id })} />
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
  // A reason rule gave the reason (issue 20): the model's own word on the break is kept beside it, in ruleModel*.
  const ruled = b.ruleName !== null;
  const guess = ruled ? { guess: b.ruleModelReason ?? '—', sure: b.ruleModelStatus === 'AUTO', confidence: b.ruleModelConfidence } : modelGuess(b);
  const modelReason = ruled ? b.ruleModelReason : b.modelReason;
  const modelStatus = ruled ? b.ruleModelStatus : b.modelStatus;
  const features = Array.isArray(detail.topFeatures) ? (detail.topFeatures as { feature?: unknown; weight?: unknown; text?: unknown }[]) : [];
  return (
    <div className="panel attribution">
      {ruled && (
        <p className="rule-applied" aria-label="Reason rule">
          Reason rule <strong>{b.ruleName}</strong> (version {b.ruleVersion ?? '?'}) gave <strong className="mono">{b.modelReason ?? '—'}</strong>, before the model.
        </p>
      )}
      <h4>Model</h4>
      {guess === null ? (
        <p className="muted small">This run has no attribution yet.</p>
      ) : (
        <>
          <dl className="facts">
            <dt>Reason</dt>
            <dd className={modelReason === 'UNKNOWN' ? 'warn' : 'strong mono'}>{modelReason ?? '—'}</dd>
            <dt>Best guess</dt>
            <dd className="mono">{guess.guess}</dd>
            <dt>Confidence</dt>
            <dd className={guess.sure ? undefined : 'warn'}>{percent(guess.confidence, 0)}</dd>
            <dt>Status</dt>
            <dd>
              <span className={statusClass(modelStatus)}>{modelStatus ?? '—'}</span>
            </dd>
          </dl>
          <p className="small muted confidence-note">
            {ruled
              ? `What the model said of this break, kept beside the rule's reason: ${guess.guess} at ${percent(guess.confidence, 0)}${guess.sure ? '' : ', not sure enough to attribute it'}.`
              : guess.sure
              ? `The model's confidence in its best guess, ${guess.guess}: ${percent(guess.confidence, 0)}, enough to attribute the break automatically (AUTO).`
              : guess.guess === 'no known pattern'
                ? `The model's confidence in its best guess, that no known reason explains this break: ${percent(guess.confidence, 0)}. It waits for a person (REVIEW).`
                : `The model's confidence in its best guess, ${guess.guess}: ${percent(guess.confidence, 0)}, too low to attribute it: it waits for a person (REVIEW).`}
          </p>
        </>
      )}
      {features.length > 0 && (
        <>
          <h5>Why</h5>
          <ul className="features">
            {features.slice(0, 6).map((f, i) => (
              <li key={i} title={typeof f.feature === 'string' ? f.feature : undefined}>
                {/* The reason in words (engine/attribution/words.ts); the feature's name only for older run files. */}
                {typeof f.text === 'string' ? f.text : String(f.feature ?? JSON.stringify(f))}
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
              <td>
                {r.diffType}
                {r.side ? ` (${r.side.toUpperCase()})` : ''}
              </td>
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
