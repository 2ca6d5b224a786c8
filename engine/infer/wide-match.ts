import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne, queryRows } from '../duckdb/open.ts';
import { canonSql } from './canon.ts';
import type { TypedColumn } from './column-types.ts';
import { needsTextCounts, planField, textCountsSql, type FieldPlan, type TextCounts } from './fields.ts';
import { keySql, type KeyPart } from './key-candidates.ts';
import { assign, pairEvidence, type PairEvidence } from './matching.ts';
import type { NumberConvention } from './numbers.ts';
import { differingSql, fieldPatterns, hasPatterns } from './patterns.ts';
import type { RuleProposal } from './types.ts';
import { pivotColumns, slices } from './wide.ts';

/**
 * Mapping, field plans and patterns of a wide file (wide.ts): the regular
 * functions (matching.ts, fields.ts, patterns.ts) run on `infer_pairs` and
 * `infer_pc` holding a slice of the shortlisted column pairs at a time,
 * pivoted from the long samples for the key-matched records, in the same
 * record order for every slice.
 */

/** Column pairs per slice: a slice's tables hold twice as many columns, and their canonical values. */
const PAIRS_PER_SLICE = 96;

/** `infer_pp`: the key-matched record pairs (sampled A record, matched B record), in order; returns their count. */
export async function widePairs(conn: DuckDBConnection, key: readonly KeyPart[], conv: { a: NumberConvention; b: NumberConvention }): Promise<number> {
  const ka = keySql(key, 'a', conv.a, (c) => `sa.${c.ref}`);
  await conn.run(`CREATE OR REPLACE TABLE infer_pp AS
    SELECT sa.__rid AS ra, mb.__rid AS rb, ${ka} AS __key FROM infer_s_a sa JOIN infer_m_b mb
      ON ${ka} = ${keySql(key, 'b', conv.b, (c) => `mb.${c.ref}`)}
     ORDER BY ra, rb`);
  const { n } = await queryOne<{ n: string }>(conn, 'SELECT count(*) AS n FROM infer_pp');
  return Number(n);
}

/**
 * `infer_pc` as buildPairs makes it (raw values, `__key`, canonical values),
 * with the columns of these pairs only; `infer_pairs` is a view of it.
 */
async function sliceTables(conn: DuckDBConnection, pairs: readonly { x: TypedColumn; y: TypedColumn }[], conv: { a: NumberConvention; b: NumberConvention }): Promise<void> {
  const colsA = [...new Map(pairs.map((p) => [p.x.index, p.x])).values()];
  const colsB = [...new Map(pairs.map((p) => [p.y.index, p.y])).values()];
  await pivotColumns(conn, 'infer_slice_a', 'infer_ls_a', 'a', colsA.map((c) => c.index), 'SELECT ra FROM infer_pp');
  await pivotColumns(conn, 'infer_slice_b', 'infer_lm_b', 'b', colsB.map((c) => c.index), 'SELECT rb FROM infer_pp');
  const canon = [...colsA.map((c) => `${canonSql(c, conv.a, `s.${c.ref}`)} AS x${c.index}`), ...colsB.map((c) => `${canonSql(c, conv.b, `m.${c.ref}`)} AS y${c.index}`)];
  await conn.run(`CREATE OR REPLACE TABLE infer_pc AS
    SELECT ${[...colsA.map((c) => `s.${c.ref}`), ...colsB.map((c) => `m.${c.ref}`)].join(', ')}, p.__key, ${canon.join(', ')}
      FROM infer_pp p JOIN infer_slice_a s ON s.__rid = p.ra JOIN infer_slice_b m ON m.__rid = p.rb
     ORDER BY p.ra, p.rb`);
  await conn.run('CREATE OR REPLACE VIEW infer_pairs AS SELECT * FROM infer_pc');
}

/** Whether no column is in two pairs: then whether a pair is mapped depends on its own evidence only (matching.ts `assign`). */
export function oneToOne(pairs: readonly { x: TypedColumn; y: TypedColumn }[]): boolean {
  return new Set(pairs.map((p) => p.x.index)).size === pairs.length && new Set(pairs.map((p) => p.y.index)).size === pairs.length;
}

/** pairEvidence for the shortlisted pairs, a slice at a time. */
export async function widePairEvidence(
  conn: DuckDBConnection,
  pairs: readonly { x: TypedColumn; y: TypedColumn }[],
  conv: { a: NumberConvention; b: NumberConvention },
): Promise<PairEvidence[]> {
  const out: PairEvidence[] = [];
  for (const slice of slices(pairs, PAIRS_PER_SLICE)) {
    await sliceTables(conn, slice, conv);
    out.push(...(await pairEvidence(conn, [], [], slice, { relatedWhereDisagree: true })));
  }
  return out;
}

/**
 * Mapping and plans in one pass over the slices when the shortlist is one to
 * one (every column in one pair at most, as when both files name their
 * columns alike): `assign` then maps a pair on its own evidence, so each
 * slice is mapped and planned while its tables are there.
 */
export async function wideOneToOne(
  conn: DuckDBConnection,
  pairs: readonly { x: TypedColumn; y: TypedColumn }[],
  key: readonly KeyPart[],
  keyFold: boolean,
  conv: { a: NumberConvention; b: NumberConvention },
  sampleFraction: number,
): Promise<{ plans: FieldPlan[]; rules: RuleProposal[] }> {
  const keyIdx = new Set(key.map((p) => p.a.index));
  const plans: FieldPlan[] = [];
  const rules: RuleProposal[] = [];
  for (const slice of slices([...pairs].sort((p, q) => p.x.index - q.x.index), PAIRS_PER_SLICE)) {
    await sliceTables(conn, slice, conv);
    const inSlice = new Set(slice.map((p) => p.x.index));
    const chosen = assign(await pairEvidence(conn, [], [], slice, { relatedWhereDisagree: true }), key.filter((p) => inSlice.has(p.a.index)));
    const planned = await planSlice(conn, chosen, keyIdx, keyFold, sampleFraction);
    plans.push(...planned.plans);
    rules.push(...planned.rules);
  }
  return { plans, rules };
}

/** Aggregates a statement: DuckDB's time for one grows faster than the number of its aggregates. */
const AGGREGATES_PER_QUERY = 64;

/** Named aggregates over a table, a few dozen a statement, as one row. */
async function aggregates(conn: DuckDBConnection, table: string, aggs: readonly [string, string][]): Promise<Record<string, string>> {
  const row: Record<string, string> = {};
  for (const part of slices(aggs, AGGREGATES_PER_QUERY)) {
    Object.assign(row, await queryOne<Record<string, string>>(conn, `SELECT ${part.map(([k, sql]) => `${sql} AS "${k}"`).join(', ')} FROM ${table}`));
  }
  return row;
}

/**
 * planField and fieldPatterns for the chosen pairs, a slice at a time, in A's
 * column order. What the regular path asks per field is counted per slice in
 * a few statements (TextCounts, and the records whose values differ, without
 * which a field has no pattern), so most fields need no statement of their own.
 */
export async function widePlans(
  conn: DuckDBConnection,
  chosen: readonly PairEvidence[],
  keyIdx: ReadonlySet<number>,
  keyFold: boolean,
  conv: { a: NumberConvention; b: NumberConvention },
  sampleFraction: number,
): Promise<{ plans: FieldPlan[]; rules: RuleProposal[] }> {
  const plans: FieldPlan[] = [];
  const rules: RuleProposal[] = [];
  for (const slice of slices([...chosen].sort((p, q) => p.a.index - q.a.index), PAIRS_PER_SLICE)) {
    await sliceTables(conn, slice.map((e) => ({ x: e.a, y: e.b })), conv);
    const planned = await planSlice(conn, slice, keyIdx, keyFold, sampleFraction);
    plans.push(...planned.plans);
    rules.push(...planned.rules);
  }
  return { plans, rules };
}

/** The plans and rule proposals of a slice's chosen pairs (its tables built), in A's column order. */
async function planSlice(
  conn: DuckDBConnection,
  chosen: readonly PairEvidence[],
  keyIdx: ReadonlySet<number>,
  keyFold: boolean,
  sampleFraction: number,
): Promise<{ plans: FieldPlan[]; rules: RuleProposal[] }> {
  const slice = [...chosen].sort((p, q) => p.a.index - q.a.index);
  const counts = await aggregates(conn, 'infer_pairs', slice.flatMap((e, k) => (needsTextCounts(e) ? textCountsSql(e.a, e.b, `t${k}_`) : [])));
  const plans: FieldPlan[] = [];
  for (const [k, e] of slice.entries()) {
    const n = (name: string): number => Number(counts[`t${k}_${name}`]);
    const text: TextCounts | undefined = needsTextCounts(e)
      ? { both: n('both'), raw: n('raw'), ci: n('ci'), da: n('da'), db: n('db'), dua: n('dua'), dub: n('dub') }
      : undefined;
    plans.push(await planField(conn, e, keyIdx.has(e.a.index), keyFold, text));
  }
  const patterned = plans.filter(hasPatterns);
  const differing = await aggregates(conn, 'infer_pc', patterned.map((p, k) => [`d${k}`, differingSql(p)]));
  const rules: RuleProposal[] = [];
  for (const [k, p] of patterned.entries()) if (Number(differing[`d${k}`]) > 0) rules.push(...(await fieldPatterns(conn, p, sampleFraction)));
  return { plans, rules };
}

/** For chooseCurrency: per text column, the sampled values that are three-letter codes, from A's long sample. */
export async function wideCurrencyCodes(conn: DuckDBConnection, cols: readonly TypedColumn[]): Promise<number[]> {
  if (cols.length === 0) return [];
  const rows = await queryRows<{ i: number; n: string }>(
    conn,
    `SELECT i, count(*) FILTER (WHERE regexp_full_match(upper(v), '[A-Z]{3}')) AS n FROM infer_ls_a WHERE i IN (${cols.map((c) => c.index).join(', ')}) GROUP BY i`,
  );
  const byIndex = new Map(rows.map((r) => [r.i, Number(r.n)]));
  return cols.map((c) => byIndex.get(c.index) ?? 0);
}
