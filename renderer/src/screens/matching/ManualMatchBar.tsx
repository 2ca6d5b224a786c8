import { useState } from 'react';
import type { MatchAction } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { SIDE_NAME, type PickedRow } from './row-text.ts';

/** What a manual match came to, in words. */
export function matchOutcome(a: MatchAction): string {
  return a.state === 'PENDING'
    ? `Manual match ${a.matchId} waits for an approver (above the approval threshold).`
    : `Matched by hand as ${a.matchId}: ${a.rows.length} rows.`;
}

/**
 * The rows picked on both sides: their counts and exact sums, the difference,
 * whether matching them needs an approver (matching.preview), a comment, and
 * Match (matching.match).
 */
export function ManualMatchBar({ runId, picked, onClear, onDone }: { runId: string; picked: PickedRow[]; onClear: () => void; onDone: (text: string) => void }) {
  const client = useClient();
  const [comment, setComment] = useState('');
  const rows = picked.map((r) => ({ side: r.side, rid: r.rid }));
  const preview = useCall('matching.preview', rows.length > 0 ? { runId, rows } : null);
  const match = useAction(async () => matchOutcome(await client.call('matching.match', { runId, rows, comment })));
  if (picked.length === 0) return null;
  const p = preview.data;
  const ofSide = (s: 'a' | 'b') => picked.filter((r) => r.side === s);
  const ready = ofSide('a').length > 0 && ofSide('b').length > 0;
  return (
    <section className="panel match-bar" aria-label="Manual match">
      <div className="match-bar-figures" role="status" aria-label="Manual match figures">
        {(['a', 'b'] as const).map((s) => (
          <span key={s}>
            {SIDE_NAME[s]}: <strong>{ofSide(s).length}</strong> rows · sum <span className="mono">{(s === 'a' ? p?.sumA : p?.sumB) ?? '…'}</span>
          </span>
        ))}
        <span>
          difference <span className="mono">{p?.difference ?? '…'}</span>
        </span>
        {p && (p.needsApproval ? <span className="pill state-pending_match">needs an approver (above {p.threshold})</span> : <span className="pill state-manual">no approval needed</span>)}
      </div>
      {preview.error && <ErrorMessage error={preview.error} />}
      <form
        className="match-bar-form"
        onSubmit={(e) => {
          e.preventDefault();
          void match.run().then((text) => {
            if (text === undefined) return;
            setComment('');
            onDone(text);
          });
        }}
      >
        <label>
          Why match? <input aria-label="Match comment" value={comment} onChange={(e) => setComment(e.target.value)} placeholder={ready ? 'A comment saying why (required)' : 'Pick rows on both sides'} />
        </label>
        <button type="submit" className="primary" disabled={!ready || comment.trim() === '' || match.busy}>
          Match
        </button>
        <button type="button" className="link" onClick={onClear}>
          Clear picks
        </button>
      </form>
      {match.error && <ErrorMessage error={match.error} onDismiss={match.clear} />}
    </section>
  );
}
