import type { DuckDBConnection } from '@duckdb/node-api';
import type { FieldType } from '../definition/schema.ts';
import { queryOne } from '../duckdb/open.ts';
import { literal } from '../sql/quote.ts';
import { kindOf, type TypedColumn } from './column-types.ts';
import { contingency, type PairEvidence } from './matching.ts';
import { DECIMAL_DIGITS } from './numbers.ts';
import { learnMap, MAP_DOMAIN } from './value-maps.ts';
import type { FieldReport, Question, RefusedMap } from './types.ts';

/**
 * One field of the proposed definition from a mapped column pair: the type
 * both sides share, per-side date formats, case folding and a value map when
 * the matched records call for them. What cannot be decided (a dd/mm vs mm/dd
 * date) is carried uncompared and asked as a question.
 */
export interface FieldPlan {
  a: TypedColumn;
  b: TypedColumn;
  type: FieldType;
  scale?: number;
  case?: 'upper';
  map?: Record<string, string>;
  /** Per side: strptime format, null for ISO; only for date/timestamp. */
  formats?: { a: string | null; b: string | null };
  compare: boolean;
  report: FieldReport;
  question?: Question;
  refused: RefusedMap[];
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

function unify(a: TypedColumn, b: TypedColumn): { type: FieldType; confidence: number; reason: string } {
  const ta = a.type === 'empty' ? b.type : a.type;
  const tb = b.type === 'empty' ? a.type : b.type;
  if (ta === 'empty' || tb === 'empty') return { type: 'string', confidence: 0.5, reason: 'no values on either side; text' };
  if (ta === tb) return { type: ta, confidence: Math.min(a.report.confidence || 1, b.report.confidence || 1), reason: `${ta} on both sides` };
  const set = new Set([ta, tb]);
  if (set.has('integer') && set.has('decimal')) return { type: 'decimal', confidence: 0.95, reason: 'whole numbers on one side, decimals on the other' };
  if (set.has('date') && set.has('timestamp')) return { type: 'timestamp', confidence: 0.85, reason: 'a date on one side, a timestamp on the other' };
  return { type: 'string', confidence: 0.5, reason: `A is ${ta} and B is ${tb}: compared as text` };
}

/** Decides one field; `conn` reads the matched pairs for case and value-map evidence. */
/**
 * What planField otherwise reads per text field, counted for many fields in
 * one statement (a wide file, wide-match.ts): the records with both values,
 * equal as written, equal ignoring case, and the distinct values each side
 * has among them, as written (`da`, `db`) and upper-cased (`dua`, `dub`).
 */
export interface TextCounts {
  both: number;
  raw: number;
  ci: number;
  da: number;
  db: number;
  dua: number;
  dub: number;
}

/** SQL aggregates of TextCounts for a pair over `infer_pairs`, aliased `<prefix><name>`. */
export function textCountsSql(a: TypedColumn, b: TypedColumn, prefix: string): [string, string][] {
  const both = `${a.ref} IS NOT NULL AND ${b.ref} IS NOT NULL`;
  return [
    [`${prefix}both`, `count(*) FILTER (WHERE ${both})`],
    [`${prefix}raw`, `count(*) FILTER (WHERE ${both} AND ${a.ref} = ${b.ref})`],
    [`${prefix}ci`, `count(*) FILTER (WHERE ${both} AND upper(${a.ref}) = upper(${b.ref}))`],
    [`${prefix}da`, `count(DISTINCT ${a.ref}) FILTER (WHERE ${both})`],
    [`${prefix}db`, `count(DISTINCT ${b.ref}) FILTER (WHERE ${both})`],
    [`${prefix}dua`, `count(DISTINCT upper(${a.ref})) FILTER (WHERE ${both})`],
    [`${prefix}dub`, `count(DISTINCT upper(${b.ref})) FILTER (WHERE ${both})`],
  ];
}

/** Whether planField reads TextCounts for the pair: a text field, as it will type it. */
export function needsTextCounts(e: PairEvidence): boolean {
  return !(e.a.ambiguous ?? e.b.ambiguous) && unify(e.a, e.b).type === 'string';
}

export async function planField(conn: DuckDBConnection, e: PairEvidence, isKey: boolean, keyFold: boolean, counts?: TextCounts): Promise<FieldPlan> {
  const { a, b } = e;
  const mapping = {
    value: b.name,
    confidence: round(isKey ? 0.99 : Math.min(0.99, e.score)),
    reason: isKey ? 'the key' : mappingReason(e),
  };
  const base = { a, b, refused: [] as RefusedMap[] };
  const field = (plan: Omit<FieldPlan, 'a' | 'b' | 'refused' | 'report'>, agreement: number | null, extra: Partial<FieldReport>, typeWhy: { confidence: number; reason: string }): FieldPlan => ({
    ...base,
    ...plan,
    report: { name: a.name, b: b.name, mapping, type: { value: plan.type, confidence: round(typeWhy.confidence), reason: typeWhy.reason }, agreement: agreement === null ? null : round(agreement), ...extra },
  });

  const ambiguous = a.ambiguous ?? b.ambiguous;
  if (ambiguous) {
    const side = a.ambiguous ? 'A' : 'B';
    const message = `${side}'s ${side === 'A' ? a.name : b.name}: every sampled date fits both ${ambiguous[0]} and ${ambiguous[1]} (no day above 12). Choose the format; until then the field is carried as text and not compared.`;
    const plan = field({ type: 'string', compare: false }, null, { notCompared: 'date format cannot be told from the data' }, { confidence: 0, reason: 'ambiguous date format' });
    plan.question = { field: a.name, side: side === 'A' ? 'a' : 'b', message, options: [...ambiguous], ...(await dateHint(conn, e, ambiguous)) };
    return plan;
  }

  const u = unify(a, b);
  if (u.type === 'date' || u.type === 'timestamp') {
    return field({ type: u.type, compare: true, formats: { a: a.format ?? null, b: b.format ?? null } }, e.compared ? e.agree : null, {}, u);
  }
  if (u.type === 'decimal') {
    const finer = Math.max(a.scale ?? 0, b.scale ?? 0);
    // A DECIMAL(38) holds 38 digits: the larger values' integer digits (either side's) bound the scale.
    const scale = Math.min(finer, Math.max(0, DECIMAL_DIGITS - Math.max(a.intDigits, b.intDigits)));
    const why = scale < finer ? `scale ${scale}: values of ${Math.max(a.intDigits, b.intDigits)} integer digits leave no room for ${finer} decimal places in a ${DECIMAL_DIGITS}-digit decimal` : `scale ${scale} (the values' usual decimal places, the larger of the two sides)`;
    return field({ type: 'decimal', scale, compare: true }, e.compared ? e.agree : null, { scale }, { ...u, reason: `${u.reason}; ${why}` });
  }
  if (u.type !== 'string') return field({ type: u.type, compare: true }, e.compared ? e.agree : null, {}, u);

  // Text: case folding when it explains most differences, then a value map over a small domain.
  const r =
    counts ??
    (await queryOne<{ both: string; raw: string; ci: string }>(
      conn,
      `SELECT count(*) AS both, count(*) FILTER (WHERE ${a.ref} = ${b.ref}) AS raw, count(*) FILTER (WHERE upper(${a.ref}) = upper(${b.ref})) AS ci
         FROM infer_pairs WHERE ${a.ref} IS NOT NULL AND ${b.ref} IS NOT NULL`,
    ));
  const [both, raw, ci] = [Number(r.both), Number(r.raw), Number(r.ci)];
  const gain = ci - raw;
  const fold = isKey ? keyFold : gain >= 3 && gain >= 0.5 * (both - raw);
  const extra: Partial<FieldReport> = {};
  if (fold) {
    extra.case = {
      value: 'upper',
      confidence: isKey ? 0.9 : round(Math.min(0.99, 0.6 + gain / Math.max(1, both - raw) * 0.4)),
      reason: isKey ? 'keys match only when letter case is ignored' : `${gain} of ${both} matched records differ only in letter case`,
    };
  }
  let agreement = both === 0 ? null : (fold ? ci : raw) / both;
  let map: Record<string, string> | undefined;
  const refused: RefusedMap[] = [];
  if (!isKey && both > 0) {
    // Over more distinct values than a map may have, learnMap learns nothing and refuses nothing.
    const domain = counts ? (fold ? Math.max(counts.dua, counts.dub) : Math.max(counts.da, counts.db)) : 0;
    const learned = domain > MAP_DOMAIN ? learnMap([]) : learnMap(await contingency(conn, a, b, fold));
    refused.push(...learned.refused.map((x) => ({ field: a.name, ...x })));
    if (Object.keys(learned.map).length > 0) {
      map = learned.map;
      agreement = learned.agreeAfter;
      const entries = Object.entries(map).map(([k, v]) => `${k} → ${v}`).join(', ');
      extra.map = {
        value: map,
        confidence: round(Math.min(0.99, learned.agreeAfter)),
        reason: `${entries}: consistent in matched records; agreement ${pct(learned.agreeBefore)} → ${pct(learned.agreeAfter)}`,
      };
    }
  }
  const plan = field({ type: 'string', compare: true, ...(fold ? { case: 'upper' as const } : {}), ...(map ? { map } : {}) }, agreement, extra, u);
  plan.refused = refused;
  return plan;
}

function mappingReason(e: PairEvidence): string {
  const parts: string[] = [];
  if (e.compared > 0 && e.agree >= 0.5) parts.push(`values agree in ${pct(e.agree)} of ${e.compared.toLocaleString('en-US')} matched records`);
  else if (e.lambda >= 0.5) parts.push(`B's value predicts A's in matched records (λ ${e.lambda.toFixed(2)}): a code list`);
  else if (e.related >= 0.5) parts.push(`${pct(e.related)} of matched records differ by one constant factor or day shift`);
  else if (e.close > 0 && kindOf(e.a) === 'num') {
    // `close` counts only the records where both sides have a value; r is measured on them alone.
    const r = (e.close * e.compared) / Math.max(1, e.both);
    parts.push(`values correlate (r ${r.toFixed(4)}, B ≈ A) in the ${e.both.toLocaleString('en-US')} of ${e.compared.toLocaleString('en-US')} matched records where both have a value, though only ${pct(e.agree)} agree exactly`);
  }
  else if (e.close > 0) parts.push(`${pct(e.close)} of matched records' dates are within a few days of each other, ${pct(e.agree)} the same day`);
  else if (e.compared > 0) parts.push(`values agree in only ${pct(e.agree)} of matched records`);
  if (e.name >= 0.5) parts.push(`names alike (${e.name.toFixed(2)})`);
  return parts.join('; ') || 'weak evidence';
}

/** How often each candidate format agrees with the other side on matched records: a hint, never applied. */
async function dateHint(conn: DuckDBConnection, e: PairEvidence, formats: [string, string]): Promise<{ hint?: string }> {
  const amb = e.a.ambiguous ? e.a : e.b;
  const other = amb === e.a ? e.b : e.a;
  if (other.type !== 'date' && other.type !== 'timestamp') return {};
  const otherSql = other.format ? `TRY_STRPTIME(${other.ref}, ${literal(other.format)})::DATE` : `TRY_CAST(${other.ref} AS DATE)`;
  const counts = await queryOne<{ n: string; f0: string; f1: string }>(
    conn,
    `SELECT count(*) AS n, ${formats.map((f, i) => `count(*) FILTER (WHERE TRY_STRPTIME(${amb.ref}, ${literal(f)})::DATE = ${otherSql}) AS f${i}`).join(', ')}
       FROM infer_pairs WHERE ${amb.ref} IS NOT NULL AND ${other.ref} IS NOT NULL`,
  );
  const n = Number(counts.n);
  if (n === 0) return {};
  return { hint: `on ${n} key-matched records, ${formats[0]} agrees with the other file in ${counts.f0} and ${formats[1]} in ${counts.f1}` };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
