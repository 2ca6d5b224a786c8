/**
 * Reason rules (issue 20): thin adapters onto engine/rules. The roles, the
 * 4-eye rule and the audit events are the engine's (governance.ts); the what-if,
 * drafts and the agreement report open run files read-only (preview.ts,
 * draft.ts, agreement.ts). Every change is a `workflow.changed` of `rules`:
 * a later run applies it, nothing changes in existing runs.
 */
import type { RuleBody } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { agreementReport } from '../../rules/agreement.ts';
import { decisionBreaks, draftRuleFromBreaks, draftRuleFromInference } from '../../rules/draft.ts';
import {
  approveRuleProposal,
  getRuleProposal,
  listReasonRules,
  listRuleProposals,
  proposeReasonRule,
  proposeRuleRetirement,
  reasonRuleVersions,
  rejectRuleProposal,
  withdrawRuleProposal,
} from '../../rules/governance.ts';
import { previewReasonRule } from '../../rules/preview.ts';
import { parseReasonRule } from '../../rules/schema.ts';
import type { Handlers, HostContext } from './types.ts';
import { previousRunInRegistry } from '../../workflow/runs.ts';

type RulesCall =
  | 'rules.list'
  | 'rules.versions'
  | 'rules.propose'
  | 'rules.retire'
  | 'rules.proposals'
  | 'rules.approve'
  | 'rules.reject'
  | 'rules.withdraw'
  | 'rules.preview'
  | 'rules.draftFromBreaks'
  | 'rules.draftFromInference'
  | 'rules.agreement';

export function rulesHandlers(ctx: HostContext): Pick<Handlers, RulesCall> {
  const { store } = ctx;
  const changed = (): void => ctx.emit({ type: 'workflow.changed', runId: null, what: 'rules' });

  /** The rule a proposal brings in, or for a retirement the version it retires. */
  const ruleOfProposal = (proposalId: string): RuleBody => {
    const p = getRuleProposal(store, proposalId);
    if (p.rule !== null) return p.rule;
    const base = reasonRuleVersions(store, p.ruleId).find((v) => v.version === p.baseVersion);
    if (!base) throw new ReconError('NOT_FOUND', `rule proposal ${proposalId} retires version ${p.baseVersion} of rule ${p.ruleId}, which is not here`, { proposalId });
    return { name: base.name, reason: base.reason, definition: base.definition, order: base.order, active: base.active, owner: base.owner, conditions: base.conditions };
  };

  return {
    'rules.list': async ({ definition, includeRetired }) => ({ rules: listReasonRules(store, { ...(definition !== undefined ? { definition } : {}), includeRetired }) }),
    'rules.versions': async ({ ruleId }) => ({ versions: reasonRuleVersions(store, ruleId) }),
    'rules.proposals': async ({ pendingOnly, ruleId }) => ({ proposals: listRuleProposals(store, { pendingOnly, ...(ruleId !== undefined ? { ruleId } : {}) }) }),
    'rules.propose': async ({ rule, ruleId, comment }) => {
      const p = proposeReasonRule(store, ctx.user, { rule, ...(ruleId !== undefined ? { ruleId } : {}), comment: comment ?? null });
      changed();
      return p;
    },
    'rules.retire': async ({ ruleId, comment }) => {
      const p = proposeRuleRetirement(store, ctx.user, ruleId, comment);
      changed();
      return p;
    },
    // The engine refuses the maker (FORBIDDEN_SELF_APPROVAL) and anyone without the approver role.
    'rules.approve': async ({ proposalId, comment }) => {
      const r = approveRuleProposal(store, ctx.user, proposalId, comment ?? null);
      changed();
      return r;
    },
    'rules.reject': async ({ proposalId, comment }) => {
      const r = rejectRuleProposal(store, ctx.user, proposalId, comment);
      changed();
      return r;
    },
    'rules.withdraw': async ({ proposalId, comment }) => {
      const r = withdrawRuleProposal(store, ctx.user, proposalId, comment ?? null);
      changed();
      return r;
    },
    'rules.preview': async ({ rule, proposalId, runId, recentRuns, limit }) => {
      const body: unknown = proposalId !== undefined ? ruleOfProposal(proposalId) : rule;
      const scope = proposalId !== undefined ? (body as RuleBody).definition : (rule?.definition ?? null);
      const from = runId ?? store.read((tx) => previousRunInRegistry(tx, scope))?.runId ?? null;
      if (from === null) {
        // No run to preview on yet: the rule as it would be stored (validated all the same), over no run.
        return { rule: parseReasonRule(body, { owner: ctx.user.userId }), runs: [], totals: { matched: 0, reattributed: 0, decidedOtherwise: 0 }, runId: null };
      }
      return { ...(await previewReasonRule(store, { rule: body, runId: from, recentRuns, limit })), runId: from };
    },
    'rules.draftFromBreaks': async ({ decisionId, runId, breakIds, reason, name, recentRuns }) => {
      const from = decisionId !== undefined ? decisionBreaks(store, decisionId) : { runId: runId!, breakIds: breakIds!, reason: reason! };
      const r = await draftRuleFromBreaks(store, { ...from, ...(name !== undefined ? { name } : {}), recentRuns });
      return { draft: r.draft as Record<string, unknown>, shared: r.shared, coverage: r.coverage, ...from };
    },
    // Pure: the pattern is the inference report's own (the New run screen holds it); nothing is read.
    'rules.draftFromInference': async ({ pattern, definition }) => {
      const r = draftRuleFromInference(pattern, { definition: definition ?? null });
      return { draft: r.draft as Record<string, unknown>, shared: r.shared };
    },
    'rules.agreement': async ({ runId, limit }) => agreementReport(store, runId, { limit }),
  };
}
