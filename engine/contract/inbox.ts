import { z } from 'zod';
import { defineCall } from './call.ts';

/**
 * The inbox: what the team server did to this workstation's work that its
 * maker must hear about. Today one kind of item: a decision or proposal that
 * lost some of its breaks to another device's earlier decision (the team
 * server supersedes per break: engine/sync/README.md, "Server order"). The
 * item names the decision, the breaks it lost, who won them and with what,
 * and what still holds for the rest; the maker dismisses it once read.
 */

/** What holds for the breaks the decision still covers. */
export const CONFLICT_REMAINDERS = ['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'APPLIED', 'SUPERSEDED'] as const;

/** A decision that held some of the loser's breaks on the team server. */
export const conflictWinnerSchema = z.object({
  decisionId: z.string(),
  /** Null when that decision has not reached this workstation. */
  actor: z.string().nullable(),
  kind: z.string().nullable(),
  isProposal: z.boolean(),
  /** What it had made of the breaks, e.g. ACCEPTED or PROPOSED, and the reason. */
  status: z.string(),
  reason: z.string().nullable(),
  breakIds: z.array(z.number()),
});

export const conflictItemSchema = z.object({
  decisionId: z.string(),
  runId: z.string(),
  definition: z.string().nullable(),
  isProposal: z.boolean(),
  kind: z.string(),
  reason: z.string().nullable(),
  maker: z.string(),
  decidedAt: z.string(),
  breakCount: z.number().int(),
  lostBreakIds: z.array(z.number()),
  /** Breaks it still covers. */
  remaining: z.number().int().nonnegative(),
  remainder: z.enum(CONFLICT_REMAINDERS),
  winners: z.array(conflictWinnerSchema),
  /** The same sentence `recon sync status` prints. */
  line: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
});
export type ConflictItemDto = z.infer<typeof conflictItemSchema>;

export const inboxCalls = {
  'inbox.list': defineCall({
    summary: "This workstation's decisions and proposals that lost breaks to other devices on the team server, newest first (dismissed ones with includeAcknowledged).",
    args: z.object({ includeAcknowledged: z.boolean().optional() }).strict(),
    result: z.object({ items: z.array(conflictItemSchema) }),
  }),
  'inbox.acknowledge': defineCall({
    summary: 'Dismisses the inbox item of a decision that lost breaks (read, nothing to do); the decision and its lost breaks stay in history.',
    args: z.object({ decisionId: z.uuid() }).strict(),
    result: z.object({ acknowledged: z.boolean(), items: z.array(conflictItemSchema) }),
  }),
};
