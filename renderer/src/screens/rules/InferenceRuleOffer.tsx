import { useState } from 'react';
import type { CallArgs } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSession } from '../../session.tsx';
import { RuleEditor, type EditorStart } from './RuleEditor.tsx';

type Pattern = CallArgs<'rules.draftFromInference'>['pattern'];

/**
 * A pattern inference proposed, kept as breaks but explained: instead of (or
 * as well as) normalizing it with an adjust, the team states it once as a
 * reason rule (rules.draftFromInference drafts it: B = A × 1000 → SCALE_DIFF
 * where B/A = 1000). The person edits the draft and proposes it; another
 * approver approves it (4-eye) before runs apply it.
 */
export function InferenceRuleOffer({ pattern, definition, label }: { pattern: Pattern; definition: string | null; label: string }) {
  const client = useClient();
  const { has } = useSession();
  const [start, setStart] = useState<EditorStart | null>(null);
  const [done, setDone] = useState<string>();
  const reasons = useCall('reasons.list', start ? { includeRetired: false } : null);
  const draft = useAction(() => client.call('rules.draftFromInference', { pattern, definition }));
  // Only analysts and admins propose rules (the engine checks too).
  if (!has('analyst') && !has('admin')) return null;
  if (done) {
    return (
      <span className="small notice ok" role="status">
        {done}
      </span>
    );
  }
  if (start) return <RuleEditor start={start} reasons={reasons.data?.reasons ?? []} onProposed={setDone} onCancel={() => setStart(null)} />;
  const open = async (): Promise<void> => {
    const d = await draft.run();
    if (d) setStart({ draft: d.draft, shared: d.shared });
  };
  return (
    <>
      <button type="button" className="link small" disabled={draft.busy} aria-label={`As a reason rule: ${label}`} onClick={() => void open()}>
        {draft.busy && <span className="spinner" />} as a reason rule…
      </button>
      {draft.error && <ErrorMessage error={draft.error} onDismiss={draft.clear} />}
    </>
  );
}
