import { z } from 'zod';
import { defineCall } from './call.ts';
import { runIdSchema } from './ids.ts';

/**
 * The matching view of a matching run (a definition with a `matching` block,
 * engine/match; docs/MATCHING.md): the matched groups, the unmatched rows of
 * both sides with their best candidates, and manual match and unmatch under
 * the 4-eye rule above the workspace's `matching.approvalAbove` amount.
 *
 * What is matched now = the run file's matches, minus the matches undone by an
 * effective UNMATCH, plus the effective manual MATCHes (and minus manual ones
 * undone). A MATCH or UNMATCH whose amount (the larger of the group's two
 * absolute sums) is above the threshold is PENDING until another user with the
 * approver role approves it; its maker may withdraw it.
 */

export const MATCH_TYPE_NAMES = ['1:1', '1:N', 'N:1', 'N:M'] as const;
const side = z.enum(['a', 'b']);
const decimalText = z.string().nullable();

/** Where a matched group stands: made by a rule or by hand, and whether a change to it waits for approval. */
export const MATCH_STATES = ['RULE', 'MANUAL', 'PENDING_MATCH', 'PENDING_UNMATCH'] as const;

export const matchGroupSchema = z.object({
  matchId: z.string(),
  /** The rule's name; null for a manual match. */
  rule: z.string().nullable(),
  matchType: z.enum(MATCH_TYPE_NAMES),
  rowsA: z.number(),
  rowsB: z.number(),
  /** Exact sums of the amount field, and B − A; null without an amount field. */
  sumA: decimalText,
  sumB: decimalText,
  difference: decimalText,
  score: z.number().nullable(),
  state: z.enum(MATCH_STATES),
  /** The first value of the date field on A, and the counterparty-like text of the group's first A row, for the list. */
  date: z.string().nullable(),
  label: z.string().nullable(),
});
export type MatchGroup = z.infer<typeof matchGroupSchema>;

/** One source row as the matching view shows it: its id, amount, date and every field as text. */
export const matchRowSchema = z.object({
  side,
  rid: z.number(),
  id: z.string(),
  amount: decimalText,
  date: z.string().nullable(),
  /** Every field of the definition, by name, as text. */
  fields: z.record(z.string(), z.string().nullable()),
});
export type MatchRow = z.infer<typeof matchRowSchema>;

/** An unmatched row: left by the rules (UNMATCHED), tied (AMBIGUOUS), or unmatched by hand (UNDONE); with its break, when it has one. */
export const unmatchedRowSchema = matchRowSchema.extend({
  status: z.enum(['UNMATCHED', 'AMBIGUOUS', 'UNDONE', 'PENDING_MATCH']),
  breakId: z.number().nullable(),
});
export type UnmatchedRow = z.infer<typeof unmatchedRowSchema>;

export const matchFilterSchema = z
  .object({
    rule: z.string().max(64).optional(),
    matchType: z.enum(MATCH_TYPE_NAMES).optional(),
    /** Absolute amount range (decimal text). */
    amountMin: z.string().regex(/^\d+(\.\d+)?$/).optional(),
    amountMax: z.string().regex(/^\d+(\.\d+)?$/).optional(),
    dateFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    dateTo: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    /** Text looked for in the counterparty-like fields and the id, case-insensitive. */
    text: z.string().max(200).optional(),
  })
  .strict();
export type MatchFilter = z.infer<typeof matchFilterSchema>;

const page = { offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(100) };

/** A candidate for a selected unmatched row: a row of the other side, how close it is and why. */
export const matchCandidateSchema = matchRowSchema.extend({
  score: z.number(),
  why: z.string(),
  /** The rule under which it tied (AMBIGUOUS rows), or null for a looser suggestion. */
  rule: z.string().nullable(),
});
export type MatchCandidate = z.infer<typeof matchCandidateSchema>;

/** SUPERSEDED: the team server did not take it (another device's action took its rows or match first, or its roles refused it); kept as history, never in force. */
export const MATCH_ACTION_STATES = ['EFFECTIVE', 'PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'SUPERSEDED'] as const;

export const matchActionSchema = z.object({
  actionId: z.string(),
  runId: z.string(),
  kind: z.enum(['MATCH', 'UNMATCH']),
  matchId: z.string(),
  rows: z.array(z.object({ side, rid: z.number(), id: z.string() })),
  sumA: decimalText,
  sumB: decimalText,
  difference: decimalText,
  comment: z.string().nullable(),
  maker: z.string(),
  decidedAt: z.string(),
  /** EFFECTIVE: needed no approval; PENDING: waits for an approver; else its outcome. */
  state: z.enum(MATCH_ACTION_STATES),
  approver: z.string().nullable(),
  approvalComment: z.string().nullable(),
});
export type MatchAction = z.infer<typeof matchActionSchema>;

export const matchingCalls = {
  'matching.groups': defineCall({
    summary: "A matching run's matched groups now (rule and manual matches, pending changes marked), filtered and paged.",
    args: z.object({ runId: runIdSchema, filter: matchFilterSchema.default({}), ...page }).strict(),
    result: z.object({ total: z.number(), groups: z.array(matchGroupSchema) }),
  }),
  'matching.groupRows': defineCall({
    summary: 'The rows of both sides of one matched group.',
    args: z.object({ runId: runIdSchema, matchId: z.string().min(1).max(64) }).strict(),
    result: z.object({ group: matchGroupSchema, rows: z.array(matchRowSchema) }),
  }),
  'matching.unmatched': defineCall({
    summary: "One side's unmatched rows now (left by the rules, ambiguous, or unmatched by hand), filtered and paged.",
    args: z.object({ runId: runIdSchema, side, filter: matchFilterSchema.default({}), ...page }).strict(),
    result: z.object({ total: z.number(), rows: z.array(unmatchedRowSchema) }),
  }),
  'matching.candidates': defineCall({
    summary: 'The best candidates on the other side for one unmatched row, and why each is one.',
    args: z.object({ runId: runIdSchema, side, rid: z.number().int().min(0), limit: z.number().int().min(1).max(50).default(10) }).strict(),
    result: z.object({ candidates: z.array(matchCandidateSchema) }),
  }),
  'matching.preview': defineCall({
    summary: 'The sums of a selection of unmatched rows of both sides, and whether matching them needs an approver.',
    args: z.object({ runId: runIdSchema, rows: z.array(z.object({ side, rid: z.number().int().min(0) })).min(1).max(200) }).strict(),
    result: z.object({ sumA: decimalText, sumB: decimalText, difference: decimalText, rowsA: z.number(), rowsB: z.number(), needsApproval: z.boolean(), threshold: z.string() }),
  }),
  'matching.match': defineCall({
    summary: 'Matches unmatched rows of both sides by hand (audited; PENDING for an approver above the threshold).',
    args: z
      .object({
        runId: runIdSchema,
        rows: z.array(z.object({ side, rid: z.number().int().min(0) })).min(2).max(200),
        comment: z.string().trim().min(1, 'a comment saying why').max(2000),
      })
      .strict(),
    result: matchActionSchema,
  }),
  'matching.unmatch': defineCall({
    summary: 'Undoes a match, by a rule or by hand (audited; PENDING for an approver above the threshold).',
    args: z.object({ runId: runIdSchema, matchId: z.string().min(1).max(64), comment: z.string().trim().min(1, 'a comment saying why').max(2000) }).strict(),
    result: matchActionSchema,
  }),
  'matching.actions': defineCall({
    summary: 'Manual matches and unmatches, newest first: of one run, or those waiting for an approver.',
    args: z.object({ runId: runIdSchema.optional(), pendingOnly: z.boolean().default(false) }).strict(),
    result: z.object({ actions: z.array(matchActionSchema), canApprove: z.boolean() }),
  }),
  'matching.decide': defineCall({
    summary: "Approves or rejects a pending manual match or unmatch (approver role; never one's own).",
    args: z.object({ actionId: z.string().min(1).max(64), verdict: z.enum(['APPROVED', 'REJECTED']), comment: z.string().max(2000).optional() }).strict(),
    result: matchActionSchema,
  }),
  'matching.withdraw': defineCall({
    summary: "Withdraws one's own pending manual match or unmatch.",
    args: z.object({ actionId: z.string().min(1).max(64) }).strict(),
    result: matchActionSchema,
  }),
};
