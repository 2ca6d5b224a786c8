import { z } from 'zod';
import { reasonRuleDraftSchema } from '../rules/schema.ts';
import { defineCall } from './call.ts';
import { runIdSchema } from './ids.ts';
import { MAX_SELECTED_BREAKS, reasonCodeSchema } from './review.ts';

/**
 * Reason rules (issue 20): team-owned "breaks like these have this reason",
 * applied in SQL before the model by the next runs. Every change is a
 * proposal under the 4-eye rule (engine/rules/governance.ts); the engine
 * checks the roles and the maker, the host turns its refusals into replies.
 */

/** A rule as a person writes it: what a proposal carries (the engine's own schema, so the two cannot drift). */
export { reasonRuleDraftSchema };
export type ReasonRuleDraftInput = z.input<typeof reasonRuleDraftSchema>;

/** Rule and proposal ids are UUIDs the engine makes (randomUUID). */
const ruleIdSchema = z.uuid();
const proposalIdSchema = z.uuid();
const commentSchema = z.string().max(2000);

/** A rule's conditions as stored: the draft's `conditions` (engine/rules/schema.ts), shown back as given. */
const conditionsSchema = z.record(z.string(), z.unknown());

/** A rule with its defaults filled in, as a proposal or a version holds it. */
export const ruleBodySchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  reason: z.string(),
  /** A definition's name, or null: every definition of the workspace. */
  definition: z.string().nullable(),
  order: z.number(),
  active: z.boolean(),
  owner: z.string(),
  conditions: conditionsSchema,
});
export type RuleBody = z.infer<typeof ruleBodySchema>;

/** A rule's version: the current one in lists, every one in its history. */
export const ruleInfoSchema = z.object({
  ruleId: z.string(),
  version: z.number(),
  name: z.string(),
  reason: z.string(),
  definition: z.string().nullable(),
  order: z.number(),
  conditions: conditionsSchema,
  conditionsSha256: z.string(),
  owner: z.string(),
  active: z.boolean(),
  retired: z.boolean(),
  description: z.string().nullable(),
  approvedBy: z.string(),
  approvedAt: z.string(),
  /** The proposal that made this version. */
  proposalId: z.string(),
});
export type RuleInfo = z.infer<typeof ruleInfoSchema>;

export const RULE_PROPOSAL_KINDS = ['CREATE', 'CHANGE', 'RETIRE'] as const;
export const RULE_PROPOSAL_STATES = ['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN'] as const;

export const reasonRuleProposalSchema = z.object({
  proposalId: z.string(),
  ruleId: z.string(),
  kind: z.enum(RULE_PROPOSAL_KINDS),
  /** The version changed or retired (null for CREATE). */
  baseVersion: z.number().nullable(),
  /** The rule proposed (null for RETIRE: the rule retired is its base version). */
  rule: ruleBodySchema.nullable(),
  maker: z.string(),
  proposedAt: z.string(),
  comment: z.string().nullable(),
  state: z.enum(RULE_PROPOSAL_STATES),
  verdictBy: z.string().nullable(),
  verdictAt: z.string().nullable(),
  verdictComment: z.string().nullable(),
});
export type ReasonRuleProposalDto = z.infer<typeof reasonRuleProposalSchema>;

export const ruleVerdictSchema = z.object({
  verdictId: z.string(),
  proposalId: z.string(),
  ruleId: z.string(),
  verdict: z.enum(['APPROVED', 'REJECTED', 'WITHDRAWN']),
  /** The version an approval made (null otherwise). */
  version: z.number().nullable(),
});

/** A reviewer's decision on a break a rule would cover. */
const breakDecisionSchema = z.object({ status: z.string(), reason: z.string().nullable(), decisionId: z.string(), decidedBy: z.string().nullable() });

/** One break a rule would cover, in the what-if. */
export const rulePreviewItemSchema = z.object({
  runId: z.string(),
  breakId: z.number(),
  key: z.string(),
  field: z.string(),
  diffType: z.string(),
  valueA: z.string().nullable(),
  valueB: z.string().nullable(),
  delta: z.string().nullable(),
  /** The reason the run gave it (the model's, or another rule's) and its status. */
  currentReason: z.string().nullable(),
  currentStatus: z.string().nullable(),
  currentRule: z.string().nullable(),
  ruleReason: z.string(),
  /** The rule changes its reason, or makes a REVIEW break AUTO. */
  reattributes: z.boolean(),
  decision: breakDecisionSchema.nullable(),
  /** A reviewer rejected it, or settled (or proposed) another reason. */
  decidedOtherwise: z.boolean(),
});
export type RulePreviewItem = z.infer<typeof rulePreviewItemSchema>;

export const rulePreviewRunSchema = z.object({
  runId: z.string(),
  /** The run asked about; the others are earlier runs of its series. */
  current: z.boolean(),
  matched: z.number(),
  reattributed: z.number(),
  decidedOtherwise: z.number(),
  /** Why the rule cannot apply to this run (a record field it lacks), or null. */
  unusable: z.string().nullable(),
  /** Decided otherwise first, then re-attributed, then the rest; at most `limit`. */
  items: z.array(rulePreviewItemSchema),
});

export const rulePreviewSchema = z.object({
  rule: ruleBodySchema,
  runs: z.array(rulePreviewRunSchema),
  totals: z.object({ matched: z.number(), reattributed: z.number(), decidedOtherwise: z.number() }),
});
export type RulePreviewDto = z.infer<typeof rulePreviewSchema>;

export const ruleDraftSchema = z.object({
  /** A draft to edit, then propose with rules.propose. */
  draft: z.record(z.string(), z.unknown()),
  /** What the breaks share, in words, one line per condition. */
  shared: z.array(z.string()),
  /** Breaks it matches in this run and the last runs of the series (newest first). */
  coverage: z.array(z.object({ runId: z.string(), matched: z.number(), decidedOtherwise: z.number() })),
  /** The breaks it was drawn from, and the reason they were given. */
  runId: z.string(),
  breakIds: z.array(z.number()),
  reason: z.string(),
});
export type RuleDraftDto = z.infer<typeof ruleDraftSchema>;

export const AGREEMENT_KINDS = ['AGREE', 'DISAGREE', 'RULE_ONLY', 'MODEL_ONLY'] as const;

const reasonAccuracySchema = z.object({ reason: z.string(), labelled: z.number(), correct: z.number(), accuracy: z.number().nullable() });

export const agreementReportSchema = z.object({
  runId: z.string(),
  /** The rules the run applied, as its file recorded them. */
  rulesInForce: z.array(
    z.object({
      ruleId: z.string(),
      version: z.number(),
      name: z.string(),
      reason: z.string(),
      definition: z.string().nullable(),
      order: z.number(),
      conditionsSha256: z.string(),
      matched: z.number(),
      unusable: z.string().nullable(),
    }),
  ),
  /** The run file is from before reason rules: no rule applied to it. */
  beforeRules: z.boolean(),
  counts: z.object({ AGREE: z.number(), DISAGREE: z.number(), RULE_ONLY: z.number(), MODEL_ONLY: z.number(), breaks: z.number() }),
  /** DISAGREE first; at most `limit`. */
  items: z.array(
    z.object({
      breakId: z.number(),
      key: z.string(),
      field: z.string(),
      diffType: z.string(),
      kind: z.enum(AGREEMENT_KINDS),
      ruleReason: z.string().nullable(),
      ruleId: z.string().nullable(),
      ruleName: z.string().nullable(),
      modelReason: z.string().nullable(),
      modelConfidence: z.number().nullable(),
      modelSure: z.boolean(),
      /** The reviewer's label: the reason accepted or overridden, REJECTED, or null. */
      decided: z.string().nullable(),
    }),
  ),
  accuracy: z.object({
    rules: z.array(reasonAccuracySchema),
    model: z.array(reasonAccuracySchema),
    byRule: z.array(reasonAccuracySchema.extend({ ruleId: z.string(), name: z.string() })),
  }),
});
export type AgreementReportDto = z.infer<typeof agreementReportSchema>;

const definitionScope = z.string().trim().min(1).max(200);

export const rulesCalls = {
  'rules.list': defineCall({
    summary: "The reason rules' current versions in the order runs apply them; with `definition`, those in force for it (its own and the workspace's).",
    args: z.object({ definition: definitionScope.optional(), includeRetired: z.boolean().default(false) }).strict(),
    result: z.object({ rules: z.array(ruleInfoSchema) }),
  }),
  'rules.versions': defineCall({
    summary: "Every version of one reason rule, oldest first, with who approved each.",
    args: z.object({ ruleId: ruleIdSchema }).strict(),
    result: z.object({ versions: z.array(ruleInfoSchema) }),
  }),
  'rules.propose': defineCall({
    summary: 'Analyst or admin: proposes a new reason rule, or (with ruleId) a new version of one; it takes effect when another approver approves it.',
    args: z.object({ rule: reasonRuleDraftSchema, ruleId: ruleIdSchema.optional(), comment: commentSchema.optional() }).strict(),
    result: reasonRuleProposalSchema,
  }),
  'rules.retire': defineCall({
    summary: 'Analyst or admin: proposes to retire a reason rule (a comment saying why is required); another approver approves it.',
    args: z.object({ ruleId: ruleIdSchema, comment: commentSchema }).strict(),
    result: reasonRuleProposalSchema,
  }),
  'rules.proposals': defineCall({
    summary: 'Reason-rule proposals, newest first: pending ones for the approvers, or all with their verdicts.',
    args: z.object({ pendingOnly: z.boolean().default(false), ruleId: ruleIdSchema.optional() }).strict(),
    result: z.object({ proposals: z.array(reasonRuleProposalSchema) }),
  }),
  'rules.approve': defineCall({
    summary: 'Approver, not the maker: the rule proposal takes effect (a new version, or the rule retired); later runs apply it.',
    args: z.object({ proposalId: proposalIdSchema, comment: commentSchema.optional() }).strict(),
    result: ruleVerdictSchema,
  }),
  'rules.reject': defineCall({
    summary: 'Approver, not the maker: refuses a rule proposal, with a comment saying why.',
    args: z.object({ proposalId: proposalIdSchema, comment: commentSchema }).strict(),
    result: ruleVerdictSchema,
  }),
  'rules.withdraw': defineCall({
    summary: 'The maker takes back their own rule proposal while it waits.',
    args: z.object({ proposalId: proposalIdSchema, comment: commentSchema.optional() }).strict(),
    result: ruleVerdictSchema,
  }),
  'rules.preview': defineCall({
    summary:
      "What-if of a rule (a draft, or a proposal's rule): item by item, the breaks it would re-attribute in a run and the recent runs of its series, and which of those reviewers decided otherwise.",
    args: z
      .object({
        /** A draft being written; or `proposalId`: the rule a proposal would bring in (or retire). */
        rule: reasonRuleDraftSchema.optional(),
        proposalId: proposalIdSchema.optional(),
        /** The run to start from; by default the latest completed run of the rule's definition (any definition for a workspace rule). */
        runId: runIdSchema.optional(),
        recentRuns: z.number().int().min(0).max(30).default(5),
        limit: z.number().int().min(0).max(1000).default(200),
      })
      .strict()
      .refine((a) => (a.rule === undefined) !== (a.proposalId === undefined), 'give either rule or proposalId'),
    result: rulePreviewSchema.extend({
      /** The run the preview started from; null when the workspace has no completed run the rule could apply to. */
      runId: z.string().nullable(),
    }),
  }),
  'rules.draftFromBreaks': defineCall({
    summary:
      "A rule drafted from breaks decided together: a bulk decision's (decisionId), or chosen breaks with the reason given them; the conditions are what the breaks share, with the breaks it would cover in this run and the last runs.",
    args: z
      .object({
        /** A bulk ACCEPT or OVERRIDE: its run, breaks and reason. */
        decisionId: z.uuid().optional(),
        runId: runIdSchema.optional(),
        breakIds: z.array(z.number().int().positive().max(2 ** 53 - 1)).min(1).max(MAX_SELECTED_BREAKS).optional(),
        reason: reasonCodeSchema.optional(),
        name: z.string().trim().min(1).max(120).optional(),
        recentRuns: z.number().int().min(0).max(30).default(5),
      })
      .strict()
      .refine((a) => (a.decisionId !== undefined) !== (a.runId !== undefined && a.breakIds !== undefined && a.reason !== undefined), 'give a decisionId, or runId with breakIds and reason'),
    result: ruleDraftSchema,
  }),
  'rules.draftFromInference': defineCall({
    summary:
      "A rule drafted from a pattern inference proposed (a scale, a sign flip, a day or business-day shift, a tolerance, or a value map), as an alternative to normalizing it away with an adjust: the breaks stay, explained by the rule's reason.",
    args: z
      .object({
        pattern: z.discriminatedUnion('kind', [
          z
            .object({
              kind: z.enum(['scale', 'day-shift', 'business-day-shift', 'sign-flip', 'abs-tolerance', 'rel-tolerance', 'day-tolerance']),
              field: z.string().min(1).max(200),
              value: z.number().finite(),
            })
            .strict(),
          z
            .object({
              kind: z.literal('value-map'),
              field: z.string().min(1).max(200),
              map: z.record(z.string().max(1000), z.string().max(1000)).refine((m) => Object.keys(m).length <= 1000, 'at most 1,000 pairs'),
            })
            .strict(),
        ]),
        /** The definition the rule belongs to; null or absent: the whole workspace. */
        definition: z.string().trim().min(1).max(200).nullable().optional(),
      })
      .strict(),
    result: z.object({ draft: z.record(z.string(), z.unknown()), shared: z.array(z.string()) }),
  }),
  'rules.agreement': defineCall({
    summary:
      "A run's rules against its model: breaks where they agree, disagree (both reasons), only a rule covers, or only the model is sure of; and accuracy per reason of each against reviewers' decisions.",
    args: z.object({ runId: runIdSchema, limit: z.number().int().min(0).max(5000).default(1000) }).strict(),
    result: agreementReportSchema,
  }),
};
