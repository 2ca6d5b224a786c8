import { z } from 'zod';
import { defineCall } from './call.ts';

const workspaceSettings = z.object({
  /** A bulk decision over more breaks than this is a proposal (needs an approver). */
  bulkProposalThreshold: z.number().int().nonnegative(),
  /** A manual match or unmatch whose amount (the larger of its two absolute sums) is above this needs an approver. Whole currency units. */
  matchApprovalAbove: z.number().int().nonnegative(),
});

export const settingsCalls = {
  'settings.get': defineCall({
    summary: 'Workspace settings the review workflow reads (defaults when unset).',
    args: z.object({}).strict(),
    result: workspaceSettings,
  }),
  'settings.set': defineCall({
    summary: 'Admin: changes workspace settings (audited as setting.changed).',
    args: z
      .object({
        bulkProposalThreshold: z.number().int().min(0).max(1_000_000_000),
        matchApprovalAbove: z.number().int().min(0).max(1_000_000_000_000).optional(),
      })
      .strict(),
    result: workspaceSettings,
  }),
};
