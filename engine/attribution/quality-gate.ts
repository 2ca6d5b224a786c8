import type { z } from 'zod';
import type { qualityGateSchema } from '../contract/index.ts';
/** The unknown-rate limit of a definition that sets none (definition/schema.ts defaults to it). */
export { DEFAULT_UNKNOWN_RATE_LIMIT } from '../definition/schema.ts';

/** The quality gate (the seeds' "Discriminator") as recorded in summary.json (declared with the run summary, engine/contract/runs.ts). */
export type QualityGate = z.infer<typeof qualityGateSchema>;

/**
 * A run passes when every integrity check passes and the unknown rate is at or below the limit (default 5%).
 * Rejected records do not fail it (every row is still accounted for), but they were not
 * compared, so a side with rejects gives a warning the run shows beside the gate.
 */
export function qualityGate(input: { checksPassed: boolean; unknownRate: number; unknownRateLimit: number; rejected?: { a: number; b: number } }): QualityGate {
  const reasons: string[] = [];
  if (!input.checksPassed) reasons.push('an integrity check failed');
  if (input.unknownRate > input.unknownRateLimit) {
    reasons.push(`unknown rate ${(input.unknownRate * 100).toFixed(2)}% is above the limit of ${(input.unknownRateLimit * 100).toFixed(2)}%`);
  }
  const warnings = (['a', 'b'] as const).flatMap((side) => {
    const n = input.rejected?.[side] ?? 0;
    return n > 0 ? [`${side.toUpperCase()}: ${n} record(s) rejected, not compared (see rejects)`] : [];
  });
  return { passed: reasons.length === 0, checksPassed: input.checksPassed, unknownRate: input.unknownRate, unknownRateLimit: input.unknownRateLimit, reasons, warnings };
}
