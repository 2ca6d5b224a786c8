import { useState } from 'react';
import type { RuleInfo } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSession } from '../../session.tsx';
import { RuleEditor, type EditorStart } from './RuleEditor.tsx';
import { RuleProposalCard } from './RuleProposalCard.tsx';
import { conditionWords, scopeWords } from './rule-words.ts';
import '../approvals/approvals.css';
import '../breaks/review/review.css';
import './rules.css';

/** A rule as the editor starts from it, for a new version. */
const asDraft = (r: RuleInfo): EditorStart => ({
  ruleId: r.ruleId,
  draft: { name: r.name, reason: r.reason, definition: r.definition, order: r.order, ...(r.description ? { description: r.description } : {}), conditions: r.conditions },
});

/**
 * Reason rules (issue 20): the rules in force, in the order runs apply them
 * (the first that matches a break gives its reason, before the model), and
 * the proposals to create, change or retire one. Every change is a proposal
 * under the 4-eye rule; an approver sees its what-if item by item.
 */
export function RulesScreen() {
  const { me, has } = useSession();
  const rules = useCall('rules.list', { includeRetired: false });
  const pending = useCall('rules.proposals', { pendingOnly: true });
  const reasons = useCall('reasons.list', { includeRetired: false });
  const [notice, setNotice] = useState<string>();
  const [editing, setEditing] = useState<EditorStart | null>(null);
  const reload = (): void => {
    rules.reload();
    pending.reload();
  };
  useEvent('workflow.changed', (e) => (e.what === 'rules' || e.what === 'users' || e.what === 'reasons') && reload());
  const canPropose = has('analyst') || has('admin');
  const names = new Map((rules.data?.rules ?? []).map((r) => [r.ruleId, r.name]));
  const proposals = pending.data?.proposals ?? [];
  const done = (text: string): void => {
    setNotice(text);
    setEditing(null);
    reload();
  };

  return (
    <section className="screen rules" aria-labelledby="rules-title">
      <header className="screen-header">
        <div>
          <h2 id="rules-title">Reason rules</h2>
          <p className="muted small">
            What the team knows, stated once: a rule gives the breaks it matches its reason (AUTO) before the model, which still scores them so the two can be compared. Creating, changing or
            retiring a rule is a proposal another approver approves; the next runs apply it.
          </p>
        </div>
        <div className="toolbar">
          <button type="button" disabled={!canPropose || editing !== null} title={canPropose ? undefined : 'Proposing rules needs the analyst or admin role'} onClick={() => setEditing({ draft: { name: '', reason: '', definition: null, conditions: { diffType: 'MISMATCH' } } })}>
            New rule…
          </button>
          <button type="button" onClick={reload}>
            {(rules.loading || pending.loading) && <span className="spinner" />} Refresh
          </button>
        </div>
      </header>
      {notice && (
        <p className="notice ok" role="status">
          {notice}
        </p>
      )}
      {editing && <RuleEditor start={editing} reasons={reasons.data?.reasons ?? []} onProposed={done} onCancel={() => setEditing(null)} />}
      <h3>
        Proposals waiting <span className="count-badge">{proposals.length}</span>
      </h3>
      {pending.error && <ErrorMessage error={pending.error} onRetry={pending.reload} />}
      {pending.data && proposals.length === 0 && <div className="panel empty-small muted">No rule proposal is waiting.</div>}
      {proposals.map((p) => (
        <RuleProposalCard key={p.proposalId} p={p} me={me?.userId ?? ''} canApprove={has('approver')} {...(names.has(p.ruleId) ? { retiredRule: names.get(p.ruleId)! } : {})} onSettled={done} />
      ))}
      <h3>
        Rules in force <span className="count-badge">{rules.data?.rules.length ?? 0}</span>
      </h3>
      {rules.error && <ErrorMessage error={rules.error} onRetry={rules.reload} />}
      {rules.data && rules.data.rules.length === 0 && (
        <div className="panel empty-small muted">No rule yet. Make one from a bulk decision on similar breaks (break detail → Apply to all similar, or a selection in the grid), or with New rule….</div>
      )}
      {rules.data && rules.data.rules.length > 0 && (
        <table className="data compact rules-table" aria-label="Rules in force">
          <thead>
            <tr>
              <th className="num">Order</th>
              <th>Name</th>
              <th>Reason</th>
              <th>Scope</th>
              <th>Conditions</th>
              <th>Owner</th>
              <th>Active</th>
              <th className="num">Version</th>
              <th>Approved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rules.data.rules.map((r) => (
              <RuleRow key={r.ruleId} r={r} canPropose={canPropose} onChange={() => setEditing(asDraft(r))} onRetired={done} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One rule in force, with Change… and Retire… (both proposals). */
function RuleRow({ r, canPropose, onChange, onRetired }: { r: RuleInfo; canPropose: boolean; onChange: () => void; onRetired: (text: string) => void }) {
  const client = useClient();
  const [retiring, setRetiring] = useState(false);
  const [why, setWhy] = useState('');
  const retire = useAction(() => client.call('rules.retire', { ruleId: r.ruleId, comment: why.trim() }));
  return (
    <tr aria-label={`Rule ${r.name}`}>
      <td className="num">{r.order}</td>
      <td>
        <strong>{r.name}</strong>
        {r.description && <div className="muted small">{r.description}</div>}
      </td>
      <td className="mono">{r.reason}</td>
      <td>{scopeWords(r.definition)}</td>
      <td className="small">{conditionWords(r.conditions).join(' · ')}</td>
      <td>{r.owner}</td>
      <td>{r.active ? 'yes' : 'no'}</td>
      <td className="num">v{r.version}</td>
      <td className="small">
        {r.approvedBy} · {r.approvedAt.slice(0, 10)}
      </td>
      <td>
        {!retiring ? (
          <div className="row">
            <button type="button" className="link" disabled={!canPropose} onClick={onChange}>
              Change…
            </button>
            <button type="button" className="link" disabled={!canPropose} onClick={() => setRetiring(true)}>
              Retire…
            </button>
          </div>
        ) : (
          <form
            aria-label={`Retire ${r.name}`}
            onSubmit={(e) => {
              e.preventDefault();
              void retire.run().then((p) => p && onRetired(`Retirement of "${r.name}" proposed: it takes effect when another approver approves it.`));
            }}
          >
            <input aria-label="Why retire it" placeholder="Why retire it? (required)" value={why} maxLength={2000} onChange={(e) => setWhy(e.target.value)} />
            <div className="row">
              <button type="submit" className="danger" disabled={why.trim() === '' || retire.busy}>
                Propose retirement
              </button>
              <button type="button" onClick={() => setRetiring(false)}>
                Cancel
              </button>
            </div>
            {retire.error && <ErrorMessage error={retire.error} onDismiss={retire.clear} />}
          </form>
        )}
      </td>
    </tr>
  );
}
