import type { DuckDBConnection } from '@duckdb/node-api';
import type { FieldAdjust } from '../definition/schema.ts';
import { queryOne } from '../duckdb/open.ts';
import { businessDayNumber } from '../normalize/adjust-sql.ts';
import { numCompareSql } from './canon.ts';
import { kindOf } from './column-types.ts';
import type { FieldPlan } from './fields.ts';
import { toleranceProposals } from './tolerance.ts';
import type { RuleProposal } from './types.ts';

/**
 * Column-wide patterns among key-matched records whose values differ: B is A
 * ×100 or ×1000 (or the inverse), A's sign flipped, or a date shifted by a
 * constant number of days or business days. Each is reported with how many
 * records it explains; one that explains most records is worth a rule, a
 * sporadic one points at breaks. None is written into the definition: each
 * carries the `adjust` that would normalize it, for a person to accept.
 * Where no such pattern holds and the values differ a little on most records,
 * a tolerance is proposed instead (tolerance.ts).
 */

/** B = A × k, with the exact factor that undoes it (B × inverse = A). */
const FACTORS = [
  { k: 100, inverse: '0.01' },
  { k: 1000, inverse: '0.001' },
  { k: 0.01, inverse: '100' },
  { k: 0.001, inverse: '1000' },
  { k: -1, inverse: '-1' },
] as const;
/** Explains at least this share of compared records: column-wide. */
const COLUMN_WIDE = 0.5;

/**
 * The `adjust` that undoes B = A × k: the inverse factor on B, except that an
 * integer field is multiplied by whole numbers only, so B = A × 100 there
 * scales A instead.
 */
function scaleAdjust(type: FieldPlan['type'], k: number, inverse: string): FieldAdjust {
  if (type === 'integer' && !/^-?\d+$/.test(inverse)) return { a: { multiply: String(k) } };
  return { b: { multiply: inverse } };
}

/** Whether fieldPatterns looks at the field at all: compared numbers and dates. */
export function hasPatterns(f: FieldPlan): boolean {
  return f.compare && (f.type === 'decimal' || f.type === 'integer' || f.type === 'date' || f.type === 'timestamp');
}

/** SQL over `infer_pc`: the field's matched records whose two values differ (without any, there is no pattern). */
export function differingSql(f: FieldPlan): string {
  const [x, y] = [`x${f.a.index}`, `y${f.b.index}`];
  return `count(*) FILTER (WHERE ${x} IS NOT NULL AND ${y} IS NOT NULL AND ${differs(f, x, y)})`;
}

/** SQL: the field's two canonical values differ (numbers at a common scale, never a failing cast). */
function differs(f: FieldPlan, x: string, y: string): string {
  return kindOf(f.a) === 'num' && kindOf(f.b) === 'num' ? numCompareSql(f.a, f.b, x, y, '<>') : `${x} <> ${y}`;
}

/** Proposals for one field (empty for fields that are not numbers or dates). */
export async function fieldPatterns(conn: DuckDBConnection, f: FieldPlan, sampleFraction: number): Promise<RuleProposal[]> {
  if (!hasPatterns(f)) return [];
  const x = `x${f.a.index}`;
  const y = `y${f.b.index}`;
  const numeric = f.type === 'decimal' || f.type === 'integer';
  const both = `${x} IS NOT NULL AND ${y} IS NOT NULL`;
  const aggs = [`count(*) FILTER (WHERE ${both}) AS compared`, `${differingSql(f)} AS differing`];
  if (numeric) {
    // B written to fewer decimals (e.g. thousands at 3 dp) still fits within half its last digit.
    const half = 0.5 * 10 ** -(f.b.scale ?? 0);
    FACTORS.forEach(({ k }, i) => {
      const hit = `${x} <> 0 AND ${differs(f, x, y)} AND abs(${y}::DOUBLE - ${x}::DOUBLE * ${k}) <= ${half} + 1e-9 * abs(${x}::DOUBLE * ${k})`;
      aggs.push(`count(*) FILTER (WHERE ${both} AND ${hit}) AS k${i}`, `list(__key) FILTER (WHERE ${both} AND ${hit})[1:3] AS e${i}`);
    });
  } else {
    const dx = `${x}::DATE`;
    const dy = `${y}::DATE`;
    aggs.push(
      `histogram(date_diff('day', ${dx}, ${dy})) FILTER (WHERE ${both} AND ${dx} <> ${dy}) AS cal`,
      `histogram(${businessDayNumber(dy)} - ${businessDayNumber(dx)}) FILTER (WHERE ${both} AND ${dx} <> ${dy}) AS biz`,
    );
  }
  const row = await queryOne<Record<string, unknown>>(conn, `SELECT ${aggs.join(', ')} FROM infer_pc`);
  const compared = Number(row['compared']);
  const differing = Number(row['differing']);
  if (differing === 0) return [];
  const out: RuleProposal[] = [];
  const push = (kind: RuleProposal['kind'], value: number, adjust: FieldAdjust, explains: number, examples: string[], label: string): void => {
    if (explains < 2 && explains < COLUMN_WIDE * compared) return;
    const columnWide = explains >= COLUMN_WIDE * compared;
    const share = `${explains.toLocaleString('en-US')} of ${compared.toLocaleString('en-US')} matched records (${pct(explains / compared)})`;
    out.push({
      field: f.a.name,
      kind,
      value,
      adjust,
      explains,
      differing,
      compared,
      estimatedRecords: Math.round(explains / Math.max(sampleFraction, 1e-9)),
      columnWide,
      reason: columnWide
        ? `B's ${f.b.name} is ${label} in ${share}: propose a rule that normalizes it`
        : `${label} in ${share}: sporadic, so breaks to review rather than a rule`,
      exampleKeys: examples,
    });
  };
  if (numeric) {
    FACTORS.forEach(({ k, inverse }, i) => {
      const label = k === -1 ? "A's value with the sign flipped" : `A's value ×${k}`;
      push(k === -1 ? 'sign-flip' : 'scale', k, scaleAdjust(f.type, k, inverse), Number(row[`k${i}`] ?? 0), (row[`e${i}`] as string[] | null) ?? [], label);
    });
  } else {
    const calendar = new Map(toEntries(row['cal']));
    for (const [kind, col] of [['day-shift', 'cal'], ['business-day-shift', 'biz']] as const) {
      const hist = toEntries(row[col]);
      for (const [shift, n] of hist.slice(0, 2)) {
        // A business-day shift is news only where it explains more than the same calendar shift (weekends).
        if (shift === 0 || (kind === 'business-day-shift' && (calendar.get(shift) ?? 0) >= n)) continue;
        const unit = kind === 'day-shift' ? 'day' : 'business day';
        const adjust: FieldAdjust = kind === 'day-shift' ? { b: { shiftDays: -shift } } : { b: { shiftBusinessDays: -shift } };
        push(kind, shift, adjust, n, [], `${Math.abs(shift)} ${unit}${Math.abs(shift) === 1 ? '' : 's'} ${shift > 0 ? 'later' : 'earlier'}`);
      }
    }
  }
  out.sort((p, q) => q.explains - p.explains);
  const tolerances = await toleranceProposals(conn, f, out, sampleFraction);
  // Shifts a proposed day tolerance covers are part of the lag it describes, not breaks to review.
  const days = tolerances.find((t) => t.tolerance?.days !== undefined)?.tolerance?.days ?? 0;
  return [...out.filter((p) => !(p.kind.endsWith('day-shift') && Math.abs(p.value) <= days)), ...tolerances];
}

/** A DuckDB MAP (as JSON) → [key, count] sorted by count, most first. */
function toEntries(v: unknown): [number, number][] {
  if (v === null || v === undefined) return [];
  const entries: [number, number][] = Array.isArray(v)
    ? (v as { key: unknown; value: unknown }[]).map((e) => [Number(e.key), Number(e.value)])
    : Object.entries(v as Record<string, unknown>).map(([k, n]) => [Number(k), Number(n)]);
  return entries.sort((p, q) => q[1] - p[1]);
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
