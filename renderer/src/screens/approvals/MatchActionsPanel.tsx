import type { MatchAction } from '../../../../engine/contract/index.ts';
import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSession } from '../../session.tsx';
import { MatchActionCard } from './MatchActionCard.tsx';

/** Manual matches and unmatches waiting for an approver: others' to approve or reject, one's own to wait for or withdraw. */
export function MatchActionsPanel({ onSettled }: { onSettled: (text: string) => void }) {
  const list = useCall('matching.actions', { pendingOnly: true });
  const me = useSession().me?.userId;
  useEvent('workflow.changed', (e) => (e.what === 'decision' || e.what === 'approval' || e.what === 'users') && list.reload());
  const actions = list.data?.actions ?? [];
  const mine = (a: MatchAction): boolean => a.maker === me;
  const theirs = actions.filter((a) => !mine(a));
  const own = actions.filter(mine);
  const settled = (text: string): void => {
    onSettled(text);
    list.reload();
  };
  return (
    <section aria-labelledby="match-approvals-title">
      <h3 id="match-approvals-title">
        Manual matches waiting <span className="count-badge">{actions.length}</span>
      </h3>
      {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {list.data && actions.length === 0 && <div className="panel empty-small muted">No manual match or unmatch is waiting.</div>}
      {theirs.map((a) => (
        <MatchActionCard key={a.actionId} a={a} mine={false} canApprove={list.data?.canApprove ?? false} onSettled={settled} />
      ))}
      {own.map((a) => (
        <MatchActionCard key={a.actionId} a={a} mine canApprove={false} onSettled={settled} />
      ))}
    </section>
  );
}
