import { useEffect, useState } from 'react';
import type { DecisionResultDto, ReasonDto } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { count } from '../../format.ts';
import { DecisionForm, type FormValue } from './review/DecisionForm.tsx';
import { outcomeText } from './review/status.ts';

type Kind = 'ACCEPT' | 'OVERRIDE' | 'REJECT';

/**
 * One decision over the rows selected in the grid (review.bulk with their
 * break ids): how many are open and acceptable, and, over the workspace's
 * bulk limit, a proposal that needs a comment (the engine insists too).
 */
export function SelectionBar({
  runId,
  breakIds,
  reasons,
  onClear,
  onDone,
}: {
  runId: string;
  breakIds: number[];
  reasons: ReasonDto[];
  onClear: () => void;
  /** `decision`: the one just made, so the grid can offer to make it a rule. */
  onDone: (text: string, decision: DecisionResultDto) => void;
}) {
  const client = useClient();
  const [kind, setKind] = useState<Kind | null>(null);
  const [args, setArgs] = useState<{ runId: string; filter: { breakIds: number[] } } | null>(null);
  // Counting waits for the selection to settle (shift+arrow selects a row per key press).
  useEffect(() => {
    const t = setTimeout(() => setArgs(breakIds.length > 0 ? { runId, filter: { breakIds } } : null), 150);
    return () => clearTimeout(t);
  }, [runId, breakIds]);
  const preview = useCall('review.bulkPreview', args);
  const p = preview.data;
  const n = kind === 'ACCEPT' ? (p?.acceptable ?? 0) : (p?.open ?? 0);
  const overLimit = p !== undefined && n + p.recentBulk > p.threshold;
  const act = useAction((k: Kind, v: FormValue) =>
    client.call('review.bulk', { runId, filter: { breakIds }, kind: k, ...(v.reason ? { reason: v.reason } : {}), ...(v.comment ? { comment: v.comment } : {}) }),
  );
  const apply = async (k: Kind, v: FormValue): Promise<void> => {
    const r = await act.run(k, v);
    if (!r) return;
    setKind(null);
    onDone(`${count(breakIds.length)} selected: ${outcomeText(r.kind, r.proposal, r.breakCount)}${r.skipped ? ` ${count(r.skipped)} were not open and were left alone.` : ''}`, r);
  };
  if (breakIds.length === 0) return null;
  const label = kind === 'OVERRIDE' ? 'Override' : kind === 'REJECT' ? 'Reject' : 'Accept';
  return (
    <div className="panel selection-bar" role="region" aria-label="Selected breaks">
      <div className="row">
        <strong className="selection-count">{count(breakIds.length)} selected</strong>
        <span className="muted small" role="status">
          {p ? (
            <>
              {count(p.open)} open · {count(p.acceptable)} with a reason to accept
            </>
          ) : (
            <span className="spinner" />
          )}
        </span>
        {kind === null && (
          <>
            <button type="button" disabled={!p || p.acceptable === 0} onClick={() => setKind('ACCEPT')}>
              Accept selected
            </button>
            <button type="button" disabled={!p || p.open === 0} onClick={() => setKind('OVERRIDE')}>
              Override selected
            </button>
            <button type="button" className="danger" disabled={!p || p.open === 0} onClick={() => setKind('REJECT')}>
              Reject selected
            </button>
          </>
        )}
        <button type="button" className="link" onClick={onClear} title="Clear the selection (Esc in the grid)">
          Clear selection
        </button>
      </div>
      <p className="hint small">Ctrl-click a row to add or remove it, Shift-click for a range, Shift/Ctrl + ↑/↓ from the keyboard.</p>
      {kind !== null && (
        <>
          <p className={`notice ${kind === 'OVERRIDE' || overLimit ? 'warn' : ''}`}>
            {label} <strong>{count(n)}</strong> break{n === 1 ? '' : 's'} in one decision.{' '}
            {overLimit
              ? `Over the workspace's bulk limit (${count(p?.threshold)}${p && p.recentBulk > 0 ? `, counting the ${count(p.recentBulk)} you decided in bulk on this run in the last 24 hours` : ''}): this becomes one proposal that needs an approver, and it needs a comment.`
              : kind === 'OVERRIDE'
                ? 'Overrides are proposals: nothing changes until an approver approves.'
                : 'Takes effect at once.'}
          </p>
          <DecisionForm
            kind={kind}
            label={`${label} selected`}
            submitLabel={`${kind === 'OVERRIDE' ? 'Propose override of' : label} ${count(n)}`}
            reasons={reasons}
            requireComment={overLimit}
            busy={act.busy}
            error={act.error}
            onSubmit={(v) => void apply(kind, v)}
            onCancel={() => setKind(null)}
          />
        </>
      )}
    </div>
  );
}
