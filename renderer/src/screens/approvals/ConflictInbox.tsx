import type { ConflictItemDto } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useNav } from '../../navigation.ts';
import { conflictHeadline, remainderText, shownBreaks, winnerText } from './conflict-text.ts';

/**
 * The inbox of lost breaks: this workstation's decisions and proposals the
 * team server superseded for some breaks, because another device decided
 * them first. Each item names the decision, the breaks it lost, who won them
 * and with what, and what holds for the rest; it links to the run and the
 * breaks, and is dismissed once read. Refreshed with every pull.
 */
export function ConflictInbox() {
  const list = useCall('inbox.list', {});
  useEvent('workflow.changed', (e) => (e.what === 'decision' || e.what === 'approval') && list.reload());
  const items = list.data?.items ?? [];
  if (list.error) return <ErrorMessage error={list.error} onRetry={list.reload} />;
  if (items.length === 0) return null;
  return (
    <section className="panel conflict-inbox" aria-label="Lost to other devices">
      <h3>
        Lost to other devices <span className="count-badge">{items.length}</span>
      </h3>
      <p className="muted small">Another workstation decided some of these breaks first. Your decision still holds for the rest.</p>
      {items.map((c) => (
        <ConflictCard key={c.decisionId} c={c} onDismissed={list.reload} />
      ))}
    </section>
  );
}

function ConflictCard({ c, onDismissed }: { c: ConflictItemDto; onDismissed: () => void }) {
  const client = useClient();
  const nav = useNav();
  const dismiss = useAction(() => client.call('inbox.acknowledge', { decisionId: c.decisionId }));
  const onDismiss = async (): Promise<void> => {
    if (await dismiss.run()) onDismissed();
  };
  return (
    <article className="notice warn conflict-item" aria-label={conflictHeadline(c)}>
      <p>
        <strong>{conflictHeadline(c)}</strong>{' '}
        <button type="button" className="link" onClick={() => nav.go({ name: 'run', runId: c.runId, tab: 'breaks' })}>
          {c.definition ?? c.runId}
        </button>
      </p>
      <ul className="small">
        {c.winners.map((w) => {
          const shown = shownBreaks(w.breakIds);
          return (
            <li key={`${w.decisionId}-${w.status}-${w.reason ?? ''}`}>
              {winnerText(w)} on {w.breakIds.length === 1 ? 'break' : 'breaks'}{' '}
              {shown.ids.map((id) => (
                <button key={id} type="button" className="link mono" title="Open the break" onClick={() => nav.go({ name: 'break', runId: c.runId, breakId: id })}>
                  #{id}
                </button>
              ))}
              {shown.more > 0 && <span className="muted"> and {shown.more} more</span>} <span className="muted mono small">({w.decisionId.slice(0, 8)})</span>
            </li>
          );
        })}
      </ul>
      <p className="small">
        {remainderText(c)} <span className="muted mono">{c.decisionId.slice(0, 8)}</span>
      </p>
      {dismiss.error && <ErrorMessage error={dismiss.error} />}
      <button type="button" disabled={dismiss.busy} onClick={() => void onDismiss()}>
        Dismiss
      </button>
    </article>
  );
}

/** The number of inbox items, beside the Approvals section in the navigation (nothing when none). */
export function InboxBadge() {
  const list = useCall('inbox.list', {});
  useEvent('workflow.changed', (e) => (e.what === 'decision' || e.what === 'approval') && list.reload());
  const n = list.data?.items.length ?? 0;
  if (n === 0) return null;
  return (
    <span className="count-badge warn" aria-label={`${n} decision${n === 1 ? '' : 's'} lost breaks to other devices`} title="Decisions that lost breaks to other devices: see Approvals">
      {n}
    </span>
  );
}
