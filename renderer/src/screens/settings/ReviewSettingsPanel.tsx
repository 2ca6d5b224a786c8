import { useEffect, useState } from 'react';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';
import { useSession } from '../../session.tsx';

/**
 * The review's 4-eye limits: the bulk-proposal threshold (a bulk decision over
 * more breaks than this needs an approver) and the manual-match amount (a
 * manual match or unmatch above it needs an approver).
 */
export function ReviewSettingsPanel() {
  const client = useClient();
  const admin = useSession().has('admin');
  const settings = useCall('settings.get', {});
  useEvent('workflow.changed', (e) => e.what === 'settings' && settings.reload());
  const [bulk, setBulk] = useState('');
  const [matchAbove, setMatchAbove] = useState('');
  useEffect(() => {
    setBulk(settings.data ? String(settings.data.bulkProposalThreshold) : '');
    setMatchAbove(settings.data ? String(settings.data.matchApprovalAbove) : '');
  }, [settings.data]);
  const save = useAction(async () => {
    await client.call('settings.set', { bulkProposalThreshold: Number(bulk), matchApprovalAbove: Number(matchAbove) });
    settings.reload();
  });
  const whole = (v: string): boolean => /^\d+$/.test(v);
  const changed = Number(bulk) !== settings.data?.bulkProposalThreshold || Number(matchAbove) !== settings.data?.matchApprovalAbove;
  const valid = whole(bulk) && whole(matchAbove) && changed;
  return (
    <section className="panel settings-panel" aria-labelledby="review-settings-title">
      <h4 id="review-settings-title">Review</h4>
      <p className="small">
        Bulk-proposal threshold: a bulk decision over more than <strong>{count(settings.data?.bulkProposalThreshold)}</strong> breaks is a proposal that a second person with the
        approver role must approve. Overrides are always proposals.
      </p>
      <p className="small">
        Manual-match approval: a manual match or unmatch whose amount (the larger of its two sides&apos; absolute sums) is above{' '}
        <strong>{count(settings.data?.matchApprovalAbove)}</strong> waits for a second person with the approver role.
      </p>
      {admin && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <input type="number" min={0} aria-label="Bulk-proposal threshold" value={bulk} onChange={(e) => setBulk(e.target.value)} />
          <input type="number" min={0} aria-label="Manual-match approval above" value={matchAbove} onChange={(e) => setMatchAbove(e.target.value)} />
          <button type="submit" disabled={!valid || save.busy}>
            Save
          </button>
        </form>
      )}
      {save.error && <ErrorMessage error={save.error} onDismiss={save.clear} />}
    </section>
  );
}
