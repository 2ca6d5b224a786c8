import type { z } from 'zod';
import type { qualityGateSchema } from '../contract/index.ts';
/** The unknown-rate limit of a definition that sets none (definition/schema.ts defaults to it). */
export { DEFAULT_UNKNOWN_RATE_LIMIT } from '../definition/schema.ts';

/** The quality gate (the seeds' "Discriminator") as recorded in summary.json (declared with the run summary, engine/contract/runs.ts). */
export type QualityGate = z.infer<typeof qualityGateSchema>;

/** A run passes when every integrity check passes and the unknown rate is at or below the limit (default 5%). */
export function qualityGate(input: { checksPassed: boolean; unknownRate: number; unknownRateLimit: number }): QualityGate {
  const reasons: string[] = [];
  if (!input.checksPassed) reasons.push('an integrity check failed');
  if (input.unknownRate > input.unknownRateLimit) {
    reasons.push(`unknown rate ${(input.unknownRate * 100).toFixed(2)}% is above the limit of ${(input.unknownRateLimit * 100).toFixed(2)}%`);
  }
  return { passed: reasons.length === 0, ...input, reasons };
}
