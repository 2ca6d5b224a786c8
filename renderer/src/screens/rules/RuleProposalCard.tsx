import { useState } from 'react';
import type { ReasonRuleProposalDto } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { DecisionForm, type FormValue } from '../breaks/review/DecisionForm.tsx';
import { RulePreview } from './RulePreview.tsx';
import { conditionWords, scopeWords } from './rule-words.ts';

const when = (iso: string): string => iso.replace('T', ' ').slice(0, 16);
const KIND_TEXT = { CREATE: 'New rule', CHANGE: 'Change', RETIRE: 'Retire' } as const;

/**
 * A pending reason-rule proposal with its what-if (rules.preview of the
 * proposal, item by item). An approver other than the maker approves or
 * rejects it; for the maker the buttons are disabled with the reason (the
 * engine refuses anyway), and they may withdraw it.
 */
export function RuleProposalCard({
  p,
  me,
  canApprove,
  retiredRule,
  onSettled,
}: {
  p: ReasonRuleProposalDto;
  me: string;
  canApprove: boolean;
  /** For a retirement: the name of the rule it retires. */
  retiredRule?: string;
  onSettled: (text: string) => void;
}) {
  const client = useClient();
  const [mode, setMode] = useState<'APPROVE' | 'DECLINE' | null>(null);
  const [showPreview, setShowPreview] = useState(true);
  const preview = useCall('rules.preview', showPreview ? { proposalId: p.proposalId } : null);
  const mine = p.maker === me;
  const why = mine
    ? 'You made this proposal: another person with the approver role must approve it (the 4-eye rule).'
    : !canApprove
      ? 'You do not hold the approver role.'
      : undefined;
  const act = useAction((verdict: 'APPROVE' | 'REJECT', v: FormValue) =>
    verdict === 'APPROVE'
      ? client.call('rules.approve', { proposalId: p.proposalId, ...(v.comment ? { comment: v.comment } : {}) })
      : client.call('rules.reject', { proposalId: p.proposalId, comment: v.comment }),
  );
  const withdraw = useAction(() => client.call('rules.withdraw', { proposalId: p.proposalId }));
  const name = p.rule?.name ?? retiredRule ?? p.ruleId;
  const settle = async (verdict: 'APPROVE' | 'REJECT', v: FormValue): Promise<void> => {
    const r = await act.run(verdict, v);
    if (r) onSettled(r.verdict === 'APPROVED' ? `Approved rule "${name}"${r.version !== null ? ` (version ${r.version})` : ''}: the next runs apply it.` : `Rejected rule proposal "${name}".`);
  };

  return (
    <article className="panel rule-proposal" aria-label={`Rule proposal ${name}`}>
      <header className="proposal-head">
        <span className={`pill kind-${p.kind.toLowerCase()}`}>{KIND_TEXT[p.kind]}</span>
        <strong>{name}</strong>
        {p.rule && (
          <span>
            → <strong className="mono">{p.rule.reason}</strong>
          </span>
        )}
        <span className="muted small">{p.rule ? `${scopeWords(p.rule.definition)} · order ${p.rule.order}${p.rule.active ? '' : ' · inactive'}` : `version ${p.baseVersion ?? '?'}`}</span>
        <span className="spacer" />
        <span className="muted small">
          by <strong className="maker">{p.maker}</strong> · {when(p.proposedAt)}
        </span>
      </header>
      {p.comment && <blockquote>{p.comment}</blockquote>}
      {p.rule && <p className="small rule-words">{conditionWords(p.rule.conditions).join(' · ')}</p>}
      {p.rule?.description && <p className="small muted">{p.rule.description}</p>}
      <div className="row">
        <button type="button" className="link" onClick={() => setShowPreview((s) => !s)}>
          {showPreview ? 'Hide the what-if' : 'Show the what-if'}
        </button>
      </div>
      {showPreview && preview.loading && <span className="spinner" />}
      {showPreview && preview.error && <ErrorMessage error={preview.error} onRetry={preview.reload} />}
      {showPreview && preview.data && <RulePreview preview={preview.data} />}
      {mode === null ? (
        <div className="row">
          <button type="button" className="primary" disabled={why !== undefined} title={why} onClick={() => setMode('APPROVE')}>
            Approve…
          </button>
          <button type="button" className="danger" disabled={why !== undefined} title={why} onClick={() => setMode('DECLINE')}>
            Reject…
          </button>
          {mine && (
            <button type="button" disabled={withdraw.busy} onClick={() => void withdraw.run().then((r) => r && onSettled(`Withdrew your rule proposal "${name}".`))}>
              Withdraw
            </button>
          )}
          {why && <span className="muted small">{why}</span>}
        </div>
      ) : (
        <DecisionForm kind={mode} busy={act.busy} error={act.error} onSubmit={(v) => void settle(mode === 'APPROVE' ? 'APPROVE' : 'REJECT', v)} onCancel={() => setMode(null)} />
      )}
      {withdraw.error && <ErrorMessage error={withdraw.error} onDismiss={withdraw.clear} />}
    </article>
  );
}
