/**
 * The shape of a run's break memory as the reports state it (memory.ts reads it
 * from the run file). Kept apart from the reader so that the summary text, which
 * `recon run` prints, does not load DuckDB into the CLI's main thread.
 */
type Buckets = { d0to1: number; d2to5: number; d6to30: number; over30: number };

/** The age buckets (days, by as-of date) and their labels, in order. */
export const AGE_BUCKETS: readonly (readonly [keyof Buckets, string])[] = [
  ['d0to1', '0–1'],
  ['d2to5', '2–5'],
  ['d6to30', '6–30'],
  ['over30', 'over 30'],
];

export interface RunMemory {
  series: string;
  /** YYYY-MM-DD. */
  asOf: string;
  /** Null for the first run of a series. */
  previousRunId: string | null;
  lifecycle: { new: number; carried: number; changed: number; resolved: number };
  /** The previous run's breaks gone now, by how they ended (VALUES_AGREE, RECORD_GONE...). */
  resolvedBy: Record<string, number>;
  /** Decisions on the previous run's breaks carried to CARRIED breaks, and dropped on CHANGED ones. */
  decisionsCarried: number;
  decisionsDropped: number;
  /** Per reason now (UNATTRIBUTED: none), most breaks first; `slaDays` null when the reason has no SLA. */
  byReason: (Buckets & { reason: string; total: number; slaDays: number | null; overdue: number })[];
  total: Buckets;
  /** Breaks older (in days) than their reason's SLA. */
  overdue: number;
  /** Whether any reason code has an SLA; without one, nothing is overdue and the reports say nothing of it. */
  hasSla: boolean;
  /** The oldest breaks: their age, the as-of date they were first seen on, and how many there are; null without breaks. */
  oldest: { ageDays: number; ageRuns: number; firstSeenAsOf: string; n: number } | null;
}

