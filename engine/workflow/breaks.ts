/**
 * What the workflow needs to know about a run's breaks, behind an interface:
 * the DuckDB-backed source reads the run file (run-file/break-source.ts);
 * decisions only see this shape, so the store code never loads DuckDB.
 * A break's model status and suggestion are baseStatusOf() and suggestionOf().
 */
import { ReconError } from '../errors/recon-error.ts';
import type { Break } from '../run-file/break.ts';
import type { BreakStatus } from './status.ts';

/** A break with its current status (break_status overrides the attribution's). */
export interface ReviewedBreak extends Break {
  status: BreakStatus;
  reason: string | null;
  decisionId: string | null;
}

/** Which breaks a bulk decision or a list covers. Values are compared exactly. */
export interface BreakFilter {
  field?: string;
  diffType?: string;
  /** The suggested reason (see suggestionOf in run-file/break.ts). */
  reason?: string;
  /** The attribution's status (see baseStatusOf in run-file/break.ts). */
  baseStatus?: 'AUTO' | 'REVIEW';
  /** The exact delta text, e.g. "0.01". */
  delta?: string;
  /** |delta| at most this decimal. */
  maxAbsDelta?: string;
  /** Exactly these breaks (a selection in the grid). */
  breakIds?: number[];
}

/** Reads a run's breaks. */
export interface BreakSource {
  /** The breaks with these ids; ids that do not exist are absent. */
  get(ids: readonly number[]): Promise<Map<number, Break>>;
  /** Up to `limit` matching breaks with break_id > afterId, ascending. */
  page(filter: BreakFilter, afterId: number, limit: number): Promise<Break[]>;
  close(): void;
}

/** A decimal that fits DECIMAL(38, 10), as the filter's SQL compares it: at most 28 digits before the point. */
const DECIMAL = /^[+-]?(0*\d{1,28}(\.\d*)?|\.\d+)$/;

/** Checks a filter from user input; throws INVALID_ARGUMENT. */
export function validateFilter(filter: BreakFilter): BreakFilter {
  const clean: BreakFilter = {};
  for (const [k, v] of Object.entries(filter) as [keyof BreakFilter, unknown][]) {
    if (v === undefined || v === '') continue;
    if (k === 'breakIds') {
      if (!Array.isArray(v) || v.length === 0 || !v.every((id) => Number.isSafeInteger(id) && (id as number) > 0)) {
        throw new ReconError('INVALID_ARGUMENT', 'breakIds must be a non-empty list of break ids (positive whole numbers)');
      }
      clean.breakIds = [...new Set(v as number[])].sort((x, y) => x - y);
      continue;
    }
    if (typeof v !== 'string') throw new ReconError('INVALID_ARGUMENT', `filter ${k} must be text`);
    (clean as Record<string, string>)[k] = v;
  }
  if (clean.maxAbsDelta !== undefined && !DECIMAL.test(clean.maxAbsDelta)) {
    throw new ReconError('INVALID_ARGUMENT', `maxAbsDelta must be a decimal number with at most 28 digits before the point, got "${clean.maxAbsDelta.slice(0, 60)}"`);
  }
  if (clean.baseStatus !== undefined && clean.baseStatus !== 'AUTO' && clean.baseStatus !== 'REVIEW') {
    throw new ReconError('INVALID_ARGUMENT', `status filter must be AUTO or REVIEW, got "${String(clean.baseStatus)}"`);
  }
  return clean;
}

/** Every matching break, paged so a large run streams through in slices. */
export async function findAll(source: BreakSource, filter: BreakFilter, pageSize = 5000): Promise<Break[]> {
  const out: Break[] = [];
  let after = 0;
  for (;;) {
    const page = await source.page(filter, after, pageSize);
    out.push(...page);
    const last = page.at(-1);
    if (!last || page.length < pageSize) return out;
    after = last.breakId;
  }
}
