import { useState } from 'react';
import type { ErrorData, ReasonDto } from '../../../../../engine/contract/index.ts';
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { useEscape } from '../../../keys.ts';

export type FormKind = 'ACCEPT' | 'OVERRIDE' | 'REJECT' | 'REOPEN' | 'APPROVE' | 'DECLINE' | 'WITHDRAW';

const SPEC: Record<FormKind, { title: string; submit: string; needsComment: boolean; note?: string; placeholder: string }> = {
  ACCEPT: { title: 'Accept', submit: 'Accept', needsComment: false, placeholder: 'Comment (optional)' },
  OVERRIDE: {
    title: 'Override',
    submit: 'Propose override',
    needsComment: true,
    note: 'An override is a proposal: it takes effect when another person with the approver role approves it.',
    placeholder: 'Why this reason? (required)',
  },
  REJECT: { title: 'Reject', submit: 'Reject', needsComment: true, note: 'A real problem to chase: the break stays open in reports.', placeholder: 'What is wrong, who chases it? (required)' },
  REOPEN: { title: 'Reopen', submit: 'Reopen', needsComment: false, placeholder: 'Why reopen? (optional)' },
  APPROVE: { title: 'Approve', submit: 'Approve', needsComment: false, placeholder: 'Comment (optional)' },
  WITHDRAW: { title: 'Withdraw proposal', submit: 'Withdraw proposal', needsComment: false, note: 'You take your proposal back: its breaks go back to where they were.', placeholder: 'Why (optional)' },
  DECLINE: { title: 'Reject proposal', submit: 'Reject proposal', needsComment: true, note: 'The breaks go back to where they were.', placeholder: 'Why not? (required)' },
};

export interface FormValue {
  reason?: string;
  comment: string;
}

/** Reason picker (overrides) and comment for one decision; Ctrl+Enter submits, the engine has the last word. */
export function DecisionForm(props: {
  kind: FormKind;
  reasons?: ReasonDto[];
  /** Reasons not to offer (the break's current one). */
  exclude?: string | null;
  busy: boolean;
  error: ErrorData | undefined;
  label?: string;
  submitLabel?: string;
  /** A comment is required whatever the kind (a bulk decision over the workspace's limit): the engine insists too. */
  requireComment?: boolean;
  onSubmit: (v: FormValue) => void;
  onCancel: () => void;
}) {
  const spec = props.requireComment ? { ...SPEC[props.kind], needsComment: true, placeholder: 'Why, for the approver and the audit trail? (required)' } : SPEC[props.kind];
  useEscape(props.onCancel);
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const ready = (props.kind !== 'OVERRIDE' || reason !== '') && (!spec.needsComment || comment.trim() !== '') && !props.busy;
  const submit = (): void => {
    if (ready) props.onSubmit({ ...(props.kind === 'OVERRIDE' ? { reason } : {}), comment: comment.trim() });
  };
  const reasons = (props.reasons ?? []).filter((r) => r.retiredAt === null && r.code !== props.exclude && r.code !== 'UNKNOWN');
  return (
    <form
      className="decision-form"
      aria-label={spec.title}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          submit();
        }
      }}
    >
      <h5>{props.label ?? spec.title}</h5>
      {props.kind === 'OVERRIDE' && (
        <label>
          <span>Reason code</span>
          <select aria-label="Reason code" value={reason} autoFocus onChange={(e) => setReason(e.target.value)}>
            <option value="">Choose a reason…</option>
            {reasons.map((r) => (
              <option key={r.code} value={r.code} title={r.description}>
                {r.code} · {r.category === 'ACTION' ? 'action' : 'noise'}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        <span>Comment{spec.needsComment ? ' (required)' : ''}</span>
        <textarea aria-label="Comment" rows={2} value={comment} placeholder={spec.placeholder} autoFocus={props.kind !== 'OVERRIDE'} onChange={(e) => setComment(e.target.value)} />
      </label>
      {spec.note && <p className="muted small form-note">{spec.note}</p>}
      {props.error && <ErrorMessage error={props.error} />}
      <div className="row">
        <button type="submit" className={props.kind === 'REJECT' || props.kind === 'DECLINE' || props.kind === 'WITHDRAW' ? 'danger' : 'primary'} disabled={!ready}>
          {props.busy && <span className="spinner" />} {props.submitLabel ?? spec.submit} <kbd>Ctrl+Enter</kbd>
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
