import { useState } from 'react';
import type { ListedProposal, SyncMarkName } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';
import { useNav } from '../../navigation.ts';
import { DecisionForm, type FormValue } from '../breaks/review/DecisionForm.tsx';
import { statusClass } from '../breaks/review/status.ts';

const when = (iso: string): string => iso.replace('T', ' ').slice(0, 16);
/** Breaks of a proposal shown per page (approvals.list brings the first page with the proposal). */
const PAGE = 10;

/** How a sync mark reads, and its pill's style. */
export const SYNC_MARK: Record<SyncMarkName, { text: string; cls: string; title: string }> = {
  PENDING_PUSH: { text: 'pending sync', cls: 'sync-pending', title: 'Only on this workstation so far: it goes to the team server on the next sync' },
  APPLIED: { text: 'synced', cls: 'sync-online', title: 'The team server holds it' },
  SUPERSEDED: { text: 'superseded', cls: 'sync-superseded', title: 'Another device decided these breaks first: it no longer applies' },
  REFUSED: { text: 'refused by server', cls: 'sync-refused', title: 'The team server refused it (see Settings → Team connection)' },
};

/** "from another device · 1a2b3c4d" for proposals pulled from the team server. */
/** Who pushed the evidence of a run made on another device: the approver judges what that login sent. */
function EvidenceSource({ pushedBy }: { pushedBy: readonly { login: string; breaks: number }[] }) {
  if (pushedBy.length === 0) return <p className="muted small evidence-source">No evidence pulled yet for these breaks.</p>;
  return (
    <p className="muted small evidence-source" aria-label="Evidence source">
      Evidence pushed to the team server by{' '}
      {pushedBy.map((x, i) => (
        <span key={x.login}>
          {i > 0 && ', '}
          <strong className="mono">{x.login}</strong> ({x.breaks} break{x.breaks === 1 ? '' : 's'})
        </span>
      ))}
    </p>
  );
}

export function Origin({ origin, deviceId }: { origin: 'local' | 'remote'; deviceId: string }) {
  if (origin === 'local') return null;
  return (
    <span className="pill origin-remote" title={`Made on device ${deviceId}, pulled from the team server`}>
      from another device · <span className="mono">{deviceId.slice(0, 8)}</span>
    </span>
  );
}

/** The sync mark of a proposal (or an approval). */
export function SyncMark({ mark, detail, label }: { mark: SyncMarkName; detail?: string | null; label?: string }) {
  const m = SYNC_MARK[mark];
  return (
    <span className={`pill ${m.cls}`} title={detail ? `${m.title} (${detail})` : m.title} aria-label={`${label ?? 'Sync'}: ${m.text}`}>
      {m.text}
    </span>
  );
}

/** "field = Notional · suggested = ROUNDING_DIFF": a bulk proposal's filter in words. */
function filterText(filter: unknown): string {
  if (filter === null || typeof filter !== 'object') return '';
  const f = filter as Record<string, unknown>;
  // A selection in the grid: the ids are listed below, page by page.
  if (Array.isArray(f['breakIds'])) return `${count(f['breakIds'].length)} selected in the grid`;
  const names: Record<string, string> = { field: 'field', diffType: 'type', reason: 'suggested', delta: 'Δ', maxAbsDelta: '|Δ| ≤', baseStatus: 'model status' };
  return Object.entries(filter as Record<string, unknown>)
    .map(([k, v]) => `${names[k] ?? k} ${k === 'maxAbsDelta' ? '' : '= '}${String(v)}`)
    .join(' · ');
}

/**
 * One proposal with the evidence an approver needs. An approver other than
 * its maker approves or rejects it with a comment (`actionable`); its maker
 * may withdraw it while it waits (`withdrawable`), which the engine allows
 * only to them.
 */
export function ProposalCard({
  p,
  selected,
  actionable,
  withdrawable = false,
  syncOn,
  onSelect,
  onSettled,
}: {
  p: ListedProposal;
  selected: boolean;
  actionable: boolean;
  /** This user made it: offer Withdraw (never Approve or Reject). */
  withdrawable?: boolean;
  /** Team sync is configured: show where the proposal stands with the server. */
  syncOn: boolean;
  onSelect: () => void;
  onSettled: (text: string) => void;
}) {
  const client = useClient();
  const nav = useNav();
  const [mode, setMode] = useState<'APPROVE' | 'DECLINE' | null>(null);
  const [withdrawing, setWithdrawing] = useState(false);
  const [withdrawNote, setWithdrawNote] = useState('');
  const pull = useAction((comment: string) => client.call('approvals.withdraw', { decisionId: p.decisionId, ...(comment.trim() ? { comment: comment.trim() } : {}) }));
  const withdraw = async (): Promise<void> => {
    const r = await pull.run(withdrawNote);
    if (r) {
      setWithdrawing(false);
      onSettled(`Withdrew your ${p.kind.toLowerCase()} (${count(r.breakCount)} break${r.breakCount === 1 ? '' : 's'} back to where ${r.breakCount === 1 ? 'it was' : 'they were'}).`);
    }
  };
  const act = useAction((verdict: 'APPROVE' | 'REJECT', v: FormValue) => client.call('approvals.decide', { decisionId: p.decisionId, verdict, ...(v.comment ? { comment: v.comment } : {}) }));
  const settle = async (verdict: 'APPROVE' | 'REJECT', v: FormValue): Promise<void> => {
    const r = await act.run(verdict, v);
    if (r) onSettled(`${r.verdict === 'APPROVED' ? 'Approved' : 'Rejected'} ${p.kind.toLowerCase()} by ${p.maker} (${count(r.breakCount)} break${r.breakCount === 1 ? '' : 's'}).`);
  };
  const bulk = p.bulkFilter !== null && p.bulkFilter !== undefined;
  const remote = p.origin === 'remote';
  // Every break of the proposal, a page at a time: the first page came with the list, later ones from approvals.breaks.
  const [offset, setOffset] = useState(0);
  const more = useCall('approvals.breaks', offset > 0 ? { decisionId: p.decisionId, offset, limit: PAGE } : null);
  const shown = offset === 0 ? p.breaks : (more.data?.breaks ?? []);
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
        <Origin origin={p.origin} deviceId={p.deviceId} />
        {(syncOn || p.origin === 'remote') && <SyncMark mark={p.sync} detail={p.syncDetail} />}
        <span className="muted small">
          by <strong className="maker">{p.maker}</strong> · {when(p.decidedAt)} ·{' '}
          {/* A run made on another device has no file here: its evidence below is what the team server holds. */}
          {remote ? (
            <span title={`Run ${p.runId}, made on another device`}>{p.definition ?? p.runId}</span>
          ) : (
            <button type="button" className="link" onClick={() => nav.go({ name: 'run', runId: p.runId, tab: 'overview' })}>
              {p.definition ?? p.runId}
            </button>
          )}
        </span>
      </header>
      {p.comment && <blockquote>{p.comment}</blockquote>}
      {remote && <EvidenceSource pushedBy={p.evidencePushedBy} />}
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
          {shown.map((b) => (
            <tr key={b.breakId}>
              <td className="num muted">
                {remote ? (
                  b.breakId
                ) : (
                  <button type="button" className="link" title="Open the break" onClick={() => nav.go({ name: 'break', runId: p.runId, breakId: b.breakId })}>
                    {b.breakId}
                  </button>
                )}
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
      {p.breaks.length === 0 && (
        <p className="muted small">{remote ? 'The evidence has not come down from the team server yet: it arrives with the next sync.' : 'No evidence: the run file is not available.'}</p>
      )}
      {p.breakCount > PAGE && p.breaks.length > 0 && (
        <div className="row evidence-pager" aria-label="Breaks of the proposal" onClick={(e) => e.stopPropagation()}>
          <span className="muted small" role="status">
            {more.loading ? <span className="spinner" /> : null}Breaks {count(offset + 1)}–{count(Math.min(offset + PAGE, p.breakCount))} of {count(p.breakCount)}
          </span>
          <button type="button" disabled={offset === 0} onClick={() => setOffset((o) => Math.max(0, o - PAGE))}>
            ‹ Previous
          </button>
          <button type="button" disabled={offset + PAGE >= p.breakCount} onClick={() => setOffset((o) => o + PAGE)}>
            Next ›
          </button>
        </div>
      )}
      {more.error && <ErrorMessage error={more.error} />}
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
      {withdrawable && !withdrawing && (
        <div className="row">
          <button type="button" onClick={() => setWithdrawing(true)} title="Take your proposal back: its breaks return to where they were">
            Withdraw…
          </button>
        </div>
      )}
      {withdrawable && withdrawing && (
        <form
          className="withdraw-form"
          aria-label="Withdraw proposal"
          onSubmit={(e) => {
            e.preventDefault();
            void withdraw();
          }}
        >
          <p className="small muted">Withdraw your proposal: its breaks go back to where they were, and you can decide on them again.</p>
          <input aria-label="Why (optional)" placeholder="Why (optional)" value={withdrawNote} maxLength={2000} onChange={(e) => setWithdrawNote(e.target.value)} />
          <div className="row">
            <button type="submit" className="danger" disabled={pull.busy}>
              {pull.busy && <span className="spinner" />} Withdraw proposal
            </button>
            <button type="button" onClick={() => setWithdrawing(false)} disabled={pull.busy}>
              Cancel
            </button>
          </div>
          {pull.error && <ErrorMessage error={pull.error} onDismiss={pull.clear} />}
        </form>
      )}
    </article>
  );
}
