import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne, queryRows } from '../duckdb/open.ts';
import { literal } from '../sql/quote.ts';
import { DATE_FORMATS, fitsSql } from './date-formats.ts';
import { COMMA_DECISIVE, DOT_DECISIVE, fractionDigitsSql, INTEGER, integerDigitsSql, NUMBER_COMMA, NUMBER_DOT, SPACE, type NumberEvidence } from './numbers.ts';
import { cleanSql } from './source.ts';
import type { Side } from './types.ts';

/**
 * Counts, per column of a side's sample, how many values fit each candidate
 * type and format. Typing (column-types.ts) then demands that a type fits ALL
 * sampled values, so nothing is typed on a majority vote.
 *
 * The work is on distinct values with their counts (a code column of 20,000
 * values has a handful), and the costly checks run only where a cheap one
 * allows them: number regexes on columns of digits and separators, the date
 * formats on columns whose every value is date-shaped.
 */
export interface ColumnStats {
  side: Side;
  index: number;
  name: string;
  /** SQL column in the sample tables: a0, b3 … */
  ref: string;
  /** Non-NULL values, NULL-like tokens ("N/A", "NULL") included. */
  n: number;
  nullTokens: string[];
  nullTokenCount: number;
  rows: number;
  distinct: number;
  distinctUpper: number;
  padded: number;
  int: number;
  leadingZero: number;
  dot: number;
  comma: number;
  fracDot: number;
  fracComma: number;
  /**
   * The decimal places that DOMINANT_SHARE of the values fit in: a field's scale follows
   * it, not a few outliers (values scaled by 0.001 in one system, say).
   */
  fracDotDominant: number;
  fracCommaDominant: number;
  /** Most digits before the decimal separator, under each convention (a DECIMAL(38) holds 38 in all). */
  intDigitsDot: number;
  intDigitsComma: number;
  bool: number;
  /** Per DATE_FORMATS entry: values that fit it. */
  dateFits: number[];
  evidence: NumberEvidence;
}

/** The share of a column's numbers whose decimal places set its scale (the rest are outliers, rounded and counted at run time). */
export const DOMINANT_SHARE = 0.995;

const NULL_TOKENS = ['NULL', 'N/A', '#N/A', 'NA', 'NONE', 'NAN', '-', '--', 'NIL'];
const BOOLEAN_WORDS = ['true', 'false', 'yes', 'no', 'y', 'n', 't', 'f'];
const NUMBER_CHARS = String.raw`[\d.,+\-() '\x{00a0}\x{202f}]+`;
const DATE_SHAPE = String.raw`\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}([ T].*)?|(19|20)\d{6}|\d{1,2}[- ][A-Za-z]{3}[- ]\d{2,4}`;

const rx = (v: string, pattern: string): string => `regexp_full_match(${v}, ${literal(pattern)})`;
const inList = (v: string, list: readonly string[]): string => `${v} IN (${list.map(literal).join(', ')})`;

/**
 * Per-column aggregates over `infer_v_<side>` rows (i, v, n) of the given
 * columns, from per-value flags computed once for each distinct value: many
 * columns share their values (dates, codes, small numbers), and the flags are
 * regular expressions and casts.
 */
async function grouped(conn: DuckDBConnection, table: string, cols: number[], flags: [string, string][], aggs: [string, string][]): Promise<Map<number, Record<string, unknown>>> {
  const out = new Map<number, Record<string, unknown>>();
  if (cols.length === 0) return out;
  const rows = await queryRows<Record<string, unknown>>(
    conn,
    `WITH t AS (SELECT i, v, n, padded FROM ${table} WHERE i IN (${cols.join(', ')})),
          f AS (SELECT v${flags.map(([k, sql]) => `, ${sql} AS "${k}"`).join('')} FROM (SELECT DISTINCT v FROM t))
     SELECT i, ${aggs.map(([k, sql]) => `${sql} AS "${k}"`).join(', ')}
       FROM (SELECT t.i, t.v, t.n, t.padded${flags.map(([k]) => `, f."${k}"`).join('')} FROM t JOIN f ON f.v = t.v)
      GROUP BY i`,
  );
  for (const r of rows) out.set(Number(r['i']), r);
  return out;
}

/**
 * Profiles every column of a side's sample: `table`/`rawTable` hold one
 * column per file column, or, for a wide file (wide.ts), `long` gives the raw
 * sample as rows (i, r) and its record count.
 */
export async function profileSide(
  conn: DuckDBConnection,
  side: Side,
  columns: readonly string[],
  table: string,
  rawTable: string,
  long?: { relation: string; rows: number },
): Promise<ColumnStats[]> {
  if (columns.length === 0) return [];
  const refs = columns.map((_, i) => `${side}${i}`);
  const values = `infer_v_${side}`;
  const raw = long ? long.relation : `(${refs.map((r, i) => `SELECT ${i} AS i, ${r} AS r FROM ${rawTable}`).join(' UNION ALL ')})`;
  // Distinct raw values first, cleaned after: padding is counted on the way, at the cost of one GROUP BY.
  await conn.run(`CREATE OR REPLACE TABLE ${values} AS
    SELECT i, ${cleanSql('r')} AS v, sum(n) AS n, coalesce(sum(n) FILTER (WHERE r <> ${cleanSql('r')}), 0) AS padded
      FROM (SELECT i, r, count(*) AS n FROM ${raw} GROUP BY i, r)
     WHERE v IS NOT NULL GROUP BY i, v`);
  const all = refs.map((_, i) => i);
  const basic = await grouped(
    conn,
    values,
    all,
    [['tok', inList('upper(v)', NULL_TOKENS)], ['bool', inList('lower(v)', BOOLEAN_WORDS)], ['numc', rx('v', NUMBER_CHARS)], ['dshape', rx('v', DATE_SHAPE)]],
    [
      ['n', 'sum(n)'],
      ['padded', 'sum(padded)'],
      ['d', 'count(*)'],
      ['du', 'count(DISTINCT upper(v))'],
      ['tok', 'coalesce(sum(n) FILTER (WHERE tok), 0)'],
      ['toks', 'list(v) FILTER (WHERE tok)'],
      ['bool', 'coalesce(sum(n) FILTER (WHERE bool), 0)'],
      ['numc', 'coalesce(sum(n) FILTER (WHERE numc OR tok), 0)'],
      ['dshape', 'coalesce(sum(n) FILTER (WHERE dshape OR tok), 0)'],
    ],
  );
  const num = (r: Record<string, unknown> | undefined, k: string): number => Number(r?.[k] ?? 0);
  const numericCols = all.filter((i) => num(basic.get(i), 'numc') === num(basic.get(i), 'n') && num(basic.get(i), 'n') > 0);
  const dateCols = all.filter((i) => num(basic.get(i), 'dshape') === num(basic.get(i), 'n') && num(basic.get(i), 'n') > 0);
  const sum = (flag: string): string => `coalesce(sum(n) FILTER (WHERE ${flag}), 0)`;
  const numeric = await grouped(
    conn,
    values,
    numericCols,
    [
      ['int', rx('v', INTEGER)],
      ['lz', rx('v', String.raw`[+-]?0\d+`)],
      ['dot', rx('v', NUMBER_DOT)],
      ['comma', rx('v', NUMBER_COMMA)],
      ['dotDec', rx('v', DOT_DECISIVE)],
      ['commaDec', rx('v', COMMA_DECISIVE)],
      ['g3comma', `regexp_matches(v, ${literal(String.raw`\d,\d{3}`)})`],
      ['g3dot', `regexp_matches(v, ${literal(String.raw`\d\.\d{3}`)})`],
      ['g3space', `regexp_matches(v, ${literal(String.raw`\d${SPACE}\d{3}`)})`],
    ],
    [
      ['int', sum('int')],
      ['lz', sum('lz')],
      ['dot', sum('dot')],
      ['comma', sum('comma')],
      ['dotDec', sum('dot AND dotDec')],
      ['commaDec', sum('comma AND commaDec')],
      ['exDot', 'min(v) FILTER (WHERE dot AND dotDec)'],
      ['exComma', 'min(v) FILTER (WHERE comma AND commaDec)'],
      ['gComma', sum('dot AND g3comma')],
      ['gDot', sum('comma AND g3dot')],
      ['gSpace', sum('(dot OR comma) AND g3space')],
      ['dotInComma', sum(`comma AND contains(v, '.')`)],
      ['fracDot', `coalesce(max(${fractionDigitsSql('v', '.')}) FILTER (WHERE dot), 0)`],
      ['fracComma', `coalesce(max(${fractionDigitsSql('v', ',')}) FILTER (WHERE comma), 0)`],
      ['intDot', `coalesce(max(${integerDigitsSql('v', '.')}) FILTER (WHERE dot), 0)`],
      ['intComma', `coalesce(max(${integerDigitsSql('v', ',')}) FILTER (WHERE comma), 0)`],
      ['fracDotDom', `coalesce(quantile_disc(${fractionDigitsSql('v', '.')}, ${DOMINANT_SHARE}) FILTER (WHERE dot), 0)`],
      ['fracCommaDom', `coalesce(quantile_disc(${fractionDigitsSql('v', ',')}, ${DOMINANT_SHARE}) FILTER (WHERE comma), 0)`],
    ],
  );
  const dates = await grouped(
    conn,
    values,
    dateCols,
    DATE_FORMATS.map((f, k): [string, string] => [`f${k}`, fitsSql(f, 'v')]),
    DATE_FORMATS.map((_, k): [string, string] => [`f${k}`, sum(`f${k}`)]),
  );
  const { rows } = long ? { rows: String(long.rows) } : await queryOne<{ rows: string }>(conn, `SELECT count(*) AS rows FROM ${table}`);
  return refs.map((ref, index) => {
    const b = basic.get(index);
    const p = numeric.get(index);
    const d = dates.get(index);
    return {
      side,
      index,
      name: columns[index]!,
      ref,
      n: num(b, 'n'),
      nullTokens: ((b?.['toks'] as string[] | null) ?? []).slice().sort(),
      nullTokenCount: num(b, 'tok'),
      rows: Number(rows),
      distinct: num(b, 'd'),
      distinctUpper: num(b, 'du'),
      padded: num(b, 'padded'),
      int: num(p, 'int'),
      leadingZero: num(p, 'lz'),
      dot: num(p, 'dot'),
      comma: num(p, 'comma'),
      fracDot: num(p, 'fracDot'),
      fracComma: num(p, 'fracComma'),
      fracDotDominant: num(p, 'fracDotDom'),
      fracCommaDominant: num(p, 'fracCommaDom'),
      intDigitsDot: num(p, 'intDot'),
      intDigitsComma: num(p, 'intComma'),
      bool: num(b, 'bool'),
      dateFits: DATE_FORMATS.map((_, k) => num(d, `f${k}`)),
      evidence: {
        dotDecisive: num(p, 'dotDec'),
        commaDecisive: num(p, 'commaDec'),
        groupedComma: num(p, 'gComma'),
        groupedDot: num(p, 'gDot'),
        groupedSpace: num(p, 'gSpace'),
        dotInCommaNumbers: num(p, 'dotInComma'),
        example: {
          ...(p?.['exDot'] ? { dot: String(p['exDot']) } : {}),
          ...(p?.['exComma'] ? { comma: String(p['exComma']) } : {}),
        },
      },
    };
  });
}

/** Sums number evidence over the columns whose every value is a number under some convention. */
export function fileEvidence(stats: readonly ColumnStats[]): NumberEvidence {
  const total: NumberEvidence = { dotDecisive: 0, commaDecisive: 0, groupedComma: 0, groupedDot: 0, groupedSpace: 0, dotInCommaNumbers: 0, example: {} };
  for (const s of stats) {
    const values = s.n - s.nullTokenCount;
    if (values === 0 || (s.dot < values && s.comma < values)) continue;
    const e = s.evidence;
    total.dotDecisive += e.dotDecisive;
    total.commaDecisive += e.commaDecisive;
    total.groupedComma += e.groupedComma;
    total.groupedDot += e.groupedDot;
    total.groupedSpace += e.groupedSpace;
    if (s.comma === values) total.dotInCommaNumbers += e.dotInCommaNumbers;
    total.example.dot ??= e.example.dot;
    total.example.comma ??= e.example.comma;
  }
  return total;
}
