import { useState } from 'react';
import type { MatchAction } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useNav } from '../../navigation.ts';

const when = (iso: string): string => iso.replace('T', ' ').slice(0, 16);
const ids = (a: MatchAction, side: 'a' | 'b'): string =>
  a.rows
    .filter((r) => r.side === side)
    .map((r) => r.id)
    .join(', ') || '—';

/**
 * A manual match or unmatch waiting for an approver: its rows, sums and
 * comment. Another user with the approver role approves or rejects it (a
 * rejection says why); its maker sees it waiting and may withdraw it.
 */
export function MatchActionCard({ a, mine, canApprove, onSettled }: { a: MatchAction; mine: boolean; canApprove: boolean; onSettled: (text: string) => void }) {
  const client = useClient();
  const nav = useNav();
  const [verdict, setVerdict] = useState<'APPROVED' | 'REJECTED' | null>(null);
  const [comment, setComment] = useState('');
  const what = `manual ${a.kind === 'MATCH' ? 'match' : 'unmatch'} ${a.matchId}`;
  const decide = useAction(async (v: 'APPROVED' | 'REJECTED') => {
    await client.call('matching.decide', { actionId: a.actionId, verdict: v, ...(comment.trim() !== '' ? { comment: comment.trim() } : {}) });
    return `${v === 'APPROVED' ? 'Approved' : 'Rejected'} ${what} by ${a.maker}.`;
  });
  const withdraw = useAction(async () => {
    await client.call('matching.withdraw', { actionId: a.actionId });
    return `Withdrew your ${what}.`;
  });
  const settle = (p: Promise<string | undefined>): void => void p.then((text) => text !== undefined && onSettled(text));
  return (
    <article className="panel proposal-card" aria-label={`Manual ${a.kind === 'MATCH' ? 'match' : 'unmatch'} by ${a.maker}`}>
      <div className="proposal-head">
        <span className={`pill kind-${a.kind === 'MATCH' ? 'accept' : 'override'}`}>{a.kind}</span>
        <span className="mono">{a.matchId}</span>
        <span className="small">by {a.maker}</span>
        <span className="muted small">{when(a.decidedAt)}</span>
        <button type="button" className="link small" onClick={() => nav.go({ name: 'run', runId: a.runId, tab: 'matching' })}>
          run {a.runId}
        </button>
        <span className="spacer" />
      </div>
      <table className="data compact" aria-label="Rows and sums">
        <tbody>
          <tr>
            <th>A rows</th>
            <td className="mono small">{ids(a, 'a')}</td>
            <th>Sum A</th>
            <td className="num mono">{a.sumA ?? '—'}</td>
          </tr>
          <tr>
            <th>B rows</th>
            <td className="mono small">{ids(a, 'b')}</td>
            <th>Sum B</th>
            <td className="num mono">{a.sumB ?? '—'}</td>
          </tr>
          <tr>
            <th>Comment</th>
            <td className="small">{a.comment ?? ''}</td>
            <th>Difference</th>
            <td className="num mono">{a.difference ?? '—'}</td>
          </tr>
        </tbody>
      </table>
      {mine && (
        <div className="toolbar">
          <span className="muted small">Yours: waiting for another approver.</span>
          <button type="button" onClick={() => settle(withdraw.run())} disabled={withdraw.busy}>
            Withdraw
          </button>
        </div>
      )}
      {!mine && canApprove && verdict === null && (
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => setVerdict('APPROVED')}>
            Approve…
          </button>
          <button type="button" onClick={() => setVerdict('REJECTED')}>
            Reject…
          </button>
        </div>
      )}
      {!mine && canApprove && verdict !== null && (
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            settle(decide.run(verdict));
          }}
        >
          <input aria-label="Comment" value={comment} onChange={(e) => setComment(e.target.value)} placeholder={verdict === 'REJECTED' ? 'Why reject (required)' : 'Comment (optional)'} />
          <button type="submit" className={verdict === 'APPROVED' ? 'primary' : 'danger'} disabled={decide.busy || (verdict === 'REJECTED' && comment.trim() === '')}>
            {verdict === 'APPROVED' ? 'Approve' : 'Reject'} {a.kind === 'MATCH' ? 'match' : 'unmatch'}
          </button>
          <button type="button" className="link" onClick={() => setVerdict(null)}>
            Cancel
          </button>
        </form>
      )}
      {decide.error && <ErrorMessage error={decide.error} onDismiss={decide.clear} />}
      {withdraw.error && <ErrorMessage error={withdraw.error} onDismiss={withdraw.clear} />}
    </article>
  );
}
