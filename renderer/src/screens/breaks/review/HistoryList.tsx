import type { CallResult } from '../../../../../engine/contract/index.ts';
import { statusClass } from './status.ts';

type History = CallResult<'review.history'>;

const when = (iso: string): string => iso.replace('T', ' ').slice(0, 16);
/** What the person who settled a proposal did: the maker withdrew it, an approver approved or rejected it. */
const VERB: Record<'APPROVED' | 'REJECTED' | 'WITHDRAWN', string> = { APPROVED: 'approved', REJECTED: 'rejected', WITHDRAWN: 'withdrew' };

/** Every decision and approval on this break, oldest first: who, when, what, why. */
export function HistoryList({ history }: { history: History | undefined }) {
  return (
    <div className="panel history" aria-label="History">
      <h4>History</h4>
      {history && history.entries.length === 0 && !history.carried && <p className="muted small">No decision yet: the model's status stands.</p>}
      {history?.carried && (
        <p className="small carried-note" aria-label="Carried">
          {history.carried.kept ? (
            <>
              Decision carried from run <span className="mono">{history.carried.fromRunId}</span> (break {history.carried.fromBreakId}) on {when(history.carried.carriedAt)}: its
              values have not changed, so <span className={statusClass(history.carried.status)}>{history.carried.status}</span> stands without a new approval.
            </>
          ) : (
            <>
              The decision made in run <span className="mono">{history.carried.fromRunId}</span> (<span className={statusClass(history.carried.status)}>{history.carried.status}</span>) was
              dropped on {when(history.carried.carriedAt)}: the break's values changed since the decision.
            </>
          )}
        </p>
      )}
      <ol className="timeline">
        {history?.entries.map((e) => (
          <li key={`${e.runId}:${e.decisionId}`}>
            <div>
              <span className="mono muted">{when(e.decidedAt)}</span> <strong>{e.actor}</strong> {e.kind.toLowerCase()}
              {e.reason && (
                <>
                  {' '}
                  → <span className="mono">{e.reason}</span>
                </>
              )}
              {e.bulk && <span className="muted"> · bulk of {e.breakCount}</span>}
              {history && e.runId !== history.entries.at(-1)?.runId && <span className="muted"> · in run {e.runId}</span>} <span className={statusClass(e.proposal ? 'PROPOSED' : e.to)}>{e.proposal ? 'PROPOSED' : e.to}</span>
            </div>
            {e.comment && <blockquote>{e.comment}</blockquote>}
            {e.approval && (
              <div className="approval-line">
                <span className="mono muted">{when(e.approval.decidedAt)}</span> <strong>{e.approval.approver}</strong> {VERB[e.approval.verdict]} the proposal{' '}
                <span className={statusClass(e.approval.verdict === 'APPROVED' ? e.to : e.from)}>{e.approval.verdict === 'APPROVED' ? e.to : e.from}</span>
                {e.approval.comment && <blockquote>{e.approval.comment}</blockquote>}
              </div>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
