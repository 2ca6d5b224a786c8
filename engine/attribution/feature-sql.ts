import type { DuckDBConnection } from '@duckdb/node-api';
import { ident, literalList } from '../sql/quote.ts';
import { SQL_ATTRIBUTED_DIFF_TYPES } from './catalogue.ts';
import { FEATURE_SPECS } from './features.ts';
import { fxRatioListSql, fxRatios, type FxTable } from './fx-rates.ts';

/** Direction pairs whose swap is a sign flip, both orders (upper case, "A|B"). */
const OPPOSITES = [
  ['BUY', 'SELL'], ['B', 'S'], ['BOT', 'SLD'], ['BOUGHT', 'SOLD'], ['PURCHASE', 'SALE'], ['LONG', 'SHORT'], ['L', 'S'],
  ['PAY', 'RECEIVE'], ['PAY', 'REC'], ['P', 'R'], ['PAYER', 'RECEIVER'], ['DEBIT', 'CREDIT'], ['DR', 'CR'], ['D', 'C'],
  ['BORROW', 'LEND'], ['IN', 'OUT'], ['INFLOW', 'OUTFLOW'], ['DEPOSIT', 'WITHDRAWAL'], ['+', '-'], ['POSITIVE', 'NEGATIVE'],
].flatMap(([x, y]) => [`${x}|${y}`, `${y}|${x}`]);

/** Weekdays from 1970-01-05 (a Monday) up to and including d: B − A gives business days in (A, B]. */
const weekdaysThrough = (d: string): string =>
  `(5 * floor((date_diff('day', DATE '1970-01-05', ${d}) + 1) / 7) + least(((date_diff('day', DATE '1970-01-05', ${d}) + 1) % 7 + 7) % 7, 5))`;

/** Words of a cleaned string. */
const words = (c: string): string => `list_filter(string_split(${c}, ' '), lambda w: w <> '')`;

/**
 * The shorter of two words abbreviates the longer: same first letter, at most
 * 70% as long, and its letters appear in order (CORP/CORPORATION, LTD/LIMITED,
 * HLDGS/HOLDINGS). CASE, not AND, so the per-row regex is only built when needed.
 */
const abbreviates = (x: string, y: string): string => {
  const test = (s: string, l: string): string =>
    `CASE WHEN left(${s}, 1) = left(${l}, 1) AND length(${s}) <= 0.7 * length(${l})
          THEN regexp_matches(${l}, '^' || array_to_string(string_split(${s}, ''), '.*')) ELSE false END`;
  return `CASE WHEN length(${x}) < length(${y}) THEN ${test(x, y)} ELSE ${test(y, x)} END`;
};

export interface FeatureOptions {
  fx?: FxTable;
  /** A relation of the previous run's breaks (key, field, diff_type), as the run read them (series/link.ts PREVIOUS_BREAKS); absent → prev features are 0. */
  previousBreaks?: string;
  /** Source table of breaks (default `breaks`); training reads synthetic tables through this. */
  breaksTable?: string;
  /** The breaks' history in their series (series/link.ts BREAK_HISTORY: break_id, lifecycle, age_runs, prev_reason, prev_decided); absent → history features are 0. */
  history?: string;
}

/** The longest text the quadratic string features read whole; beyond it, its two ends. */
export const EDIT_WINDOW = 2000;

function editWindow(v: string): string {
  return `CASE WHEN length(${v}) > ${EDIT_WINDOW} THEN left(${v}, ${EDIT_WINDOW / 2}) || right(${v}, ${EDIT_WINDOW / 2}) ELSE ${v} END`;
}

/** SQL creating `target` with break_id and one DOUBLE column per feature. */
export function featureTableSql(target: string, opts: { breaksTable: string; fxList: string; fxPresent: boolean; prevSource?: string; history?: string }): string {
  const historyJoin = opts.history ? `LEFT JOIN ${opts.history} h ON h.break_id = t.break_id` : '';
  const historyCols = opts.history
    ? `h.lifecycle AS hist_lifecycle, h.age_runs AS hist_age_runs, h.prev_reason AS hist_reason, h.prev_decided AS hist_decided`
    : `NULL::VARCHAR AS hist_lifecycle, NULL::INTEGER AS hist_age_runs, NULL::VARCHAR AS hist_reason, false AS hist_decided`;
  const prevJoin = opts.prevSource
    ? `LEFT JOIN (SELECT DISTINCT key FROM ${opts.prevSource}) pk ON pk.key = t.key
       LEFT JOIN (SELECT DISTINCT key, field, diff_type FROM ${opts.prevSource}) ps
              ON ps.key = t.key AND ps.field = t.field AND ps.diff_type = t.diff_type`
    : '';
  const prevCols = opts.prevSource
    ? `CASE WHEN pk.key IS NULL THEN 0 ELSE 1 END AS prev_key, CASE WHEN ps.key IS NULL THEN 0 ELSE 1 END AS prev_same`
    : `0 AS prev_key, 0 AS prev_same`;
  const cols = FEATURE_SPECS.map((f) => `CAST(coalesce(${f.sql}, 0) AS DOUBLE) AS ${ident(f.name)}`);
  return `CREATE OR REPLACE TABLE ${ident(target)} AS
  WITH s AS (
    SELECT break_id, key, field, diff_type, coalesce(field_type, '') AS ft, value_a, value_b, delta,
           CASE WHEN field_type IN ('decimal', 'integer', 'string') THEN TRY_CAST(value_a AS DOUBLE) END AS na,
           CASE WHEN field_type IN ('decimal', 'integer', 'string') THEN TRY_CAST(value_b AS DOUBLE) END AS nb,
           CASE field_type WHEN 'date' THEN TRY_CAST(value_a AS DATE) WHEN 'timestamp' THEN CAST(TRY_CAST(value_a AS TIMESTAMP) AS DATE) END AS da,
           CASE field_type WHEN 'date' THEN TRY_CAST(value_b AS DATE) WHEN 'timestamp' THEN CAST(TRY_CAST(value_b AS TIMESTAMP) AS DATE) END AS db,
           CASE field_type WHEN 'timestamp' THEN TRY_CAST(delta AS DOUBLE) WHEN 'date' THEN TRY_CAST(delta AS DOUBLE) * 86400 END AS secs,
           CASE WHEN field_type IN ('string', 'boolean') THEN upper(value_a) END AS ua,
           CASE WHEN field_type IN ('string', 'boolean') THEN upper(value_b) END AS ub,
           -- Edit distance and Jaro-Winkler cost length² per break: a long text (a 1.5 MB note)
           -- would stall the run for hours. They read its first and last ${EDIT_WINDOW / 2} characters.
           CASE WHEN field_type IN ('string', 'boolean') THEN ${editWindow('upper(value_a)')} END AS wa,
           CASE WHEN field_type IN ('string', 'boolean') THEN ${editWindow('upper(value_b)')} END AS wb,
           greatest(coalesce(length(value_a) - strpos(value_a, '.'), 0) * (strpos(value_a, '.') > 0)::INT,
                    coalesce(length(value_b) - strpos(value_b, '.'), 0) * (strpos(value_b, '.') > 0)::INT) AS decimals
      FROM ${ident(opts.breaksTable)}
     -- Attributed by their diff type in attribute.ts; the model has no features for them.
     WHERE diff_type NOT IN (${SQL_ATTRIBUTED_DIFF_TYPES.map((t) => `'${t}'`).join(', ')})
  ), c AS (
    SELECT *,
           CASE WHEN ft IN ('decimal', 'integer') THEN coalesce(TRY_CAST(delta AS DOUBLE), nb - na) ELSE nb - na END AS nd,
           CASE WHEN na <> 0 AND isfinite(na) AND isfinite(nb) THEN nb / na END AS ratio,
           trim(regexp_replace(replace(strip_accents(ua), '&', ' AND '), '[^\\p{L}\\p{N}]+', ' ', 'g')) AS ca,
           trim(regexp_replace(replace(strip_accents(ub), '&', ' AND '), '[^\\p{L}\\p{N}]+', ' ', 'g')) AS cb,
           ${weekdaysThrough('db')} - ${weekdaysThrough('da')} AS bd
      FROM s
  ), t AS (
    SELECT *,
           CASE WHEN ratio <> 0 THEN greatest(-8, least(8, log10(abs(ratio)))) END AS rlog,
           CASE WHEN ratio <> 0 AND ${opts.fxList.startsWith('[]') ? 'false' : 'true'}
                THEN list_min(list_transform(${opts.fxList}, lambda r: abs(ln(abs(ratio)) - ln(r)))) END AS fxd,
           ${opts.fxPresent ? 1 : 0} AS fx_present,
           ${words('ca')} AS tka, ${words('cb')} AS tkb,
           list_contains(${literalList(OPPOSITES)}, ua || '|' || ub) AS opposite
      FROM c
  ), pat AS (
    -- Narrow on purpose: a window over the wide rows above would copy every column.
    SELECT break_id, field,
           CASE WHEN ratio <> 0 THEN 'r' || CAST(round(log10(abs(ratio)), 2) AS VARCHAR) || CASE WHEN ratio < 0 THEN '-' ELSE '+' END
                WHEN ft IN ('string', 'boolean') THEN 's' || least(coalesce(value_a, '∅'), coalesce(value_b, '∅')) || '↔' || greatest(coalesce(value_a, '∅'), coalesce(value_b, '∅'))
                ELSE diff_type || ':' || coalesce(delta, '∅') END AS pattern
      FROM c
  ), pc AS (
    SELECT break_id, count(*) OVER (PARTITION BY field, pattern) - 1 AS same_pattern, count(*) OVER (PARTITION BY field) - 1 AS same_field
      FROM pat
  ), u AS (
    SELECT t.*, pc.same_pattern, pc.same_field, ${prevCols}, ${historyCols},
           CASE WHEN ua IS NOT NULL AND ub IS NOT NULL AND len(tka) = len(tkb) AND len(tka) > 0 AND ca <> cb
                THEN list_bool_and(list_transform(list_filter(range(1, len(tka) + 1), lambda i: tka[i] <> tkb[i]),
                                                  lambda i: ${abbreviates('tka[i]', 'tkb[i]')}))
                ELSE false END AS abbrev
      FROM t JOIN pc ON pc.break_id = t.break_id ${prevJoin} ${historyJoin}
  )
  SELECT break_id, ${cols.join(',\n         ')}
    FROM u`;
}

/**
 * Creates `break_features` for the run's `breaks` (or `opts.breaksTable`).
 * Safe inside an open transaction.
 */
export async function computeBreakFeatures(conn: DuckDBConnection, opts: FeatureOptions = {}, target = 'break_features'): Promise<void> {
  const ratios = fxRatios(opts.fx);
  await conn.run(
    featureTableSql(target, {
      breaksTable: opts.breaksTable ?? 'breaks',
      fxList: fxRatioListSql(ratios),
      fxPresent: ratios.length > 0,
      ...(opts.previousBreaks ? { prevSource: opts.previousBreaks } : {}),
      ...(opts.history ? { history: opts.history } : {}),
    }),
  );
}

