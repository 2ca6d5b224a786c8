import { useState } from 'react';
import type { Proposal } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useClient } from '../../bridge/use-client.ts';
import { count } from '../../format.ts';
import { useNav } from '../../navigation.ts';
import { DecisionForm, type FormValue } from '../breaks/review/DecisionForm.tsx';
import { statusClass } from '../breaks/review/status.ts';

const when = (iso: string): string => iso.replace('T', ' ').slice(0, 16);

/** "field = Notional · suggested = ROUNDING_DIFF": a bulk proposal's filter in words. */
function filterText(filter: unknown): string {
  if (filter === null || typeof filter !== 'object') return '';
  const names: Record<string, string> = { field: 'field', diffType: 'type', reason: 'suggested', delta: 'Δ', maxAbsDelta: '|Δ| ≤', baseStatus: 'model status' };
  return Object.entries(filter as Record<string, unknown>)
    .map(([k, v]) => `${names[k] ?? k} ${k === 'maxAbsDelta' ? '' : '= '}${String(v)}`)
    .join(' · ');
}

/** One proposal with the evidence an approver needs; approve or reject it with a comment. */
export function ProposalCard({ p, selected, actionable, onSelect, onSettled }: { p: Proposal; selected: boolean; actionable: boolean; onSelect: () => void; onSettled: (text: string) => void }) {
  const client = useClient();
  const nav = useNav();
  const [mode, setMode] = useState<'APPROVE' | 'DECLINE' | null>(null);
  const act = useAction((verdict: 'APPROVE' | 'REJECT', v: FormValue) => client.call('approvals.decide', { decisionId: p.decisionId, verdict, ...(v.comment ? { comment: v.comment } : {}) }));
  const settle = async (verdict: 'APPROVE' | 'REJECT', v: FormValue): Promise<void> => {
    const r = await act.run(verdict, v);
    if (r) onSettled(`${r.verdict === 'APPROVED' ? 'Approved' : 'Rejected'} ${p.kind.toLowerCase()} by ${p.maker} (${count(r.breakCount)} break${r.breakCount === 1 ? '' : 's'}).`);
  };
  const bulk = p.bulkFilter !== null && p.bulkFilter !== undefined;
  return (
    <article className={`panel proposal-card ${selected ? 'selected' : ''}`} aria-label={`Proposal by ${p.maker}`} onClick={onSelect}>
      <header className="proposal-head">
        <span className={`pill kind-${p.kind.toLowerCase()}`}>{p.kind}</span>
        {p.reason && (
          <span>
            → <strong className="mono">{p.reason}</strong>
          </span>
        )}
        <span className="muted">
          {count(p.breakCount)} break{p.breakCount === 1 ? '' : 's'}
          {bulk && ` · bulk: ${filterText(p.bulkFilter)}`}
        </span>
        <span className="spacer" />
        <span className="muted small">
          by <strong className="maker">{p.maker}</strong> · {when(p.decidedAt)} ·{' '}
          <button type="button" className="link" onClick={() => nav.go({ name: 'run', runId: p.runId, tab: 'overview' })}>
            {p.definition ?? p.runId}
          </button>
        </span>
      </header>
      {p.comment && <blockquote>{p.comment}</blockquote>}
      <table className="data compact evidence" aria-label="Evidence">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Key</th>
            <th>Field</th>
            <th>Value A</th>
            <th>Value B</th>
            <th className="num">Δ</th>
            <th>Model said</th>
            <th>Becomes</th>
          </tr>
        </thead>
        <tbody>
          {p.breaks.map((b) => (
            <tr key={b.breakId}>
              <td className="num muted">
                <button type="button" className="link" title="Open the break" onClick={() => nav.go({ name: 'break', runId: p.runId, breakId: b.breakId })}>
                  {b.breakId}
                </button>
              </td>
              <td className="mono">{b.key}</td>
              <td>{b.field === '*' ? '(record)' : b.field}</td>
              <td className="mono cell-diff">{b.valueA ?? '∅'}</td>
              <td className="mono cell-diff">{b.valueB ?? '∅'}</td>
              <td className="mono num">{b.delta ?? ''}</td>
              <td className="mono">
                {b.suggestedReason ?? b.modelReason ?? '—'} {b.confidence !== null && <span className="muted">{Math.round(b.confidence * 100)}%</span>}
              </td>
              <td>
                <span className={statusClass(b.toStatus)}>{b.toStatus}</span> {b.proposedReason && <span className="mono small">{b.proposedReason}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.breakCount > p.breaks.length && <p className="muted small">Showing {p.breaks.length} of {count(p.breakCount)} breaks.</p>}
      {actionable && mode === null && (
        <div className="row">
          <button type="button" className="primary" onClick={() => setMode('APPROVE')}>
            Approve…
          </button>
          <button type="button" className="danger" onClick={() => setMode('DECLINE')}>
            Reject…
          </button>
        </div>
      )}
      {actionable && mode !== null && (
        <DecisionForm kind={mode} busy={act.busy} error={act.error} onSubmit={(v) => void settle(mode === 'APPROVE' ? 'APPROVE' : 'REJECT', v)} onCancel={() => setMode(null)} />
      )}
    </article>
  );
}
