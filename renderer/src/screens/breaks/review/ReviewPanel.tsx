import { useState } from 'react';
import type { BreakRow, CallResult, ReasonDto } from '../../../../../engine/contract/index.ts';
import { useAction } from '../../../bridge/use-action.ts';
import { useClient } from '../../../bridge/use-client.ts';
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { age } from '../../../format.ts';
import { useKeys } from '../../../keys.ts';
import { useSession } from '../../../session.tsx';
import { DecisionForm, type FormKind, type FormValue } from './DecisionForm.tsx';
import { canAccept, isDecided, isOpen, outcomeText, statusClass, suggestionOf } from './status.ts';

type History = CallResult<'review.history'>;

/** The review controls of one break: accept (a), override (o), reject (r), reopen (u), or settle its pending proposal. */
export function ReviewPanel(props: { runId: string; row: BreakRow; history: History | undefined; reasons: ReasonDto[]; onChanged: () => void }) {
  const { runId, row, history } = props;
  const client = useClient();
  const { has, me } = useSession();
  const [mode, setMode] = useState<FormKind | null>(null);
  const [notice, setNotice] = useState<string>();
  const status = row.status;
  const suggestion = suggestionOf(row);
  const isMaker = (p: { actor: string } | undefined): boolean => p !== undefined && p.actor === me?.userId;
  const proposal = status === 'PROPOSED' ? history?.entries.find((e) => e.decisionId === history.current?.decisionId) : undefined;

  const act = useAction(async (kind: FormKind | 'ACCEPT', v: FormValue) => {
    if (kind === 'WITHDRAW') {
      const r = await client.call('approvals.withdraw', { decisionId: history!.current!.decisionId, ...(v.comment ? { comment: v.comment } : {}) });
      return `Proposal withdrawn: ${r.breakCount === 1 ? 'the break is back where it was' : `${r.breakCount} breaks are back where they were`}.`;
    }
    if (kind === 'APPROVE' || kind === 'DECLINE') {
      const r = await client.call('approvals.decide', { decisionId: history!.current!.decisionId, verdict: kind === 'APPROVE' ? 'APPROVE' : 'REJECT', ...(v.comment ? { comment: v.comment } : {}) });
      return `Proposal ${r.verdict.toLowerCase()}.`;
    }
    const r = await client.call('review.decide', { runId, breakId: row.breakId, kind, ...(v.reason ? { reason: v.reason } : {}), ...(v.comment ? { comment: v.comment } : {}) });
    return outcomeText(r.kind, r.proposal, r.breakCount);
  });
  const start = (kind: FormKind): void => {
    act.clear();
    setNotice(undefined);
    setMode(kind);
  };
  const submit = async (kind: FormKind | 'ACCEPT', v: FormValue): Promise<void> => {
    const text = await act.run(kind, v);
    if (text === undefined) return;
    setMode(null);
    setNotice(text);
    props.onChanged();
  };
  const accept = (): void => {
    if (canAccept(row)) void submit('ACCEPT', { comment: '' });
  };
  useKeys({
    a: accept,
    o: () => isOpen(status) && start('OVERRIDE'),
    r: () => isOpen(status) && start('REJECT'),
    u: () => isDecided(status) && start('REOPEN'),
  });

  return (
    <div className="panel review-panel" aria-label="Review">
      <h4>
        Review <span className={statusClass(status)}>{status ?? 'NO STATUS'}</span>
      </h4>
      {isOpen(status) && (
        <p className="small muted">
          Suggested: <strong className="mono">{suggestion ?? '—'}</strong>
          {row.confidence !== null && ` (${Math.round(row.confidence * 100)}% confident)`}
        </p>
      )}
      {isDecided(status) && history?.current && (
        <p className="small">
          {status === 'OVERRIDDEN' ? 'Overridden to' : status === 'ACCEPTED' ? 'Accepted as' : 'Rejected'} {history.current.reason && <strong className="mono">{history.current.reason}</strong>}{' '}
          <span className="muted">{age(history.current.updatedAt)}</span>
        </p>
      )}
      {proposal && (
        <div className="proposal-box">
          <p className="small">
            <strong>{proposal.actor}</strong> proposed {proposal.kind === 'OVERRIDE' ? <>override to <strong className="mono">{proposal.reason}</strong></> : proposal.kind.toLowerCase()}
            {proposal.bulk && ` (bulk, ${proposal.breakCount} breaks)`} <span className="muted">{age(proposal.decidedAt)}</span>
          </p>
          {proposal.comment && <blockquote>{proposal.comment}</blockquote>}
          <p className="muted small">
            {proposal.actor === me?.userId ? 'You made this proposal: a different person with the approver role must approve it (4-eye check).' : 'Waiting for a second person with the approver role (4-eye check).'}
          </p>
        </div>
      )}
      {mode === null && (
        <div className="row review-actions">
          {isOpen(status) && (
            <>
              <button type="button" className="primary" onClick={accept} disabled={!canAccept(row) || act.busy} title={canAccept(row) ? `Accept ${suggestion}` : 'No suggested reason to accept: override instead'}>
                Accept <kbd>a</kbd>
              </button>
              <button type="button" onClick={() => start('OVERRIDE')}>
                Override <kbd>o</kbd>
              </button>
              <button type="button" className="danger" onClick={() => start('REJECT')}>
                Reject <kbd>r</kbd>
              </button>
            </>
          )}
          {isDecided(status) && (
            <button type="button" onClick={() => start('REOPEN')}>
              Reopen <kbd>u</kbd>
            </button>
          )}
          {/* The maker withdraws their own proposal; only an approver other than the maker approves or rejects it (4-eye). */}
          {proposal && isMaker(proposal) && (
            <button type="button" onClick={() => start('WITHDRAW')} title="Take your proposal back: its breaks return to where they were">
              Withdraw
            </button>
          )}
          {proposal && !isMaker(proposal) && has('approver') && (
            <>
              <button type="button" className="primary" onClick={() => start('APPROVE')} title="Approve this proposal">
                Approve
              </button>
              <button type="button" className="danger" onClick={() => start('DECLINE')}>
                Reject proposal
              </button>
            </>
          )}
        </div>
      )}
      {mode !== null && (
        <DecisionForm kind={mode} reasons={props.reasons} exclude={suggestion} busy={act.busy} error={act.error} onSubmit={(v) => void submit(mode, v)} onCancel={() => setMode(null)} />
      )}
      {mode === null && act.error && <ErrorMessage error={act.error} onDismiss={act.clear} />}
      {notice && (
        <p className="notice ok" role="status">
          {notice}
        </p>
      )}
    </div>
  );
}
