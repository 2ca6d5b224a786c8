import { useEffect, useMemo, useState, type ChangeEvent } from 'react';
import type { BreakFilterInput, BreakRow, ReasonDto } from '../../../../../engine/contract/index.ts';
import { useAction } from '../../../bridge/use-action.ts';
import { useCall, useClient } from '../../../bridge/use-client.ts';
import { count } from '../../../format.ts';
import { MakeRuleOffer } from '../../rules/MakeRuleOffer.tsx';
import { DecisionForm, type FormValue } from './DecisionForm.tsx';
import { outcomeText, suggestionOf } from './status.ts';

type Kind = 'ACCEPT' | 'OVERRIDE' | 'REJECT';
type DeltaRule = 'any' | 'same' | 'within';

/** The filter "similar to this break" from the parts the reviewer ticks. */
function filterOf(row: BreakRow, parts: { field: boolean; diffType: boolean; reason: boolean; delta: DeltaRule }): BreakFilterInput {
  const f: BreakFilterInput = {};
  const suggestion = suggestionOf(row);
  if (parts.field) f.field = row.field;
  if (parts.diffType) f.diffType = row.diffType;
  if (parts.reason && suggestion) f.reason = suggestion;
  if (parts.delta === 'same' && row.delta !== null) f.delta = row.delta;
  if (parts.delta === 'within' && row.delta !== null) f.maxAbsDelta = row.delta.replace(/^[+-]/, '');
  return f;
}

/** "Apply to all N similar": a filter built from this break, a live count, and one decision over the open ones. */
export function BulkPanel({ runId, row, reasons, onChanged }: { runId: string; row: BreakRow; reasons: ReasonDto[]; onChanged: () => void }) {
  const client = useClient();
  const suggestion = suggestionOf(row);
  const [parts, setParts] = useState({ field: true, diffType: true, reason: suggestion !== null, delta: 'any' as DeltaRule });
  const [kind, setKind] = useState<Kind | null>(null);
  const [notice, setNotice] = useState<string>();
  // An accept or override of several breaks in one decision: offer to make it a reason rule.
  const [ruleFrom, setRuleFrom] = useState<string | null>(null);
  const filter = useMemo(() => filterOf(row, parts), [row, parts]);
  const [args, setArgs] = useState({ runId, filter });
  // Counting scans the run: wait for the ticking to settle.
  useEffect(() => {
    const t = setTimeout(() => setArgs({ runId, filter }), 200);
    return () => clearTimeout(t);
  }, [runId, filter]);
  const preview = useCall('review.bulkPreview', Object.keys(filter).length > 0 ? args : null);
  const p = preview.data;
  const n = kind === 'ACCEPT' ? (p?.acceptable ?? 0) : (p?.open ?? 0);
  const overLimit = p !== undefined && n + p.recentBulk > p.threshold;
  const proposal = kind === 'OVERRIDE' || overLimit;
  const act = useAction((k: Kind, v: FormValue) =>
    client.call('review.bulk', { runId, filter, kind: k, ...(v.reason ? { reason: v.reason } : {}), ...(v.comment ? { comment: v.comment } : {}) }),
  );
  const apply = async (k: Kind, v: FormValue): Promise<void> => {
    const r = await act.run(k, v);
    if (!r) return;
    setKind(null);
    setRuleFrom(r.breakCount > 1 && (r.kind === 'ACCEPT' || r.kind === 'OVERRIDE') ? r.decisionId : null);
    setNotice(`${outcomeText(r.kind, r.proposal, r.breakCount)}${r.skipped ? ` ${count(r.skipped)} matching break(s) were not open and were left alone.` : ''}`);
    preview.reload();
    onChanged();
  };
  const tick = (k: 'field' | 'diffType' | 'reason') => (e: ChangeEvent<HTMLInputElement>) => setParts((x) => ({ ...x, [k]: e.target.checked }));

  return (
    <div className="panel bulk-panel" aria-label="Apply to similar breaks">
      <h4>Apply to all similar</h4>
      <div className="bulk-criteria">
        <label className="check">
          <input type="checkbox" checked={parts.field} onChange={tick('field')} /> field <span className="mono">{row.field === '*' ? '(record)' : row.field}</span>
        </label>
        <label className="check">
          <input type="checkbox" checked={parts.diffType} onChange={tick('diffType')} /> type <span className="mono">{row.diffType}</span>
        </label>
        <label className="check">
          <input type="checkbox" checked={parts.reason} disabled={suggestion === null} onChange={tick('reason')} /> suggested <span className="mono">{suggestion ?? '—'}</span>
        </label>
        {row.delta !== null && (
          <label>
            <span>Delta</span>
            <select aria-label="Delta pattern" value={parts.delta} onChange={(e) => setParts((x) => ({ ...x, delta: e.target.value as DeltaRule }))}>
              <option value="any">any Δ</option>
              <option value="same">same Δ ({row.delta})</option>
              <option value="within">|Δ| ≤ {row.delta.replace(/^[+-]/, '')}</option>
            </select>
          </label>
        )}
      </div>
      <p className="bulk-count" role="status">
        {Object.keys(filter).length === 0 ? (
          <span className="muted">Tick at least one part to match.</span>
        ) : p ? (
          <>
            <strong>{count(p.open)}</strong> open of {count(p.matched)} matching · {count(p.acceptable)} with a reason to accept
            {preview.loading && <span className="spinner" />}
          </>
        ) : (
          <span className="spinner" />
        )}
      </p>
      {kind === null ? (
        <div className="row">
          <button type="button" disabled={!p || p.acceptable === 0} onClick={() => setKind('ACCEPT')}>
            Accept all {p ? count(p.acceptable) : ''}
          </button>
          <button type="button" disabled={!p || p.open === 0} onClick={() => setKind('OVERRIDE')}>
            Override all
          </button>
          <button type="button" disabled={!p || p.open === 0} onClick={() => setKind('REJECT')}>
            Reject all
          </button>
        </div>
      ) : (
        <>
          <p className={`notice ${proposal ? 'warn' : ''}`}>
            {kind.charAt(0) + kind.slice(1).toLowerCase()} <strong>{count(n)}</strong> break{n === 1 ? '' : 's'} in one decision.{' '}
            {proposal
              ? kind === 'OVERRIDE'
                ? 'Overrides are proposals: nothing changes until an approver approves.'
                : `Over the bulk threshold (${count(p?.threshold)}${p && p.recentBulk > 0 ? `, counting the ${count(p.recentBulk)} you decided in bulk on this run in the last 24 hours` : ''}): this becomes one proposal that needs an approver.`
              : 'Takes effect at once.'}
          </p>
          {kind === 'ACCEPT' ? (
            <DecisionForm kind="ACCEPT" label="Accept all" submitLabel={`Accept ${count(n)}`} requireComment={overLimit} busy={act.busy} error={act.error} onSubmit={(v) => void apply('ACCEPT', v)} onCancel={() => setKind(null)} />
          ) : (
            <DecisionForm
              kind={kind}
              label={`${kind === 'OVERRIDE' ? 'Override' : 'Reject'} all`}
              submitLabel={`${kind === 'OVERRIDE' ? 'Propose override of' : 'Reject'} ${count(n)}`}
              reasons={reasons}
              requireComment={overLimit}
              busy={act.busy}
              error={act.error}
              onSubmit={(v) => void apply(kind, v)}
              onCancel={() => setKind(null)}
            />
          )}
        </>
      )}
      {notice && (
        <p className="notice ok" role="status">
          {notice}
        </p>
      )}
      {ruleFrom && <MakeRuleOffer key={ruleFrom} decisionId={ruleFrom} onDismiss={() => setRuleFrom(null)} />}
    </div>
  );
}
