import { useState } from 'react';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';
import { useSession } from '../../session.tsx';
import { RuleEditor, type EditorStart } from './RuleEditor.tsx';

/**
 * After a reviewer accepted or overrode a group of similar breaks in one
 * decision: "Make this a rule". The draft comes from what the breaks share
 * (rules.draftFromBreaks of the decision), with how many breaks it would
 * cover in this run and the last runs; the person edits it and proposes it.
 */
export function MakeRuleOffer({ decisionId, onDismiss }: { decisionId: string; onDismiss: () => void }) {
  const client = useClient();
  const { has } = useSession();
  const reasons = useCall('reasons.list', { includeRetired: false });
  const [start, setStart] = useState<EditorStart | null>(null);
  const [done, setDone] = useState<string>();
  const draft = useAction(() => client.call('rules.draftFromBreaks', { decisionId }));
  const open = async (): Promise<void> => {
    const d = await draft.run();
    if (d) setStart({ draft: d.draft, shared: [...d.shared, ...coverageWords(d.coverage)], runId: d.runId });
  };
  // Only analysts and admins propose rules (the engine checks too).
  if (!has('analyst') && !has('admin')) return null;
  if (done) {
    return (
      <p className="notice ok" role="status">
        {done}{' '}
        <button type="button" className="link" onClick={onDismiss}>
          Dismiss
        </button>
      </p>
    );
  }
  if (start) return <RuleEditor start={start} reasons={reasons.data?.reasons ?? []} onProposed={setDone} onCancel={onDismiss} />;
  return (
    <div className="panel make-rule-offer row" aria-label="Make this a rule">
      <span className="small">Breaks like these will come again: the team can state this once, as a reason rule the next runs apply before the model.</span>
      <button type="button" className="primary" disabled={draft.busy} onClick={() => void open()}>
        {draft.busy && <span className="spinner" />} Make this a rule…
      </button>
      <button type="button" className="link" onClick={onDismiss}>
        Not now
      </button>
      {draft.error && <ErrorMessage error={draft.error} onDismiss={draft.clear} />}
    </div>
  );
}

/** "Would cover 12 breaks in this run, 30 in the last 3 runs": the draft's coverage in words. */
export function coverageWords(coverage: readonly { runId: string; matched: number; decidedOtherwise: number }[]): string[] {
  if (coverage.length === 0) return [];
  const [here, ...earlier] = coverage;
  const before = earlier.reduce((s, c) => s + c.matched, 0);
  const otherwise = coverage.reduce((s, c) => s + c.decidedOtherwise, 0);
  return [
    `would cover ${count(here!.matched)} break${here!.matched === 1 ? '' : 's'} in this run${earlier.length > 0 ? ` and ${count(before)} in the last ${earlier.length} run${earlier.length === 1 ? '' : 's'}` : ''}${
      otherwise > 0 ? `; reviewers decided ${count(otherwise)} of them otherwise` : ''
    }`,
  ];
}
