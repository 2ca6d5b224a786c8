import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne, queryRows } from '../duckdb/open.ts';
import { canonSql } from './canon.ts';
import type { TypedColumn } from './column-types.ts';
import { planField, type FieldPlan } from './fields.ts';
import { keySql, type KeyPart } from './key-candidates.ts';
import { pairEvidence, type PairEvidence } from './matching.ts';
import type { NumberConvention } from './numbers.ts';
import { fieldPatterns } from './patterns.ts';
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

/** `infer_pairs` and `infer_pc` as buildPairs makes them, with the columns of these pairs only. */
async function sliceTables(conn: DuckDBConnection, pairs: readonly { x: TypedColumn; y: TypedColumn }[], conv: { a: NumberConvention; b: NumberConvention }): Promise<void> {
  const colsA = [...new Map(pairs.map((p) => [p.x.index, p.x])).values()];
  const colsB = [...new Map(pairs.map((p) => [p.y.index, p.y])).values()];
  await pivotColumns(conn, 'infer_slice_a', 'infer_ls_a', 'a', colsA.map((c) => c.index), 'SELECT ra FROM infer_pp');
  await pivotColumns(conn, 'infer_slice_b', 'infer_lm_b', 'b', colsB.map((c) => c.index), 'SELECT rb FROM infer_pp');
  await conn.run(`CREATE OR REPLACE TABLE infer_pairs AS
    SELECT ${[...colsA.map((c) => `s.${c.ref}`), ...colsB.map((c) => `m.${c.ref}`)].join(', ')}, p.__key
      FROM infer_pp p JOIN infer_slice_a s ON s.__rid = p.ra JOIN infer_slice_b m ON m.__rid = p.rb
     ORDER BY p.ra, p.rb`);
  const canon = [...colsA.map((c) => `${canonSql(c, conv.a)} AS x${c.index}`), ...colsB.map((c) => `${canonSql(c, conv.b)} AS y${c.index}`)];
  await conn.run(`CREATE OR REPLACE TABLE infer_pc AS SELECT *, ${canon.join(', ')} FROM infer_pairs`);
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
    out.push(...(await pairEvidence(conn, [], [], slice)));
  }
  return out;
}

/** planField and fieldPatterns for the chosen pairs, a slice at a time, in A's column order. */
export async function widePlans(
  conn: DuckDBConnection,
  chosen: readonly PairEvidence[],
  keyIdx: ReadonlySet<number>,
  keyFold: boolean,
  conv: { a: NumberConvention; b: NumberConvention },
  sampleFraction: number,
): Promise<{ plans: FieldPlan[]; rules: RuleProposal[] }> {
  const ordered = [...chosen].sort((p, q) => p.a.index - q.a.index);
  const plans: FieldPlan[] = [];
  const rules: RuleProposal[] = [];
  for (const slice of slices(ordered, PAIRS_PER_SLICE)) {
    await sliceTables(conn, slice.map((e) => ({ x: e.a, y: e.b })), conv);
    const sliced: FieldPlan[] = [];
    for (const e of slice) sliced.push(await planField(conn, e, keyIdx.has(e.a.index), keyFold));
    for (const p of sliced) rules.push(...(await fieldPatterns(conn, p, sampleFraction)));
    plans.push(...sliced);
  }
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
