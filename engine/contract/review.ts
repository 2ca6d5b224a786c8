import { z } from 'zod';
import { defineCall } from './call.ts';
import { runIdSchema } from './ids.ts';

/** A break's status: the model's AUTO/REVIEW until a decision moves it (engine/workflow/status.ts). */
export const BREAK_STATUSES = ['AUTO', 'REVIEW', 'PROPOSED', 'ACCEPTED', 'OVERRIDDEN', 'REJECTED'] as const;
export type BreakStatusName = (typeof BREAK_STATUSES)[number];
/** Statuses a new decision may start from. */
export const OPEN_STATUSES: readonly string[] = ['AUTO', 'REVIEW'];

export const DECISION_KINDS = ['ACCEPT', 'OVERRIDE', 'REJECT', 'REOPEN'] as const;
export type DecisionKindName = (typeof DECISION_KINDS)[number];

/** UPPER_SNAKE_CASE; whether the code exists and is active is the engine's check (REASON_UNKNOWN). */
export const reasonCodeSchema = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'a reason code in UPPER_SNAKE_CASE');
/** Optional here: the engine answers COMMENT_REQUIRED where one is needed, so the code is stable. */
const commentSchema = z.string().max(2000).optional();
/** A decimal the bulk filter's SQL can compare (DECIMAL(38, 10)): at most 28 digits before the point. */
const DECIMAL = /^[+-]?(0*\d{1,28}(\.\d*)?|\.\d+)$/;

/** The most breaks one selection in the grid may carry into a bulk decision. */
export const MAX_SELECTED_BREAKS = 10_000;

/** Which breaks a bulk decision covers: every open break equal on each given part. */
export const breakFilterSchema = z
  .object({
    field: z.string().max(200).optional(),
    diffType: z.string().max(40).optional(),
    /** The suggested reason (the model's reason when AUTO, its best guess when REVIEW). */
    reason: reasonCodeSchema.optional(),
    /** The exact delta text. */
    delta: z.string().max(100).optional(),
    /** |delta| at most this decimal. */
    maxAbsDelta: z.string().max(100).regex(DECIMAL, 'a decimal number, at most 28 digits before the point').optional(),
    /** Exactly these breaks: the rows selected in the grid (shift/ctrl-click, shift/ctrl-arrow). */
    breakIds: z.array(z.number().int().positive().max(2 ** 53 - 1)).min(1).max(MAX_SELECTED_BREAKS).optional(),
  })
  .strict();
export type BreakFilterInput = z.infer<typeof breakFilterSchema>;

const statusSchema = z.enum(BREAK_STATUSES);

export const decisionResultSchema = z.object({
  decisionId: z.string(),
  runId: z.string(),
  kind: z.enum(DECISION_KINDS),
  /** True when the decision waits for an approver (an override, or a bulk over the threshold). */
  proposal: z.boolean(),
  breakCount: z.number(),
  /** Bulk: matching breaks left alone (not open, or nothing to accept). */
  skipped: z.number(),
  /** The first 100 breaks it moved. */
  breaks: z.array(z.object({ breakId: z.number(), from: statusSchema, to: statusSchema })),
});
export type DecisionResultDto = z.infer<typeof decisionResultSchema>;

export const historyEntrySchema = z.object({
  /** The run the decision was made in: an earlier run of the series when the decision was carried to this break. */
  runId: z.string(),
  decisionId: z.string(),
  kind: z.enum(DECISION_KINDS),
  /** OVERRIDE: the new reason; ACCEPT: this break's accepted reason. */
  reason: z.string().nullable(),
  comment: z.string().nullable(),
  actor: z.string(),
  decidedAt: z.string(),
  proposal: z.boolean(),
  bulk: z.boolean(),
  breakCount: z.number(),
  from: statusSchema,
  to: statusSchema,
  /** The proposal's outcome: approved or rejected by an approver, or withdrawn by its maker (approver is then the maker). */
  approval: z.object({ verdict: z.enum(['APPROVED', 'REJECTED', 'WITHDRAWN']), approver: z.string(), comment: z.string().nullable(), decidedAt: z.string() }).nullable(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const reviewCalls = {
  'review.decide': defineCall({
    summary: 'A decision on one break: accept the suggestion, override (reason + comment, a proposal), reject (comment) or reopen.',
    args: z
      .object({
        runId: runIdSchema,
        breakId: z.number().int().positive(),
        kind: z.enum(DECISION_KINDS),
        reason: reasonCodeSchema.optional(),
        comment: commentSchema,
      })
      .strict(),
    result: decisionResultSchema,
  }),
  'review.bulkPreview': defineCall({
    summary: 'How many breaks a bulk decision with this filter would cover: matching, still open, acceptable; and the proposal threshold.',
    args: z.object({ runId: runIdSchema, filter: breakFilterSchema }).strict(),
    result: z.object({
      matched: z.number(),
      open: z.number(),
      acceptable: z.number(),
      threshold: z.number(),
      /** Breaks this person decided in bulk on this run in the last 24 hours: they count towards the threshold with this one. */
      recentBulk: z.number(),
    }),
  }),
  'review.bulk': defineCall({
    summary: 'One decision over every open break matching the filter; over the threshold (or an override) it is a proposal.',
    args: z
      .object({
        runId: runIdSchema,
        filter: breakFilterSchema,
        kind: z.enum(['ACCEPT', 'OVERRIDE', 'REJECT']),
        reason: reasonCodeSchema.optional(),
        comment: commentSchema,
      })
      .strict(),
    result: decisionResultSchema,
  }),
  'review.history': defineCall({
    summary: "A break's current decided status and every decision and approval that touched it, oldest first.",
    args: z.object({ runId: runIdSchema, breakId: z.number().int().positive() }).strict(),
    result: z.object({
      current: z.object({ status: statusSchema, reason: z.string().nullable(), decisionId: z.string(), updatedAt: z.string() }).nullable(),
      entries: z.array(historyEntrySchema),
      /**
       * Break memory: the decision this break took over from the previous run of its series when the
       * run completed (kept: its values had not changed), or dropped (kept false: they had). Null when none.
       */
      carried: z
        .object({ fromRunId: z.string(), fromBreakId: z.number(), kept: z.boolean(), status: statusSchema, reason: z.string().nullable(), decisionId: z.string(), carriedAt: z.string() })
        .nullable(),
    }),
  }),
};

/**
 * Something in the workflow store changed (a decision, approval, role, catalogue entry, setting or run registered),
 * by this host, a team-sync pull, or another process on the workspace (engine/host/workflow-watch.ts): views refresh.
 */
export const workflowChangedEventSchema = z.object({
  type: z.literal('workflow.changed'),
  runId: z.string().nullable(),
  what: z.enum(['decision', 'approval', 'users', 'reasons', 'rules', 'settings', 'model', 'audit', 'runs']),
});
