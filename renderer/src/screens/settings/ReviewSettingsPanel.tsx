import { useEffect, useState } from 'react';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';
import { useSession } from '../../session.tsx';

/** The bulk-proposal threshold: a bulk decision over more breaks than this needs an approver. */
export function ReviewSettingsPanel() {
  const client = useClient();
  const admin = useSession().has('admin');
  const settings = useCall('settings.get', {});
  useEvent('workflow.changed', (e) => e.what === 'settings' && settings.reload());
  const [value, setValue] = useState('');
  useEffect(() => setValue(settings.data ? String(settings.data.bulkProposalThreshold) : ''), [settings.data]);
  const save = useAction(async () => {
    await client.call('settings.set', { bulkProposalThreshold: Number(value) });
    settings.reload();
  });
  const valid = /^\d+$/.test(value) && Number(value) !== settings.data?.bulkProposalThreshold;
  return (
    <section className="panel settings-panel" aria-labelledby="review-settings-title">
      <h4 id="review-settings-title">Review</h4>
      <p className="small">
        Bulk-proposal threshold: a bulk decision over more than <strong>{count(settings.data?.bulkProposalThreshold)}</strong> breaks is a proposal that a second person with the
        approver role must approve. Overrides are always proposals.
      </p>
      {admin && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <input type="number" min={0} aria-label="Bulk-proposal threshold" value={value} onChange={(e) => setValue(e.target.value)} />
          <button type="submit" disabled={!valid || save.busy}>
            Save
          </button>
        </form>
      )}
      {save.error && <ErrorMessage error={save.error} onDismiss={save.clear} />}
    </section>
  );
}
