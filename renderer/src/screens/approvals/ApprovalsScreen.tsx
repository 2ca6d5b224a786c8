import { useState } from 'react';
import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useKeys } from '../../keys.ts';
import { ProposalCard } from './ProposalCard.tsx';
import '../breaks/review/review.css';
import './approvals.css';

/** Proposals waiting for this user (never their own: the 4-eye rule), with the evidence; and their own, waiting for someone else. */
export function ApprovalsScreen() {
  const list = useCall('approvals.list', {});
  const [selected, setSelected] = useState(0);
  const [notice, setNotice] = useState<string>();
  useEvent('workflow.changed', (e) => (e.what === 'decision' || e.what === 'approval' || e.what === 'users') && list.reload());
  const waiting = list.data?.waiting ?? [];
  const mine = list.data?.mine ?? [];
  const move = (d: number): void => setSelected((s) => Math.max(0, Math.min(waiting.length - 1, s + d)));
  useKeys({ j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1), r: list.reload });
  const canApprove = list.data?.canApprove ?? false;

  return (
    <section className="screen approvals" aria-labelledby="approvals-title">
      <header className="screen-header">
        <div>
          <h2 id="approvals-title">Approvals</h2>
          <p className="muted small">The 4-eye check: an override, or a bulk decision over the threshold, takes effect only when a different person with the approver role approves it.</p>
        </div>
        <div className="toolbar">
          <button type="button" onClick={list.reload} title="Refresh (r)">
            {list.loading && <span className="spinner" />} Refresh
          </button>
        </div>
      </header>
      {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {notice && (
        <p className="notice ok" role="status">
          {notice}
        </p>
      )}
      {list.data && !canApprove && (
        <p className="notice warn">You do not hold the approver role, so you cannot approve or reject these. An admin grants roles in Settings → Users &amp; roles.</p>
      )}
      <h3>
        Waiting for you <span className="count-badge">{waiting.length}</span>
      </h3>
      {list.data && waiting.length === 0 && <div className="panel empty-small muted">Nothing waiting for you.</div>}
      {waiting.map((p, i) => (
        <ProposalCard
          key={p.decisionId}
          p={p}
          selected={i === selected}
          actionable={canApprove}
          onSelect={() => setSelected(i)}
          onSettled={(text) => {
            setNotice(text);
            list.reload();
          }}
        />
      ))}
      <h3>
        Your proposals, waiting for another approver <span className="count-badge">{mine.length}</span>
      </h3>
      {list.data && mine.length === 0 && <div className="panel empty-small muted">You have no proposals waiting.</div>}
      {mine.map((p) => (
        <ProposalCard key={p.decisionId} p={p} selected={false} actionable={false} onSelect={() => undefined} onSettled={() => undefined} />
      ))}
      {/* Team sync (issue 6) fills this: proposals made on teammates' machines arrive here once the team connection exists. */}
      <p className="hint">
        Proposals made on other machines arrive here once the team connection is set up (Settings → Team connection). <kbd>j</kbd>/<kbd>k</kbd> select · <kbd>r</kbd> refresh
      </p>
    </section>
  );
}
