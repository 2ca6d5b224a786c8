import { useEffect } from 'react';
import type { UnmatchedRow } from '../../../../engine/contract/index.ts';
import { useCall } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { pickKey, SIDE_NAME, type PickedRow } from './row-text.ts';

/** The best candidates on the other side for the unmatched row clicked, and why each is one; a candidate can be picked for the match. */
export function CandidatesPanel({ runId, row, refresh, picked, onToggle }: { runId: string; row: UnmatchedRow; refresh: number; picked: ReadonlySet<string>; onToggle: (row: PickedRow) => void }) {
  const found = useCall('matching.candidates', { runId, side: row.side, rid: row.rid, limit: 10 });
  const { reload } = found;
  // A match made meanwhile takes rows out of the candidates.
  useEffect(() => {
    if (refresh > 0) reload();
  }, [refresh, reload]);
  const list = found.data?.candidates ?? [];
  const other = SIDE_NAME[row.side === 'a' ? 'b' : 'a'];
  return (
    <section className="panel candidates" aria-label={`Candidates for ${SIDE_NAME[row.side]} ${row.id}`}>
      <h4>
        Candidates in {other} for <span className="mono">{row.id}</span>{' '}
        <span className="muted small">
          {row.date ?? ''} · {row.amount ?? ''} · {row.status}
        </span>
      </h4>
      {found.error && <ErrorMessage error={found.error} onRetry={found.reload} />}
      {found.data && list.length === 0 && <p className="muted small">No unmatched row in {other} comes close (same currency, amount within 10%, date within 10 days).</p>}
      {list.length > 0 && (
        <table className="data compact" aria-label="Candidates">
          <thead>
            <tr>
              <th />
              <th>Id</th>
              <th>Date</th>
              <th className="num">Amount</th>
              <th className="num">Score</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.rid}>
                <td>
                  <input type="checkbox" aria-label={`Pick candidate ${c.id}`} checked={picked.has(pickKey(c.side, c.rid))} onChange={() => onToggle(c)} />
                </td>
                <td className="mono">{c.id}</td>
                <td>{c.date ?? ''}</td>
                <td className="num mono">{c.amount ?? ''}</td>
                <td className="num">{c.score.toFixed(3)}</td>
                <td className="small">
                  {c.why}
                  {c.rule !== null && <span className="muted"> (tied under rule “{c.rule}”)</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
