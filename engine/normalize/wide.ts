import type { DuckDBConnection } from '@duckdb/node-api';
import type { ResolvedDefinition, ResolvedField } from '../definition/resolve.ts';
import type { SourceOptions } from '../definition/schema.ts';
import { queryOne, queryRows, runWithProgress, type ProgressListener } from '../duckdb/open.ts';
import { DUCKDB } from '../sql/dialect.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { LoadedSource } from '../ingest/load-source.ts';
import { appendRejects, type RejectRow } from '../ingest/rejects.ts';
import { ident, literal } from '../sql/quote.ts';
import { fieldSql, untypedRejects, untypedWarning, type FieldSql } from './sql.ts';
import { stageSource, type StagedSource } from './stage.ts';
import { visibleText } from './visible-text.ts';

/**
 * Staging for wide definitions (hundreds or thousands of fields).
 *
 * DuckDB's cost per statement grows with the square of its projections
 * (binding and optimizing a SELECT of 5,000 expressions takes seconds), and
 * writing a table costs about a millisecond per column however few rows it
 * holds. The one-statement, one-column-per-field staging of stage.ts is right
 * for a million rows of a dozen fields and far too slow for a thousand rows of
 * 5,000 fields. Here the values are handled in long form instead, one row per
 * (record, field), so every statement has a handful of columns and the work
 * grows with the number of values:
 *
 *   1. `wide_raw_<side>` (TEMP): the file read once, each record's raw
 *      values unnested in file order; a value's row number is
 *      record × fields + field index.
 *   2. `<side>_rows` and the view `<side>` hold the key fields only, built by
 *      the regular staging (stageSource) from the key columns, so keys,
 *      `__key_text`, empty-key rules and their rejects are exactly those of
 *      any other definition. The diff's record statements and the integrity
 *      checks run on this narrow view.
 *   3. `<side>_vals` (rid, ord, v, bad, rounded): every value cleaned, mapped,
 *      cast and adjusted by the same FieldSql as stage.ts (fields whose SQL is
 *      the same share one CASE branch), kept as the typed value's text, which
 *      round-trips exactly (two values are equal iff their texts are), with its
 *      cast failure and rounding flags. A record with a value that did not
 *      cast is `__bad` in `<side>_rows`, and each failing value goes to
 *      `rejects` with the reason stage.ts gives. The compare (diff/wide.ts)
 *      joins the two sides' values field by field.
 *   4. `<side>_bad_raw`: the raw text of every field of each rejected record.
 *
 * At the end of the run `finishWideViews` renames the narrow view to
 * `<side>_keys` and makes `<side>` the usual view with every field under its
 * own name and type, for the record view and the reports.
 */

/**
 * Definitions with at least this many fields are staged in long form, when
 * their files have at most WIDE_ROWS_PER_FIELD records per field (a few
 * hundred fields of very many records stage faster one column per field);
 * from WIDE_ALWAYS_FIELDS on, always. RECON_WIDE_MIN_FIELDS sets the first
 * and drops the record condition (tests use it to stage ordinary files so).
 */
export const WIDE_MIN_FIELDS = 150;
export const WIDE_ROWS_PER_FIELD = 100;
export const WIDE_ALWAYS_FIELDS = 1000;

export interface WidePlan {
  resolved: ResolvedDefinition;
  /** The key fields only: what the regular staging, the diff's record statements and fieldStatsSql see. */
  narrow: ResolvedDefinition;
  /** Indexes into resolved.fields of the non-key fields: the values the final view lists per record, in this order. */
  packed: number[];
}

/** The long-form plan for a wide definition (`records`: the larger side's), or undefined when the regular staging suits it. */
export function planWide(resolved: ResolvedDefinition, records: number): WidePlan | undefined {
  const env = Number(process.env['RECON_WIDE_MIN_FIELDS']);
  const forced = Number.isSafeInteger(env) && env > 0;
  const fields = resolved.fields.length;
  const wide = forced
    ? fields >= env
    : fields >= WIDE_MIN_FIELDS && (records <= WIDE_ROWS_PER_FIELD * fields || fields >= WIDE_ALWAYS_FIELDS);
  if (!wide) return undefined;
  const packed = resolved.fields.flatMap((f, i) => (f.isKey ? [] : [i]));
  if (packed.length === 0) return undefined;
  const narrow: ResolvedDefinition = { ...resolved, fields: resolved.fields.filter((f) => f.isKey), currencyField: undefined };
  return { resolved, narrow, packed };
}

/** What the integrity checks need from a wide side: control totals from the long values. */
export interface WideStagedSource extends StagedSource {
  /**
   * Rows as integrity.ts's control-total query gives them: `ccy`, then per
   * decimal field i (in the order given) `e<i>` (all rows), `a<i>` (rows
   * not rejected) and `d<i>` (a − e), as text, one row per currency in order.
   */
  controlTotalRows(decimals: readonly ResolvedField[], currency: ResolvedField | undefined): Promise<Record<string, string>[]>;
}

/** Fields whose SQL is the same share one CASE branch; a statement takes at most this many branches. */
const GROUPS_PER_STATEMENT = 48;
const REJECT_BATCH = 50_000;

interface Group {
  sql: FieldSql;
  fields: number[];
}

/** Stages one side of a wide definition (see the module comment). */
export async function stageWide(
  conn: DuckDBConnection,
  plan: WidePlan,
  loaded: LoadedSource,
  source: SourceOptions,
  onProgress?: ProgressListener,
  signal?: AbortSignal,
): Promise<WideStagedSource> {
  const { resolved } = plan;
  const side = loaded.side;
  const fields = resolved.fields;
  const K = fields.length;
  const col = (f: ResolvedField): string => (side === 'a' ? f.aColumn : f.bColumn);
  const raw = `wide_raw_${side}`;
  // The typed values stay in the run file: the compare reads them, and the record view.
  const typed = `${side}_vals`;

  // 1. The file, read once, in long form. The list is built one projection below the
  // unnest: unnest copies the columns beside it for every output chunk, which with
  // thousands of columns was most of the statement's time.
  await conn.run('SET preserve_insertion_order = true');
  try {
    await runWithProgress(
      conn,
      `CREATE OR REPLACE TEMP TABLE ${raw} AS
       SELECT unnest(l) AS r FROM (SELECT [${fields.map((f) => ident(col(f))).join(', ')}]::VARCHAR[] AS l FROM ${loaded.rawRelation})`,
      onProgress,
      signal,
    );
  } catch (err) {
    if (signal?.aborted) throw err;
    throw await loaded.explainReadError(err);
  }
  await loaded.afterRead();
  const { base, n } = await queryOne<{ base: string; n: string }>(conn, `SELECT CAST(coalesce(min(rowid), 0) AS VARCHAR) AS base, count(*) AS n FROM ${raw}`);
  if (Number(n) % K !== 0) throw new ReconError('INTERNAL_ERROR', `wide staging of ${side.toUpperCase()}: ${n} values is no whole number of ${K}-field records`);
  const records = Number(n) / K;
  const pos = `(rowid - ${BigInt(base).toString()})`;
  const long = `(SELECT ${pos} // ${K} AS rid, (${pos} % ${K})::INTEGER AS ord, r FROM ${raw})`;

  // 2. The key fields through the regular staging, from the long values in record order.
  const keyIdx = fields.flatMap((f, i) => (f.isKey ? [i] : []));
  const keyRelation = `(SELECT ${keyIdx.map((i) => `k${i} AS ${ident(col(fields[i]!))}`).join(', ')}
      FROM (SELECT rid, ${keyIdx.map((i) => `max(r) FILTER (WHERE ord = ${i}) AS k${i}`).join(', ')}
              FROM ${long} WHERE ord IN (${keyIdx.join(', ')}) GROUP BY rid)
     ORDER BY rid)`;
  const keysLoaded: LoadedSource = { ...loaded, rawRelation: keyRelation, columns: keyIdx.map((i) => col(fields[i]!)), afterRead: async () => {} };
  await stageSource(conn, plan.narrow, keysLoaded, source, undefined, signal);
  const rowsBase = await queryOne<{ base: string; n: string }>(
    conn,
    `SELECT CAST(coalesce(min(rowid), 0) AS VARCHAR) AS base, count(*) AS n FROM ${side}_rows`,
  );
  if (Number(rowsBase.n) !== records) {
    throw new ReconError('INTERNAL_ERROR', `wide staging of ${side.toUpperCase()}: ${rowsBase.n} staged records for ${records} read`);
  }

  // 3. Every value typed, by groups of fields with the same SQL.
  const sqls = fields.map((f) => fieldSql(f, side, source, loaded.file.format, DUCKDB, loaded.onlySpacesPad));
  const groups = groupFields(sqls);
  const groupOf = new Map<number, number>();
  groups.forEach((g, gi) => g.fields.forEach((i) => groupOf.set(i, gi)));
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE wide_map_${side} AS
     SELECT unnest(range(${K}))::INTEGER AS ord, unnest([${fields.map((_, i) => groupOf.get(i)!).join(', ')}])::INTEGER AS g,
            unnest([${fields.map((f) => literal(col(f))).join(', ')}]) AS column_name`,
  );
  for (let from = 0; from < groups.length; from += GROUPS_PER_STATEMENT) {
    const batch = groups.slice(from, from + GROUPS_PER_STATEMENT).map((g, j) => ({ g, id: from + j }));
    const select = typedSelect(batch, long, `wide_map_${side}`);
    await runWithProgress(conn, from === 0 ? `CREATE OR REPLACE TABLE ${typed} AS ${select}` : `INSERT INTO ${typed} ${select}`, undefined, signal);
  }

  // Records with a value that did not cast are rejected, like any other.
  const view = side;
  // Not in a field not compared (sql.ts untypedRejects): its value is left empty and counted in the warnings.
  const keyOrds = new Set(keyIdx);
  const lenientOrds = fields.flatMap((f, i) => (f.type !== 'string' && !untypedRejects(f, resolved) ? [i] : []));
  const rejecting = lenientOrds.length === 0 ? '' : ` AND ord NOT IN (${lenientOrds.join(', ')})`;
  await conn.run(
    `UPDATE ${side}_rows SET __bad = true
      WHERE NOT __bad AND rowid - ${BigInt(rowsBase.base).toString()} IN (SELECT DISTINCT rid FROM ${typed} WHERE bad${rejecting})`,
  );
  const counts = await queryOne<{ rejected: string; staged: string }>(
    conn,
    `SELECT count(*) FILTER (WHERE __bad) AS rejected, count(*) FILTER (WHERE NOT __bad) AS staged FROM ${view}`,
  );
  if (Number(counts.rejected) > 0) {
    await writeWideRejects(conn, { side, groups, skipOrds: new Set([...keyOrds, ...lenientOrds]), typed, raw, rawBase: base, K, loaded });
  }

  // 4. Each rejected record's raw text, for the record view (`__raw`).
  if (Number(counts.rejected) > 0) {
    await conn.run(
      `CREATE OR REPLACE TABLE ${side}_bad_raw AS
       SELECT rid, list(r ORDER BY ord) AS raw
         FROM ${long} WHERE rid IN (SELECT __rid FROM ${view} WHERE __bad)
        GROUP BY rid ORDER BY rid`,
    );
  } else {
    await conn.run(`CREATE OR REPLACE TABLE ${side}_bad_raw (rid BIGINT, raw VARCHAR[])`);
  }

  await conn.run(`DROP TABLE ${raw}`);
  const untyped =
    lenientOrds.length === 0
      ? []
      : await queryRows<{ ord: number; n: string }>(
          conn,
          `SELECT ord, count(*) AS n FROM ${typed} WHERE bad AND ord IN (${lenientOrds.join(', ')}) AND rid NOT IN (SELECT __rid FROM ${view} WHERE __bad) GROUP BY ord ORDER BY ord`,
        );
  const warnings = [...(await roundingWarnings(conn, fields, sqls, typed, view)), ...untyped.map(({ ord, n }) => untypedWarning(fields[ord]!, sqls[ord]!, Number(n)))];
  return {
    table: side,
    staged: Number(counts.staged),
    rejected: Number(counts.rejected),
    warnings,
    controlTotalRows: (decimals, currency) => controlTotalRows(conn, fields, typed, view, decimals, currency),
  };
}

/** Groups fields by the SQL of every layer (and the reject texts), so a CASE has one branch per group. */
function groupFields(sqls: readonly FieldSql[]): Group[] {
  const groups = new Map<string, Group>();
  sqls.forEach((sql, i) => {
    const x = '__x';
    const sig = JSON.stringify([
      sql.clean(x),
      sql.text(x),
      sql.typed(x),
      sql.sqlType,
      sql.expected,
      sql.adjust?.sql(x) ?? null,
      sql.adjust?.failure ?? null,
      sql.rounded?.(x) ?? null,
      sql.reasons?.(x) ?? null,
    ]);
    const g = groups.get(sig);
    if (g) g.fields.push(i);
    else groups.set(sig, { sql, fields: [i] });
  });
  return [...groups.values()];
}

/**
 * `CASE WHEN g IN (…) THEN … END` over the groups of a batch, one branch per
 * distinct expression (the groups of a wide file mostly share their clean and
 * text layers), or the expression itself when every group has the same.
 */
function byGroup(batch: readonly { g: Group; id: number }[], expr: (sql: FieldSql) => string, otherwise = 'NULL'): string {
  const branches = new Map<string, number[]>();
  for (const { g, id } of batch) {
    const e = expr(g.sql);
    branches.set(e, [...(branches.get(e) ?? []), id]);
  }
  if (branches.size === 1) return [...branches.keys()][0]!;
  return `(CASE ${[...branches].map(([e, ids]) => `WHEN g ${ids.length === 1 ? `= ${ids[0]}` : `IN (${ids.join(', ')})`} THEN ${e}`).join(' ')} ELSE ${otherwise} END)`;
}

/**
 * The typed values of the batch's fields, in the layers of stage.ts: clean,
 * text, then per group its own columns for the cast (a 64-bit number is cast
 * unchecked to `u<g>` and its spelling checked to `k<g>`, with the wide cast
 * where that gives no value; other types are cast to `x<g>`), then the adjust
 * rule. `v` is the final value as text, `bad` a value that did not cast (or
 * whose adjusted form does not fit), `rounded` a decimal that rounding to the
 * scale changed.
 */
function typedSelect(batch: readonly { g: Group; id: number }[], long: string, map: string): string {
  const ids = batch.map(({ id }) => id);
  const where = ids.length === 1 ? `g = ${ids[0]}` : `g BETWEEN ${ids[0]} AND ${ids.at(-1)}`;
  const one = batch.length === 1;
  const when = (id: number, expr: string): string => (one ? expr : `CASE WHEN g = ${id} THEN ${expr} END`);
  const narrowed = (sql: FieldSql): boolean => sql.narrow !== undefined && sql.adjust === undefined;
  const clean = byGroup(batch, (sql) => sql.clean('r'));
  const text = byGroup(batch, (sql) => sql.text('s'));
  const casts = batch.map(({ g, id }) => (narrowed(g.sql) ? `${when(id, g.sql.narrow!.unchecked('t'))} AS u${id}` : `${when(id, g.sql.typed('t'))} AS x${id}`));
  const status = batch.filter(({ g }) => narrowed(g.sql)).map(({ g, id }) => `${when(id, g.sql.narrow!.status('t', `u${id}`))} AS k${id}`);
  const value = byGroup(batch, (sql) => {
    const id = batch.find(({ g }) => g.sql === sql)!.id;
    if (narrowed(sql)) return `coalesce(CASE WHEN k${id} <> 1 THEN CAST(u${id} AS VARCHAR) END, CASE WHEN t IS NOT NULL THEN CAST(${sql.typed('t')} AS VARCHAR) END)`;
    return `CAST(${sql.adjust ? sql.adjust.sql(`x${id}`) : `x${id}`} AS VARCHAR)`;
  });
  const rounded = byGroup(
    batch,
    (sql) => {
      const id = batch.find(({ g }) => g.sql === sql)!.id;
      if (!sql.rounded) return 'false';
      return narrowed(sql) ? `coalesce(k${id} = 2, false)` : `coalesce(${sql.rounded('t')}, false)`;
    },
    'false',
  );
  return `SELECT rid, ord, v, (t IS NOT NULL AND v IS NULL) AS bad, rounded
            FROM (SELECT rid, ord, t, ${value} AS v, ${rounded} AS rounded
                    FROM (SELECT *${status.length > 0 ? `, ${status.join(', ')}` : ''}
                            FROM (SELECT rid, ord, g, t, ${casts.join(', ')}
                                    FROM (SELECT rid, ord, g, ${text} AS t
                                            FROM (SELECT rid, ord, g, ${clean} AS s
                                                    FROM ${long} JOIN ${map} USING (ord) WHERE ${where})))))`;
}

interface RejectContext {
  side: 'a' | 'b';
  groups: readonly Group[];
  /** Fields whose failing values are no rejects here: the keys (staged with the key columns) and the fields not compared. */
  skipOrds: ReadonlySet<number>;
  typed: string;
  raw: string;
  rawBase: string;
  K: number;
  loaded: LoadedSource;
}

/**
 * One reject per failing non-key cell, with the reason stage.ts's
 * writeCastRejects gives (the key fields' rejects were written by the
 * regular staging of the key columns).
 */
async function writeWideRejects(conn: DuckDBConnection, c: RejectContext): Promise<void> {
  const reasonOf = (sql: FieldSql): string => {
    const text = sql.text(sql.clean('w.r'));
    const whens = [sql.adjust ? `WHEN ${sql.typed(text)} IS NOT NULL THEN ${literal(sql.adjust.failure)}` : '', sql.reasons ? sql.reasons(text) : ''].join(' ').trim();
    const expected = literal(`expected ${sql.expected}`);
    return whens === '' ? expected : `(CASE ${whens} ELSE ${expected} END)`;
  };
  const reason =
    c.groups.length === 1 ? reasonOf(c.groups[0]!.sql) : `(CASE m.g ${c.groups.map((g, gi) => `WHEN ${gi} THEN ${reasonOf(g.sql)}`).join(' ')} END)`;
  const nonKey = c.skipOrds.size === 0 ? '' : `AND t.ord NOT IN (${[...c.skipOrds].join(', ')})`;
  let offset = 0;
  for (;;) {
    const rows = await queryRows<{ rid: string; column_name: string; raw_value: string | null; reason: string }>(
      conn,
      `SELECT t.rid, m.column_name, w.r AS raw_value, ${reason} AS reason
         FROM (SELECT rid, ord FROM ${c.typed} t WHERE bad ${nonKey}) t
         JOIN ${`wide_map_${c.side}`} m USING (ord)
         JOIN (SELECT rowid - ${BigInt(c.rawBase).toString()} AS at, r FROM ${c.raw}) w ON w.at = t.rid * ${c.K} + t.ord
        ORDER BY t.rid, t.ord LIMIT ${REJECT_BATCH} OFFSET ${offset}`,
    );
    if (rows.length === 0) break;
    const lines = await c.loaded.locate([...new Set(rows.map((r) => Number(r.rid)))]);
    const out: RejectRow[] = rows.map((r) => ({
      side: c.side,
      file: c.loaded.file.path,
      line: lines.get(Number(r.rid)) ?? null,
      column: r.column_name,
      rawValue: r.raw_value,
      reason: r.raw_value === null ? r.reason : `${r.reason}, got "${visibleText(r.raw_value)}"`,
      errorType: 'CAST',
      rid: Number(r.rid),
    }));
    await appendRejects(conn, out);
    offset += rows.length;
    if (rows.length < REJECT_BATCH) break;
  }
}

/** Per decimal field, the staged values rounding changed, as stage.ts words it. */
async function roundingWarnings(conn: DuckDBConnection, fields: readonly ResolvedField[], sqls: readonly FieldSql[], typed: string, view: string): Promise<string[]> {
  if (!sqls.some((s) => s.rounded)) return [];
  const rows = await queryRows<{ ord: number; n: string }>(
    conn,
    `SELECT ord, count(*) AS n FROM ${typed} WHERE rounded AND rid NOT IN (SELECT __rid FROM ${view} WHERE __bad) GROUP BY ord ORDER BY ord`,
  );
  return rows.flatMap(({ ord, n }) => {
    const f = fields[ord]!;
    const to = f.scale === 0 ? 'had decimals and were rounded to whole numbers' : `had more than ${f.scale} decimals and were rounded to ${f.scale}`;
    return Number(n) === 0 ? [] : [`${f.name}: ${n} value(s) ${to}`];
  });
}

/** The control totals of integrity.ts, summed from the long values: per currency and decimal field. */
async function controlTotalRows(
  conn: DuckDBConnection,
  fields: readonly ResolvedField[],
  typed: string,
  view: string,
  decimals: readonly ResolvedField[],
  currency: ResolvedField | undefined,
): Promise<Record<string, string>[]> {
  if (decimals.length === 0) return [];
  const ords = new Map(fields.map((f, i) => [f, i]));
  const ordOf = (f: ResolvedField): number => ords.get(f) ?? -1;
  const ccyOrd = currency ? ordOf(currency) : -1;
  const records =
    ccyOrd < 0
      ? `(SELECT __rid AS rid, __bad AS bad, 'ALL' AS ccy FROM ${view})`
      : `(SELECT k.__rid AS rid, k.__bad AS bad, coalesce(c.v, '(none)') AS ccy
            FROM ${view} k LEFT JOIN (SELECT rid, v FROM ${typed} WHERE ord = ${ccyOrd}) c ON c.rid = k.__rid)`;
  const out = new Map<string, Record<string, string>>();
  const ccys = await queryRows<{ ccy: string }>(conn, `SELECT DISTINCT ccy FROM ${records} ORDER BY 1`);
  for (const { ccy } of ccys) out.set(ccy, { ccy });
  const index = new Map(decimals.map((f, i) => [ordOf(f), i]));
  const byScale = new Map<number, number[]>();
  for (const f of decimals) byScale.set(f.scale, [...(byScale.get(f.scale) ?? []), ordOf(f)]);
  for (const [scale, ords] of byScale) {
    const x = decimalOfText('t.v', scale);
    // The fields as a joined list, not an IN list: DuckDB tests an IN list of constants one by one.
    const rows = await queryRows<{ ccy: string; ord: number; e: string; a: string; d: string }>(
      conn,
      `SELECT k.ccy, t.ord,
              CAST(coalesce(sum(${x}), 0) AS VARCHAR) AS e,
              CAST(coalesce(sum(${x}) FILTER (WHERE NOT k.bad), 0) AS VARCHAR) AS a,
              CAST(coalesce(sum(${x}) FILTER (WHERE NOT k.bad), 0) - coalesce(sum(${x}), 0) AS VARCHAR) AS d
         FROM ${typed} t SEMI JOIN (SELECT unnest([${ords.join(', ')}])::INTEGER AS ord) f ON f.ord = t.ord
         JOIN ${records} k ON k.rid = t.rid
        GROUP BY ALL`,
    );
    for (const r of rows) {
      const i = index.get(r.ord)!;
      const row = out.get(r.ccy)!;
      row[`e${i}`] = r.e;
      row[`a${i}`] = r.a;
      row[`d${i}`] = r.d;
    }
  }
  return [...out.values()];
}

/**
 * SQL: a typed decimal's text back as DECIMAL(38, scale). Casting text to a
 * 38-digit decimal is ~70x slower than to an 18-digit one in DuckDB 1.5, so
 * the wide cast runs only for values the narrow one cannot hold.
 */
export function decimalOfText(text: string, scale: number): string {
  return `coalesce(TRY_CAST(${text} AS DECIMAL(18, ${scale}))::DECIMAL(38, ${scale}), CAST(${text} AS DECIMAL(38, ${scale})))`;
}

/**
 * At the end of a wide run: `<side>` becomes the usual view of every loaded
 * record, every field under its own name and type in the definition's order,
 * as the record view and the reports read it; the narrow view the run used
 * stays as `<side>_keys`.
 */
export async function finishWideViews(conn: DuckDBConnection, plan: WidePlan): Promise<void> {
  const packedPos = new Map(plan.packed.map((i, p) => [i, p + 1]));
  const keyNames = plan.narrow.fields.map((f) => ident(f.name));
  const keyOrds = plan.resolved.fields.flatMap((f, i) => (f.isKey ? [i] : []));
  for (const side of ['a', 'b'] as const) {
    const cols = plan.resolved.fields.map((f, i) => {
      const p = packedPos.get(i);
      return p === undefined ? `n.${ident(f.name)}` : `CAST(v.vals[${p}] AS ${fieldSql(f, side, {}).sqlType}) AS ${ident(f.name)}`;
    });
    await conn.run(`ALTER VIEW ${side} RENAME TO ${side}_keys`);
    // A record's values are gathered when it is read: a record view reads one, which
    // DuckDB finds by the filter on __rid (the values are stored in record order).
    await conn.run(
      `CREATE VIEW ${side} AS
       SELECT n.__rid, ${cols.join(', ')}, n.* EXCLUDE (__rid, ${keyNames.join(', ')}) REPLACE (CASE WHEN n.__bad THEN r.raw END AS __raw)
         FROM ${side}_keys n
         LEFT JOIN (SELECT rid, list(v ORDER BY ord) AS vals FROM ${side}_vals WHERE ord NOT IN (${keyOrds.join(', ')}) GROUP BY rid) v ON v.rid = n.__rid
         LEFT JOIN ${side}_bad_raw r ON r.rid = n.__rid`,
    );
  }
}
