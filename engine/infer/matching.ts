import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne, queryRows } from '../duckdb/open.ts';
import { canonSql, numCompareSql } from './canon.ts';
import { kindOf, type TypedColumn } from './column-types.ts';
import { keySql, type KeyPart } from './key-candidates.ts';
import { nameSimilarity } from './names.ts';
import type { NumberConvention } from './numbers.ts';

/**
 * Column mapping from key-matched records. For every A×B column pair it
 * measures how often the two values of the same record agree (canonical), how
 * well B's value predicts A's over a small domain (a code list such as B/S ↔
 * BUY/SELL, Goodman–Kruskal λ), and how often they differ by one constant
 * factor or day shift; names only tip the balance.
 */
export interface PairEvidence {
  a: TypedColumn;
  b: TypedColumn;
  /** Records with a value on either side. */
  compared: number;
  /** Records with a value on both sides: the only ones correlation and closeness speak for. */
  both: number;
  /** Share agreeing canonically (case-insensitive for text). */
  agree: number;
  /** λ(A|B) over the pairs, for small text domains; 0 otherwise. */
  lambda: number;
  /** Share explained by one constant factor or day shift (b = k·a, b = a + d). */
  related: number;
  /**
   * Values close without being equal, as two systems that never agree exactly
   * write them: numbers, their correlation when it is strong and the slope
   * near 1; dates, the share within a few days. 0 otherwise.
   */
  close: number;
  name: number;
  value: number;
  score: number;
}

const SMALL_DOMAIN = 50;
const EVIDENCE_ROWS = 5000;
const AGGREGATES_PER_QUERY = 64;
const FACTORS = [100, 1000, 0.01, 0.001, -1];
/** Below this correlation, numbers that differ are not the same measure (a risk figure merely moving with PV). */
const MIN_CORRELATION = 0.95;
/** B ≈ A: the regression slope of B on A within this distance of 1 (not another unit or a multiple). */
const SLOPE_SPREAD = 0.1;
/** Dates this many days apart or fewer count as close (a booking or settlement lag). */
const CLOSE_DAYS = 5;
/** Share of records with close dates for the columns to be the same date. */
const MIN_CLOSE_DATES = 0.9;

/** Builds `infer_pairs` (sampled A records joined to their B records) and `infer_pc` (canonical values); returns the pair count. */
export async function buildPairs(conn: DuckDBConnection, key: readonly KeyPart[], a: readonly TypedColumn[], b: readonly TypedColumn[], conv: { a: NumberConvention; b: NumberConvention }): Promise<number> {
  await conn.run(`CREATE OR REPLACE TABLE infer_pairs AS
    SELECT sa.*, mb.*, ${keySql(key, 'a', conv.a, (c) => `sa.${c.ref}`)} AS __key FROM infer_s_a sa JOIN infer_m_b mb
      ON ${keySql(key, 'a', conv.a, (c) => `sa.${c.ref}`)} = ${keySql(key, 'b', conv.b, (c) => `mb.${c.ref}`)}`);
  const canon = [...a.map((c) => `${canonSql(c, conv.a)} AS x${c.index}`), ...b.map((c) => `${canonSql(c, conv.b)} AS y${c.index}`)];
  await conn.run(`CREATE OR REPLACE TABLE infer_pc AS SELECT *, ${canon.join(', ')} FROM infer_pairs`);
  const { n } = await queryOne<{ n: string }>(conn, 'SELECT count(*) AS n FROM infer_pairs');
  return Number(n);
}

/** Evidence for every column pair (or the given ones: a wide file's shortlist, wide.ts), from `infer_pc`. */
export async function pairEvidence(
  conn: DuckDBConnection,
  a: readonly TypedColumn[],
  b: readonly TypedColumn[],
  only?: readonly { x: TypedColumn; y: TypedColumn }[],
  /**
   * Measure `related` only for pairs that do not agree everywhere: where they do,
   * agreement alone sets the pair's value and reason (a wide file, where most do).
   */
  opts: { relatedWhereDisagree?: boolean } = {},
): Promise<PairEvidence[]> {
  // Differently typed columns are compared (as text) only when their names suggest they are the same thing.
  const pairs = (only ?? a.flatMap((x) => b.map((y) => ({ x, y })))).filter(
    ({ x, y }) => x.type !== 'empty' && y.type !== 'empty' && (kindOf(x) === kindOf(y) || nameSimilarity(x.name, y.name) >= 0.5),
  );
  if (pairs.length === 0) return [];
  const aggs: string[] = [];
  const relatedAggs = new Map<number, string>();
  const closeAggs = new Map<number, string>();
  pairs.forEach(({ x, y }, i) => {
    const [vx, vy] = [`x${x.index}`, `y${y.index}`];
    const same = kindOf(x) === kindOf(y);
    const eq = !same ? `upper(${x.ref}) = upper(${y.ref})` : kindOf(x) === 'num' ? numCompareSql(x, y, vx, vy, '=') : `${vx} = ${vy}`;
    aggs.push(
      `count(*) FILTER (WHERE ${x.ref} IS NOT NULL OR ${y.ref} IS NOT NULL) AS c${i}`,
      `count(*) FILTER (WHERE ${x.ref} IS NOT NULL AND ${y.ref} IS NOT NULL) AS n${i}`,
      `count(*) FILTER (WHERE ${eq}) AS e${i}`,
    );
    if (same && kindOf(x) === 'num') {
      // DOUBLE, not DECIMAL: a factor must not overflow a 38-digit decimal; 1e-6 relative is far below any real difference.
      const near = (k: number): string => `abs(${vy}::DOUBLE - ${vx}::DOUBLE * ${k}) <= 1e-6 * abs(${vx}::DOUBLE * ${k})`;
      relatedAggs.set(i, `greatest(${FACTORS.map((k) => `count(*) FILTER (WHERE ${vx} <> 0 AND ${near(k)})`).join(', ')}) AS r${i}`);
      closeAggs.set(i, `corr(${vy}::DOUBLE, ${vx}::DOUBLE) AS q${i}, regr_slope(${vy}::DOUBLE, ${vx}::DOUBLE) AS s${i}`);
    } else if (same && (kindOf(x) === 'date' || kindOf(x) === 'ts')) {
      relatedAggs.set(i, `list_max(map_values(histogram(date_diff('day', ${vx}, ${vy})) )) AS r${i}`);
      closeAggs.set(i, `count(*) FILTER (WHERE abs(date_diff('day', ${vx}, ${vy})) <= ${CLOSE_DAYS}) AS q${i}`);
    }
  });
  // A few thousand matched records settle which columns correspond; the per-field work later reads them all.
  // Some dozens of aggregates a statement: DuckDB's time for one grows faster than the number of its aggregates.
  const row: Record<string, string | number | null> = {};
  const measure = async (list: readonly string[]): Promise<void> => {
    for (let i = 0; i < list.length; i += AGGREGATES_PER_QUERY) {
      const part = list.slice(i, i + AGGREGATES_PER_QUERY);
      Object.assign(row, await queryOne<Record<string, string | number | null>>(conn, `SELECT ${part.join(', ')} FROM (SELECT * FROM infer_pc LIMIT ${EVIDENCE_ROWS})`));
    }
  };
  await measure(aggs);
  const agreesEverywhere = (i: number): boolean => Number(row[`c${i}`] ?? 0) > 0 && Number(row[`e${i}`] ?? 0) === Number(row[`c${i}`]);
  const disagreeing = ([i]: [number, string]): boolean => !opts.relatedWhereDisagree || !agreesEverywhere(i);
  await measure([...relatedAggs, ...closeAggs].filter(disagreeing).map(([, sql]) => sql));
  const lambdas = await smallDomainLambdas(conn, pairs);
  return pairs.map(({ x, y }, i) => {
    const compared = Number(row[`c${i}`] ?? 0);
    const both = Number(row[`n${i}`] ?? 0);
    const agree = compared === 0 ? 0 : Number(row[`e${i}`] ?? 0) / compared;
    const related = compared === 0 ? 0 : Number(row[`r${i}`] ?? 0) / compared;
    const lambda = lambdas.get(`${x.index}:${y.index}`) ?? 0;
    const name = nameSimilarity(x.name, y.name);
    // A correlation holds only where both sides have a value: it speaks for that share of the records.
    const close = closeness(x, row[`q${i}`], row[`s${i}`], compared) * (kindOf(x) === 'num' && compared > 0 ? both / compared : 1);
    // Closeness ranks below exact agreement: a column that agrees exactly is the better partner.
    const value = Math.max(agree, 0.95 * lambda, 0.9 * related, 0.85 * close);
    const score = compared === 0 ? 0.5 * name : 0.8 * value + 0.2 * name;
    return { a: x, b: y, compared, both, agree, lambda, related, close, name, value, score };
  });
}

/** PairEvidence.close from the measured aggregates: a strong correlation at slope ≈ 1, or the share of dates within a few days. */
function closeness(x: TypedColumn, q: string | number | null | undefined, slope: string | number | null | undefined, compared: number): number {
  if (q === null || q === undefined || compared === 0) return 0;
  if (kindOf(x) === 'num') {
    const [r, s] = [Number(q), Number(slope)];
    return Number.isFinite(r) && r >= MIN_CORRELATION && Math.abs(s - 1) <= SLOPE_SPREAD ? r : 0;
  }
  const share = Number(q) / compared;
  return share >= MIN_CLOSE_DATES ? share : 0;
}

/** λ(A|B) = (Σ_b max_a n(a,b) − max_a n(a)) / (N − max_a n(a)): how much knowing B's code predicts A's. */
export function lambdaOf(cells: readonly { va: string; vb: string; n: number }[]): number {
  const byA = new Map<string, number>();
  const byB = new Map<string, Map<string, number>>();
  let total = 0;
  for (const c of cells) {
    total += c.n;
    byA.set(c.va, (byA.get(c.va) ?? 0) + c.n);
    const m = byB.get(c.vb) ?? new Map<string, number>();
    m.set(c.va, (m.get(c.va) ?? 0) + c.n);
    byB.set(c.vb, m);
  }
  const modeA = Math.max(0, ...byA.values());
  if (total - modeA === 0) return 0;
  let hits = 0;
  for (const m of byB.values()) hits += Math.max(...m.values());
  return (hits - modeA) / (total - modeA);
}

/** Contingency counts (case-folded) of a text pair, for value maps. */
export async function contingency(conn: DuckDBConnection, x: TypedColumn, y: TypedColumn, fold: boolean): Promise<{ va: string; vb: string; n: number }[]> {
  const f = (r: string): string => (fold ? `upper(${r})` : r);
  const rows = await queryRows<{ va: string; vb: string; n: string }>(
    conn,
    `SELECT ${f(x.ref)} AS va, ${f(y.ref)} AS vb, count(*) AS n FROM infer_pairs WHERE ${x.ref} IS NOT NULL AND ${y.ref} IS NOT NULL GROUP BY ALL`,
  );
  return rows.map((r) => ({ va: r.va, vb: r.vb, n: Number(r.n) }));
}

async function smallDomainLambdas(conn: DuckDBConnection, pairs: readonly { x: TypedColumn; y: TypedColumn }[]): Promise<Map<string, number>> {
  const small = pairs.filter(({ x, y }) => kindOf(x) === 'text' && kindOf(y) === 'text' && x.distinctUpper <= SMALL_DOMAIN && y.distinctUpper <= SMALL_DOMAIN);
  const out = new Map<string, number>();
  if (small.length === 0) return out;
  const rows = await queryRows<{ p: number; va: string; vb: string; n: string }>(
    conn,
    small
      .map(({ x, y }, p) => `SELECT ${p} AS p, upper(${x.ref}) AS va, upper(${y.ref}) AS vb, count(*) AS n FROM (SELECT * FROM infer_pairs LIMIT ${EVIDENCE_ROWS}) WHERE ${x.ref} IS NOT NULL AND ${y.ref} IS NOT NULL GROUP BY ALL`)
      .join(' UNION ALL '),
  );
  const cells = small.map(() => [] as { va: string; vb: string; n: number }[]);
  for (const r of rows) cells[r.p]!.push({ va: r.va, vb: r.vb, n: Number(r.n) });
  small.forEach(({ x, y }, p) => out.set(`${x.index}:${y.index}`, lambdaOf(cells[p]!)));
  return out;
}

/** Below this share of compared records with a value on both sides, a pair is two different columns (a debit beside a signed amount). */
const MIN_BOTH = 0.8;

/**
 * Greedy one-to-one assignment by score, key parts first; pairs below the bar
 * stay unmapped. `notes` receives why a pair whose values match where both
 * have one was still left unmapped.
 */
export function assign(evidence: readonly PairEvidence[], key: readonly KeyPart[], notes: string[] = []): PairEvidence[] {
  const usedA = new Set(key.map((p) => p.a.index));
  const usedB = new Set(key.map((p) => p.b.index));
  const out: PairEvidence[] = [];
  for (const p of key) {
    const e = evidence.find((x) => x.a.index === p.a.index && x.b.index === p.b.index);
    if (e) out.push(e);
  }
  for (const e of [...evidence].sort((x, y) => y.score - x.score)) {
    if (usedA.has(e.a.index) || usedB.has(e.b.index)) continue;
    const strongName = e.name >= 0.9 && (e.compared === 0 || e.value >= 0.25);
    if (e.compared > 0 && e.both < MIN_BOTH * e.compared && !strongName) {
      // Values that match where both have one would otherwise read as a mapping: say why it is not.
      if (matchWhereBoth(e)) notes.push(halfEmptyNote(e));
      continue;
    }
    if (e.score < 0.4 && !strongName) continue;
    if (e.value < 0.2 && !strongName) continue;
    usedA.add(e.a.index);
    usedB.add(e.b.index);
    out.push(e);
  }
  return out;
}

/** Most records with a value on both sides agree, differ by one factor, or correlate at slope ≈ 1. */
const matchWhereBoth = (e: PairEvidence): boolean => e.both > 0 && (e.close > 0 || (Math.max(e.agree, e.related) * e.compared) / e.both >= 0.9);

/** Why a pair that one side leaves empty in most compared records is not mapped. */
function halfEmptyNote(e: PairEvidence): string {
  const emptyShare = (c: TypedColumn): number => (c.rows === 0 ? 0 : (c.rows - c.n) / c.rows);
  // The emptier column (in its sample) is the one that leaves the gaps.
  const [empty, other] = emptyShare(e.a) >= emptyShare(e.b) ? [`${e.a.name} (A)`, `${e.b.name} (B)`] : [`${e.b.name} (B)`, `${e.a.name} (A)`];
  const where = e.close > 0 ? `; where both have a value they correlate (r ${((e.close * e.compared) / Math.max(1, e.both)).toFixed(4)})` : '';
  return (
    `${e.a.name} ↔ ${e.b.name} not mapped: ${empty} is empty in ${(e.compared - e.both).toLocaleString('en-US')} of ${e.compared.toLocaleString('en-US')} matched records where ${other} has a value${where}. ` +
    'A definition compares one column with one column: a value split over two columns on one side (debit and credit) cannot be compared with one signed amount; export a signed amount, or map the pair by hand if the gaps are breaks'
  );
}
