import { useEffect, useMemo, useState } from 'react';
import type { ReasonDto, ReasonRuleDraftInput } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useEscape } from '../../keys.ts';
import { RulePreview } from './RulePreview.tsx';
import { conditionWords } from './rule-words.ts';
import './rules.css';

/** What the editor starts from: a draft (from breaks decided together, or an existing rule) and, in words, what the breaks share. */
export interface EditorStart {
  draft: Record<string, unknown>;
  shared?: string[];
  /** The run to preview on (the one the breaks are from); else the latest run of the scope. */
  runId?: string;
  /** A new version of this rule (rules.propose with ruleId). */
  ruleId?: string;
}

const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);

/** Parses the conditions typed as JSON; the engine validates them (every field and what it expects). */
function parseConditions(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, message: 'The conditions are a JSON object, such as {"field": "Book", "valueA": {"equals": "RATES-LDN"}}.' };
    return { ok: true, value: v as Record<string, unknown> };
  } catch (err) {
    return { ok: false, message: `Not JSON yet: ${(err as Error).message}` };
  }
}

/**
 * A reason rule written or edited by a person: name, reason, scope, order and
 * its conditions, with the what-if of the rule as it stands (debounced), and
 * "Propose" (rules.propose): it takes effect when another approver approves.
 */
export function RuleEditor({ start, reasons, onProposed, onCancel }: { start: EditorStart; reasons: ReasonDto[]; onProposed: (text: string) => void; onCancel: () => void }) {
  const client = useClient();
  useEscape(onCancel);
  const d = start.draft;
  const scopeDefinition = typeof d['definition'] === 'string' ? d['definition'] : null;
  const [name, setName] = useState(str(d['name']));
  const [reason, setReason] = useState(str(d['reason']));
  const [definition, setDefinition] = useState(scopeDefinition ?? '');
  const [order, setOrder] = useState(typeof d['order'] === 'number' ? d['order'] : 100);
  const [description, setDescription] = useState(str(d['description']));
  const [conditionsText, setConditionsText] = useState(JSON.stringify(d['conditions'] ?? {}, null, 2));
  const [comment, setComment] = useState('');
  const parsed = useMemo(() => parseConditions(conditionsText), [conditionsText]);
  const rule = useMemo<ReasonRuleDraftInput | null>(
    () =>
      parsed.ok && name.trim() !== '' && reason !== ''
        ? {
            name: name.trim(),
            reason,
            definition: definition.trim() === '' ? null : definition.trim(),
            order,
            ...(description.trim() ? { description: description.trim() } : {}),
            conditions: parsed.value as ReasonRuleDraftInput['conditions'],
          }
        : null,
    [parsed, name, reason, definition, order, description],
  );
  // The what-if follows the rule as it is typed, once the typing settles.
  const [previewArgs, setPreviewArgs] = useState<{ rule: ReasonRuleDraftInput; runId?: string } | null>(null);
  useEffect(() => {
    const t = setTimeout(() => setPreviewArgs(rule ? { rule, ...(start.runId ? { runId: start.runId } : {}) } : null), 400);
    return () => clearTimeout(t);
  }, [rule, start.runId]);
  const preview = useCall('rules.preview', previewArgs);
  const propose = useAction((r: ReasonRuleDraftInput) =>
    client.call('rules.propose', { rule: r, ...(start.ruleId ? { ruleId: start.ruleId } : {}), ...(comment.trim() ? { comment: comment.trim() } : {}) }),
  );
  const submit = async (): Promise<void> => {
    if (!rule) return;
    const p = await propose.run(rule);
    if (p) onProposed(`Rule "${p.rule?.name ?? name}" proposed: it applies to the next runs once another person with the approver role approves it (Rules).`);
  };
  const words = parsed.ok ? conditionWords(parsed.value) : [];

  return (
    <form
      className="panel rule-editor"
      aria-label="Rule editor"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h4>{start.ruleId ? 'Change the rule' : 'Make this a rule'}</h4>
      {start.shared && start.shared.length > 0 && (
        <div className="rule-shared">
          <span className="muted small">What the breaks share:</span>
          <ul aria-label="What the breaks share">
            {start.shared.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="rule-fields">
        <label>
          <span>Name</span>
          <input aria-label="Rule name" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          <span>Reason</span>
          <select aria-label="Rule reason" value={reason} onChange={(e) => setReason(e.target.value)}>
            <option value="">Choose a reason…</option>
            {reasons
              .filter((r) => r.retiredAt === null && r.code !== 'UNKNOWN')
              .map((r) => (
                <option key={r.code} value={r.code}>
                  {r.code}
                </option>
              ))}
          </select>
        </label>
        <label>
          <span>Order</span>
          <input aria-label="Rule order" type="number" min={0} max={1000000} value={order} onChange={(e) => setOrder(Math.max(0, Math.trunc(Number(e.target.value) || 0)))} />
        </label>
        <label>
          <span>Definition</span>
          <input aria-label="Rule scope" value={definition} maxLength={200} placeholder="empty: every definition" onChange={(e) => setDefinition(e.target.value)} />
        </label>
      </div>
      <label>
        <span>Description</span>
        <input aria-label="Rule description" value={description} maxLength={2000} placeholder="What the team knows (optional)" onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label>
        <span>Conditions (all must hold)</span>
        <textarea aria-label="Rule conditions" className="mono" rows={Math.min(14, conditionsText.split('\n').length + 1)} value={conditionsText} onChange={(e) => setConditionsText(e.target.value)} />
      </label>
      {parsed.ok ? (
        <p className="small rule-words" aria-label="Conditions in words">
          {words.length > 0 ? words.join(' · ') : 'No condition: the engine refuses a rule that would give every break its reason.'}
        </p>
      ) : (
        <p className="small warn">{parsed.message}</p>
      )}
      <h5>What-if {preview.loading && <span className="spinner" />}</h5>
      {preview.error && <ErrorMessage error={preview.error} />}
      {preview.data && !preview.error && <RulePreview preview={preview.data} />}
      <label>
        <span>Comment for the approver</span>
        <textarea aria-label="Comment" rows={2} value={comment} maxLength={2000} placeholder="Why this rule? (optional)" onChange={(e) => setComment(e.target.value)} />
      </label>
      <p className="muted small form-note">A rule is a standing decision: it takes effect on the next runs when another person with the approver role approves it.</p>
      {propose.error && <ErrorMessage error={propose.error} onDismiss={propose.clear} />}
      <div className="row">
        <button type="submit" className="primary" disabled={!rule || propose.busy}>
          {propose.busy && <span className="spinner" />} Propose rule
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
