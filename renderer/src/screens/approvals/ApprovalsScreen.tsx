import { useState } from 'react';
import type { SettledProposal } from '../../../../engine/contract/index.ts';
import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';
import { useKeys } from '../../keys.ts';
import { useSyncStatus } from '../settings/use-sync-status.ts';
import { ConflictInbox } from './ConflictInbox.tsx';
import { MatchActionsPanel } from './MatchActionsPanel.tsx';
import { Origin, ProposalCard, SyncMark } from './ProposalCard.tsx';
import '../breaks/review/review.css';
import './approvals.css';

/**
 * Proposals waiting for this user (never their own: the 4-eye rule), with the
 * evidence; their own, waiting for someone else; and the latest settled ones.
 * With team sync, proposals made on other devices arrive here too, marked
 * with their origin and whether the team server has them.
 */
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
  const syncOn = useSyncStatus().overview?.configured ?? false;
  const settled = list.data?.settled ?? [];

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
      <ConflictInbox />
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
          syncOn={syncOn}
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
        <ProposalCard
          key={p.decisionId}
          p={p}
          selected={false}
          actionable={false}
          // Your own proposal: never Approve or Reject (the 4-eye rule), but you may take it back while it waits.
          withdrawable={p.sync !== 'SUPERSEDED' && p.sync !== 'REFUSED'}
          syncOn={syncOn}
          onSelect={() => undefined}
          onSettled={(text) => {
            setNotice(text);
            list.reload();
          }}
        />
      ))}
      <MatchActionsPanel onSettled={setNotice} />
      {settled.length > 0 && <SettledTable rows={settled} syncOn={syncOn} />}
      <p className="hint">
        {syncOn
          ? 'Proposals made on other workstations arrive here with each sync.'
          : 'Proposals made on other workstations arrive here once the team connection is set up (Settings → Team connection).'}{' '}
        <kbd>j</kbd>/<kbd>k</kbd> select · <kbd>r</kbd> refresh
      </p>
    </section>
  );
}

/** The latest proposals this user made or decided that are settled: who approved or rejected them, and whether that reached the team server. */
function SettledTable({ rows, syncOn }: { rows: SettledProposal[]; syncOn: boolean }) {
  return (
    <>
      <h3>Recently settled</h3>
      <table className="data compact settled" aria-label="Recently settled proposals">
        <thead>
          <tr>
            <th>Proposal</th>
            <th>By</th>
            <th className="num">Breaks</th>
            <th>Verdict</th>
            <th>Comment</th>
            {syncOn && <th>Sync</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.decisionId} aria-label={`Proposal by ${p.maker}, ${p.verdict.toLowerCase()} by ${p.approver}`}>
              <td>
                <span className={`pill kind-${p.kind.toLowerCase()}`}>{p.kind}</span> {p.reason && <span className="mono small">{p.reason}</span>}{' '}
                <span className="muted small">{p.definition ?? p.runId}</span> <Origin origin={p.origin} deviceId={p.deviceId} />
              </td>
              <td>{p.maker}</td>
              <td className="num">{count(p.breakCount)}</td>
              <td>
                <span className={`pill ${p.verdict === 'APPROVED' ? 'status-completed' : p.verdict === 'WITHDRAWN' ? 'status-cancelled' : 'status-failed'}`}>{p.verdict}</span>{' '}
                <span className="small">by {p.approver}</span>
                {p.approverNote && (
                  <p className="notice warn small" aria-label="About the approver">
                    ⚠ {p.approverNote}
                  </p>
                )}
              </td>
              <td className="small">{p.approvalComment ?? ''}</td>
              {syncOn && (
                <td>
                  <SyncMark mark={p.approvalSync} label="Verdict sync" />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
