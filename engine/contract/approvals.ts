import { z } from 'zod';
import { defineCall } from './call.ts';
import { DECISION_KINDS } from './review.ts';
import { SYNC_MARKS } from './sync.ts';

/** One break of a proposal, as the approver needs to judge it. */
export const evidenceSchema = z.object({
  breakId: z.number(),
  key: z.string(),
  field: z.string(),
  diffType: z.string(),
  valueA: z.string().nullable(),
  valueB: z.string().nullable(),
  delta: z.string().nullable(),
  fieldType: z.string().nullable(),
  /** The model's reason and confidence, and what it suggested. */
  modelReason: z.string().nullable(),
  confidence: z.number().nullable(),
  suggestedReason: z.string().nullable(),
  /** Where the proposal takes the break, and with which reason. */
  toStatus: z.string(),
  proposedReason: z.string().nullable(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const proposalSchema = z.object({
  decisionId: z.string(),
  runId: z.string(),
  definition: z.string().nullable(),
  kind: z.enum(DECISION_KINDS),
  /** OVERRIDE: the proposed reason. */
  reason: z.string().nullable(),
  comment: z.string().nullable(),
  maker: z.string(),
  decidedAt: z.string(),
  breakCount: z.number(),
  bulkFilter: z.unknown(),
  /** The first breaks it covers (up to 10), read from the run file. */
  breaks: z.array(evidenceSchema),
});
export type Proposal = z.infer<typeof proposalSchema>;

/** Where a proposal came from and where it stands with the team server (team sync). */
const syncFields = {
  /** local: made on this workstation; remote: pulled from the team server (another device). */
  origin: z.enum(['local', 'remote']),
  deviceId: z.string(),
  /** PENDING_PUSH: only on this workstation so far; otherwise the server's verdict. */
  sync: z.enum(SYNC_MARKS),
  /** The winning decision (SUPERSEDED) or the refusal code (REFUSED). */
  syncDetail: z.string().nullable(),
};

/** A proposal as the Approvals screen lists it. */
export const listedProposalSchema = proposalSchema.extend(syncFields).extend({
  /**
   * A remote run's evidence: which team logins pushed the breaks shown (the
   * server records the login and accepts evidence only from the run device's).
   * Empty for a run made here.
   */
  evidencePushedBy: z.array(z.object({ login: z.string(), breaks: z.number() })),
});
export type ListedProposal = z.infer<typeof listedProposalSchema>;

/** How a proposal was settled: by an approver (APPROVED, REJECTED) or by its maker (WITHDRAWN). */
export const PROPOSAL_VERDICTS = ['APPROVED', 'REJECTED', 'WITHDRAWN'] as const;

/** A proposal already approved, rejected or withdrawn, with who did it and whether the verdict reached the server. */
export const settledProposalSchema = proposalSchema.omit({ breaks: true, bulkFilter: true }).extend({
  ...syncFields,
  verdict: z.enum(PROPOSAL_VERDICTS),
  /** Who settled it: the approver, or the maker for WITHDRAWN. */
  approver: z.string(),
  approvalComment: z.string().nullable(),
  /** The server's verdict on the approval itself (PENDING_PUSH until it is pushed). */
  approvalSync: z.enum(SYNC_MARKS),
  /** When the approver was added, or given their roles, by the maker or after the proposal: in words (a second identity minted to approve shows). */
  approverNote: z.string().nullable(),
});
export type SettledProposal = z.infer<typeof settledProposalSchema>;

export const approvalsCalls = {
  'approvals.list': defineCall({
    summary:
      "Pending proposals, from this workstation and (with team sync) other devices: those waiting for this user (never their own) and this user's own; and the latest settled ones this user made or decided.",
    args: z.object({}).strict(),
    result: z.object({
      canApprove: z.boolean(),
      waiting: z.array(listedProposalSchema),
      mine: z.array(listedProposalSchema),
      /** Newest first, at most 20. */
      settled: z.array(settledProposalSchema),
    }),
  }),
  'approvals.decide': defineCall({
    summary: 'Approver: approve a proposal (it takes effect) or reject it with a comment (its breaks return to where they were).',
    args: z
      .object({
        decisionId: z.uuid(),
        verdict: z.enum(['APPROVE', 'REJECT']),
        comment: z.string().max(2000).optional(),
      })
      .strict(),
    result: z.object({ approvalId: z.string(), decisionId: z.string(), verdict: z.enum(['APPROVED', 'REJECTED']), breakCount: z.number() }),
  }),
  'approvals.breaks': defineCall({
    summary: "Every break of a proposal, a page at a time (its maker and any approver page through all of them), with the evidence an approver needs.",
    args: z.object({ decisionId: z.uuid(), offset: z.number().int().nonnegative().max(1_000_000_000), limit: z.number().int().positive().max(200) }).strict(),
    result: z.object({ total: z.number(), breaks: z.array(evidenceSchema) }),
  }),
  'approvals.withdraw': defineCall({
    summary: "The maker: takes back their own proposal while it waits (comment optional); its breaks return to where they were. Audited as proposal.withdrawn and synced like an approval.",
    args: z.object({ decisionId: z.uuid(), comment: z.string().max(2000).optional() }).strict(),
    result: z.object({ approvalId: z.string(), decisionId: z.string(), verdict: z.literal('WITHDRAWN'), breakCount: z.number() }),
  }),
};
