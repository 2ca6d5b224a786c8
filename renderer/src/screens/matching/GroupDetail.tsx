import { useEffect, useState } from 'react';
import type { MatchRow } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { rowDetails, SIDE_NAME } from './row-text.ts';

/** One matched group: its rows of both sides, and Unmatch (a comment saying why; above the threshold it waits for an approver). */
export function GroupDetail({ runId, matchId, refresh, onDone }: { runId: string; matchId: string; refresh: number; onDone: (text: string) => void }) {
  const client = useClient();
  const detail = useCall('matching.groupRows', { runId, matchId });
  const { reload } = detail;
  // Another user's approval or a change elsewhere: read the group again.
  useEffect(() => {
    if (refresh > 0) reload();
  }, [refresh, reload]);
  const [comment, setComment] = useState('');
  const [open, setOpen] = useState(false);
  const unmatch = useAction(async () => {
    const a = await client.call('matching.unmatch', { runId, matchId, comment });
    return a.state === 'PENDING' ? `Unmatch of ${matchId} waits for an approver.` : `Unmatched ${matchId}: its rows are unmatched again.`;
  });
  const g = detail.data?.group;
  const busy = g?.state === 'PENDING_MATCH' || g?.state === 'PENDING_UNMATCH';
  return (
    <section className="panel group-detail" aria-label={`Match ${matchId}`}>
      <header className="match-section-header">
        <h4>
          Match <span className="mono">{matchId}</span> {g && <span className={`pill match-state state-${g.state.toLowerCase()}`}>{g.state}</span>}{' '}
          {g && <span className="muted small">{g.rule ?? 'manual'} · {g.matchType} · difference {g.difference ?? '—'}</span>}
        </h4>
        {g && !busy && !open && (
          <button type="button" onClick={() => setOpen(true)}>
            Unmatch…
          </button>
        )}
      </header>
      {detail.error && <ErrorMessage error={detail.error} onRetry={detail.reload} />}
      {detail.data && <GroupRowsTable matchId={matchId} rows={detail.data.rows} />}
      {busy && <p className="muted small">A change to this match waits for an approver (Approvals).</p>}
      {open && (
        <form
          className="unmatch-form"
          onSubmit={(e) => {
            e.preventDefault();
            void unmatch.run().then((text) => {
              if (text === undefined) return;
              setOpen(false);
              setComment('');
              onDone(text);
            });
          }}
        >
          <label>
            Why unmatch? <input aria-label="Unmatch comment" value={comment} onChange={(e) => setComment(e.target.value)} placeholder="A comment saying why (required)" autoFocus />
          </label>
          <button type="submit" className="danger" disabled={comment.trim() === '' || unmatch.busy}>
            Unmatch {matchId}
          </button>
          <button type="button" className="link" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </form>
      )}
      {unmatch.error && <ErrorMessage error={unmatch.error} onDismiss={unmatch.clear} />}
    </section>
  );
}

function GroupRowsTable({ matchId, rows }: { matchId: string; rows: MatchRow[] }) {
  return (
    <table className="data compact" aria-label={`Rows of match ${matchId}`}>
      <thead>
        <tr>
          <th>Side</th>
          <th>Id</th>
          <th>Date</th>
          <th className="num">Amount</th>
          <th>Details</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.side}:${r.rid}`}>
            <td>{SIDE_NAME[r.side]}</td>
            <td className="mono">{r.id}</td>
            <td>{r.date ?? ''}</td>
            <td className="num mono">{r.amount ?? ''}</td>
            <td className="small">{rowDetails(r)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
