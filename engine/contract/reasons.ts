import { z } from 'zod';
import { defineCall } from './call.ts';
import { reasonCodeSchema } from './review.ts';

export const REASON_CATEGORIES = ['ACTION', 'NOISE'] as const;

export const reasonSchema = z.object({
  code: z.string(),
  description: z.string(),
  category: z.enum(REASON_CATEGORIES),
  retiredAt: z.string().nullable(),
  /** A code the engine assigns itself (UNKNOWN, MISSING_IN_A/B, DUPLICATE_KEY, REJECTED_IN_A/B): it cannot be retired (REASON_CODE_SYSTEM). */
  system: z.boolean(),
  /** Days a break with this reason may stay open before it is overdue; null: no SLA. */
  slaDays: z.number().int().nullable(),
});
export type ReasonDto = z.infer<typeof reasonSchema>;

export const reasonsCalls = {
  'reasons.list': defineCall({
    summary: 'The reason-code catalogue, active codes first.',
    args: z.object({ includeRetired: z.boolean().default(true) }).strict(),
    result: z.object({ reasons: z.array(reasonSchema) }),
  }),
  'reasons.add': defineCall({
    summary: 'Admin: adds a reason code (ACTION: needs business action; NOISE: explained noise).',
    args: z.object({ code: reasonCodeSchema, description: z.string().trim().min(1, 'a description').max(300), category: z.enum(REASON_CATEGORIES) }).strict(),
    result: reasonSchema,
  }),
  'reasons.setSla': defineCall({
    summary: 'Admin: sets (or, with null, clears) the SLA of a reason code: days a break with that reason may stay open before it is overdue. Audited as reason.sla_changed.',
    args: z.object({ code: reasonCodeSchema, slaDays: z.number().int().min(0).max(3650).nullable() }).strict(),
    result: reasonSchema,
  }),
  'reasons.retire': defineCall({
    summary: 'Admin: retires a code; it stays valid in history but cannot be chosen for new decisions. System codes cannot be retired (REASON_CODE_SYSTEM).',
    args: z.object({ code: reasonCodeSchema, comment: z.string().max(2000).optional() }).strict(),
    result: reasonSchema,
  }),
};
