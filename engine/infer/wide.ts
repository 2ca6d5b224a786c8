import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne, queryRows, runWithProgress, type ProgressListener } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { LoadContext } from '../ingest/load-source.ts';
import { keyTextSql } from './canon.ts';
import { kindOf, type TypedColumn } from './column-types.ts';
import { nameSimilarity, nameTokens } from './names.ts';
import type { NumberConvention } from './numbers.ts';
import type { OverlapMatrix } from './overlap.ts';
import { cleanSql, type InferSource, type Sampled } from './source.ts';

/**
 * Inference on wide files (hundreds or thousands of columns).
 *
 * The regular path keeps a side's sample as one table with a column per file
 * column and measures every A column against every B column in one
 * statement. DuckDB allocates storage per column of a table (a 5,000-column
 * sample did not fit in the 512 MB inference runs with), its cost per
 * statement grows with the square of the projections, and 5,000 × 5,000
 * column pairs are 25 million. Here:
 *
 *   - a side's sample is kept in long form, one row per (record, column):
 *     `infer_lraw_<side>` (raw) and `infer_ls_<side>` (trimmed, empty → NULL),
 *     ordered by column, and capped at WIDE_SAMPLE_CELLS values;
 *   - only column pairs worth measuring are measured (`shortlist`): those
 *     whose names are the same word for word, and, while they are few, every
 *     pair of the columns left without a namesake;
 *   - the queries of the regular path that read a few columns at a time
 *     (keys, value maps, patterns) read narrow tables pivoted from the long
 *     form, a slice of column pairs at a time (matching.ts, infer.ts).
 */

/** Files with more columns than this on either side are inferred in long form. */
export const WIDE_INFER_COLUMNS = 100;
/** Most values (records × columns) a wide side's sample holds. */
export const WIDE_SAMPLE_CELLS = 2_500_000;
/** Column pairs without a namesake are measured all against all only up to this many pairs. */
const LEFTOVER_PAIRS = 40_000;

export function isWideInfer(a: InferSource, b: InferSource): boolean {
  return a.columns.length > WIDE_INFER_COLUMNS || b.columns.length > WIDE_INFER_COLUMNS;
}

/** Records a wide side's reservoir holds: the asked number, within WIDE_SAMPLE_CELLS values (at least 500). */
export function wideSampleRows(n: number, columns: number): number {
  return Math.min(n, Math.max(500, Math.floor(WIDE_SAMPLE_CELLS / Math.max(1, columns))));
}

/** A wide side's sample: the long tables besides what Sampled says. */
export interface WideSampled extends Sampled {
  /** (rid, i, r): raw values. */
  long: string;
  /** (rid, i, v): values as the engine reads them. */
  clean: string;
}

/** Columns read per scan of a wide file: DuckDB's chunk of thousands of text columns is most of inference's memory. */
const READ_SLICE = 1000;

/**
 * Reads the records `select` keeps (one list `l` of the given raw columns per
 * record, in a deterministic order) into `target` (rid, i, r), ordered by
 * column. The columns are read a slice at a time, each slice a scan of its
 * own; every slice after the first also lists column 0, which must agree
 * with the first slice record for record, or the slices would not line up.
 */
export async function readLong(
  ctx: LoadContext,
  target: string,
  refs: readonly string[],
  select: (list: string) => string,
  onProgress?: ProgressListener,
  /** Read on one thread: a filter's semi-join emits the records as the threads happen to finish them. */
  oneThread = false,
): Promise<void> {
  const conn = ctx.conn;
  const unsorted = `${target}_u`;
  const part = `${target}_p`;
  await conn.run(`CREATE OR REPLACE TABLE ${unsorted} (rid BIGINT, i INTEGER, r VARCHAR)`);
  let records = -1;
  const readSlice = async (lo: number): Promise<void> => {
    const cols = refs.slice(lo, lo + READ_SLICE);
    const off = lo === 0 ? 0 : 1;
    const w = cols.length + off;
    await runWithProgress(
      conn,
      `CREATE OR REPLACE TABLE ${part} AS SELECT unnest(l) AS r FROM ${select(`[${[...(off ? [refs[0]!] : []), ...cols].join(', ')}]::VARCHAR[]`)}`,
      onProgress,
      ctx.signal,
    );
    const { base, n } = await queryOne<{ base: string; n: string }>(conn, `SELECT CAST(coalesce(min(rowid), 0) AS VARCHAR) AS base, count(*) AS n FROM ${part}`);
    const at = `(rowid - ${BigInt(base).toString()})`;
    const long = `(SELECT ${at} // ${w} AS rid, (${at} % ${w})::INTEGER AS pos, r FROM ${part})`;
    const here = Number(n) / w;
    let apart = 0;
    if (off === 1) {
      const { bad } = await queryOne<{ bad: string }>(
        conn,
        `SELECT count(*) AS bad FROM (SELECT rid, r FROM ${long} WHERE pos = 0) c FULL JOIN (SELECT rid, r FROM ${unsorted} WHERE i = 0) f USING (rid)
          WHERE c.r IS DISTINCT FROM f.r`,
      );
      apart = Number(bad);
    }
    if ((records >= 0 && here !== records) || apart > 0) {
      throw new ReconError('INTERNAL_ERROR', `reading ${refs.length} columns in slices: the slices did not read the same records (${records} and ${here} records, ${apart} apart)`);
    }
    records = here;
    await conn.run(`INSERT INTO ${unsorted} SELECT rid, ${lo} + pos - ${off}, r FROM ${long} WHERE pos >= ${off}`);
  };
  const readAll = async (): Promise<void> => {
    for (let lo = 0; lo < refs.length; lo += READ_SLICE) await readSlice(lo);
  };
  if (oneThread) {
    const { threads } = await queryOne<{ threads: string }>(conn, `SELECT current_setting('threads') AS threads`);
    await conn.run('SET threads = 1');
    try {
      await readAll();
    } finally {
      await conn.run(`SET threads = ${Math.max(1, Math.trunc(Number(threads)))}`);
    }
  } else {
    await readAll();
  }
  await conn.run(`DROP TABLE IF EXISTS ${part}`);
  // Ordered by column: the slices read later (a few columns each) skip the rest by zone maps.
  await conn.run(`CREATE OR REPLACE TABLE ${target} AS SELECT rid, i, r FROM ${unsorted} ORDER BY i, rid`);
  await conn.run(`DROP TABLE ${unsorted}`);
}

/** Reservoir-samples a wide side in long form (as sampleSource does for a regular one). */
export async function sampleWide(ctx: LoadContext, src: InferSource, n: number, seed: number, onProgress?: ProgressListener): Promise<WideSampled> {
  const side = src.side;
  const K = src.columns.length;
  const rows = wideSampleRows(n, K);
  const long = `infer_lraw_${side}`;
  const clean = `infer_ls_${side}`;
  // Each record becomes one list before the reservoir keeps it; every slice's scan
  // keeps the same records, the sample being repeatable by seed.
  await readLong(
    ctx,
    long,
    src.columns.map((_, i) => `${side}${i}`),
    (list) => `(SELECT l FROM (SELECT ${list} AS l FROM ${src.relation}) USING SAMPLE reservoir(${Math.trunc(rows)} ROWS) REPEATABLE(${Math.trunc(seed)}))`,
    onProgress,
  );
  await ctx.conn.run(`CREATE OR REPLACE TABLE ${clean} AS SELECT rid, i, ${cleanSql('r')} AS v FROM ${long} ORDER BY i, rid`);
  const { sampled, bytes } = await queryOne<{ sampled: string; bytes: string | null }>(
    ctx.conn,
    `SELECT count(DISTINCT rid) AS sampled, sum(coalesce(strlen(r), 0)) / nullif(count(DISTINCT rid), 0) AS bytes FROM ${long}`,
  );
  const count = Number(sampled);
  let total = count;
  let rowsExact = count < rows;
  if (!rowsExact && src.exactRows !== undefined) {
    total = src.exactRows;
    rowsExact = true;
  } else if (!rowsExact && src.textBytes !== undefined && bytes !== null) {
    const delim = src.options.delimiter?.length ?? 1;
    total = Math.max(count, Math.round(src.textBytes / (Number(bytes) + (K - 1) * delim + src.eolBytes)));
  }
  return {
    table: `infer_s_${side}`,
    rawTable: `infer_raw_${side}`,
    sampled: count,
    rows: total,
    rowsExact,
    fraction: total === 0 ? 1 : Math.min(1, count / total),
    long,
    clean,
  };
}

/**
 * A narrow table of the given columns, one row per record of the long table
 * (`__rid`), columns named as the regular path names them (`a3`, `b17`).
 * (`any_value` of a CASE: several times cheaper in DuckDB 1.5 than a FILTER per column.)
 */
export async function pivotColumns(conn: DuckDBConnection, target: string, clean: string, side: 'a' | 'b', indexes: readonly number[], rids?: string): Promise<void> {
  const idx = [...new Set(indexes)].sort((x, y) => x - y);
  const cols = idx.map((i) => `, any_value(CASE WHEN i = ${i} THEN v END) AS ${side}${i}`).join('');
  const where = idx.length === 0 ? 'i = 0' : `i BETWEEN ${idx[0]} AND ${idx.at(-1)} AND i IN (${idx.join(', ')})`;
  await conn.run(
    `CREATE OR REPLACE TABLE ${target} AS
     SELECT rid AS __rid${cols} FROM ${clean} WHERE ${where}${rids ? ` AND rid IN (${rids})` : ''} GROUP BY rid ORDER BY rid`,
  );
}

/** Column pairs worth measuring in a wide file (see the module comment), A's order. */
export function shortlist(a: readonly TypedColumn[], b: readonly TypedColumn[]): { pairs: { x: TypedColumn; y: TypedColumn }[]; warnings: string[] } {
  const word = (name: string): string => nameTokens(name).join(' ');
  const byName = new Map<string, TypedColumn[]>();
  for (const y of b) byName.set(word(y.name), [...(byName.get(word(y.name)) ?? []), y]);
  const pairs: { x: TypedColumn; y: TypedColumn }[] = [];
  const namedB = new Set<number>();
  const leftA: TypedColumn[] = [];
  for (const x of a) {
    const same = byName.get(word(x.name)) ?? [];
    if (same.length === 0) leftA.push(x);
    for (const y of same) {
      pairs.push({ x, y });
      namedB.add(y.index);
    }
  }
  const leftB = b.filter((y) => !namedB.has(y.index));
  const warnings: string[] = [];
  if (leftA.length > 0 && leftB.length > 0) {
    if (leftA.length * leftB.length <= LEFTOVER_PAIRS) {
      for (const x of leftA) for (const y of leftB) pairs.push({ x, y });
    } else {
      warnings.push(
        `${leftA.length} columns of A and ${leftB.length} of B have no namesake on the other side: too many to compare every pair, so they are left unmapped`,
      );
    }
  }
  // As the regular path: typed alike, or named alike enough to compare as text.
  const kept = pairs.filter(({ x, y }) => x.type !== 'empty' && y.type !== 'empty' && (kindOf(x) === kindOf(y) || nameSimilarity(x.name, y.name) >= 0.5));
  kept.sort((p, q) => p.x.index - q.x.index || p.y.index - q.y.index);
  return { pairs: kept, warnings };
}

/** `CASE WHEN i IN (…) THEN … END` over columns grouped by the SQL they need. */
function byColumn(cols: readonly TypedColumn[], sql: (c: TypedColumn) => string): string {
  const groups = new Map<string, number[]>();
  for (const c of cols) {
    const e = sql(c);
    groups.set(e, [...(groups.get(e) ?? []), c.index]);
  }
  if (groups.size === 1) return [...groups.keys()][0]!;
  return `(CASE ${[...groups].map(([e, ids]) => `WHEN i IN (${ids.join(', ')}) THEN ${e}`).join(' ')} END)`;
}

/**
 * sampleOverlap of overlap.ts for the given column pairs only, from the long
 * samples: distinct canonical values of A's column also in B's.
 */
export async function sampleOverlapPairs(
  conn: DuckDBConnection,
  pairs: readonly { x: TypedColumn; y: TypedColumn }[],
  conv: { a: NumberConvention; b: NumberConvention },
): Promise<OverlapMatrix> {
  const width = (n: number): number[] => Array.from({ length: n }, () => 0);
  const maxA = Math.max(0, ...pairs.map((p) => p.x.index + 1));
  const maxB = Math.max(0, ...pairs.map((p) => p.y.index + 1));
  // Sparse rows: only measured pairs are set (a missing one reads as 0).
  const shared: number[][] = Array.from({ length: maxA }, () => []);
  const distinctA = width(maxA);
  const distinctB = width(maxB);
  if (pairs.length === 0) return { shared, distinctA, distinctB };
  const colsA = [...new Map(pairs.map((p) => [p.x.index, p.x])).values()];
  const colsB = [...new Map(pairs.map((p) => [p.y.index, p.y])).values()];
  const values = (cols: readonly TypedColumn[], c: NumberConvention, table: string): string =>
    `SELECT DISTINCT i, ${byColumn(cols, (col) => keyTextSql(col, c, 'v'))} AS k FROM ${table} WHERE i IN (${cols.map((col) => col.index).join(', ')})`;
  const rows = await queryRows<{ i: number; j: number | null; n: string }>(
    conn,
    `WITH va AS (SELECT * FROM (${values(colsA, conv.a, 'infer_ls_a')}) WHERE k IS NOT NULL),
          vb AS (SELECT i AS j, k FROM (${values(colsB, conv.b, 'infer_ls_b')}) WHERE k IS NOT NULL),
          p AS (SELECT unnest([${pairs.map((q) => q.x.index).join(', ')}]) AS i, unnest([${pairs.map((q) => q.y.index).join(', ')}]) AS j)
     SELECT va.i, vb.j, count(*) AS n FROM p JOIN va ON va.i = p.i JOIN vb ON vb.j = p.j AND vb.k = va.k GROUP BY ALL
     UNION ALL SELECT i, NULL, count(*) FROM va GROUP BY i
     UNION ALL SELECT -1 - j, NULL, count(*) FROM vb GROUP BY j`,
  );
  for (const r of rows) {
    const n = Number(r.n);
    if (r.j !== null) shared[r.i]![r.j] = n;
    else if (r.i >= 0) distinctA[r.i] = n;
    else distinctB[-1 - r.i] = n;
  }
  return { shared, distinctA, distinctB };
}

/** Splits a list into slices of at most `size`. */
export function slices<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
