import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../duckdb/open.ts';
import type { ResolvedField } from '../../definition/resolve.ts';
import { fieldSql, type FieldSql } from '../../normalize/sql.ts';
import { chString, CLICKHOUSE, DUCKDB, type Dialect } from '../../sql/dialect.ts';
import { literal } from '../../sql/quote.ts';
import { type MatrixEntry } from '../../sql/testing/normalize-matrix.ts';
import { ClickHouseClient } from '../client.ts';
import { wireOf } from '../cluster-sql.ts';

/**
 * The harness of engine/clickhouse/normalize-dialect.test.ts (here so a developer
 * can run one entry against a running node). Normalization has one meaning on both engines: every field shape of the
 * matrix (normalize-matrix.ts) reads the same raw texts on DuckDB and on
 * ClickHouse 18.16, and must give the same value (in the wire form of a cluster
 * run), the same reject, the same reason text and the same rounding flag. The
 * texts are the spellings of the bad-input corpus: number grammar (hex, "_",
 * exponents, grouping, decimal comma, accounting negatives), rounding at the
 * scale and beyond 38 digits, invalid dates (2024-02-30), times of day on a
 * date, formats, Unicode whitespace, NULL markers, value maps and case.
 */

const NUMBERS = ['1', '-7', '+5', '2.00', '1.5', '0x10', '1_000', '1e3', '1,234', '1,234,567', '12,5', '1,23,4', '(12)', '12-', '(1,000.00)', '3.00-', '', '  3  ', 'abc', '007', '-0', '.', '-', '()', '.5', '5.', '+.5', '1.2.3', '١٢', 'inf', 'NaN', ' - 1'];
const DECIMALS = [
  ...NUMBERS,
  '1.005', '-1.005', '2.0049999', '0.0050', '7.125', '1234.5', '(12.50)', '-0.001', '00012.340', '0.995', '-0.995',
  '12345678901234567890123456789012345.675', '99999999999999999999999999999999999.995', '999999999999999999999999999999999999.99', '1234567890123456789012345678901234567',
  // Out of range for DECIMAL(38, s): one reason on both engines, also once rounding adds a digit.
  '-1234567890123456789012345678901234567.5', '(123456789012345678901234567890123456789012)', '999999999999999999999999999999999999.995',
];
const INTEGERS = [...NUMBERS, '99999999999999999999', '12345678901234567890123456789012345678', '123456789012345678901234567890123456789', '-1234567890123456789012345678901234567890'];
const DATES = [
  '2024-01-02', '2024-1-2', '2024/01/02', '2024-02-30', '2024-02-29', '2023-02-29', '2024-13-01', '2024-00-10', '2024-01-00', '2024-01-02 00:00:00', '2024-01-02 09:30',
  '2024-01-02T09:30:00.5', '2024-01-02 10:00:00.123456', '2024-01-02 00:00:00.000', '31/12/2024', '1900-01-01', '0001-01-01', '9999-12-31', '12024-01-02', '20240102', 'abc',
  '2024-01-02 23:59:60', '1969-12-31', '2000-02-29', '1900-02-29', '2024-01-02 1:2:3', '2024-01-02  10:00:00', '1600-02-29', '\u00a02024-01-02', '2024-01-02 10',
  '2024/01-02', '2024-01/02', '2024-01-02 10:5', '2024-01-02 10:05:5', '2024-01-02t10:00', '2024-01-02\t10:00', '+2024-01-02', '2024-01-02 10:00:00.000000000001',
];
const FORMATTED_DATES = ['02/01/2024\t', '02 /01/2024', '02/01/2024', '2/1/2024', '30/02/2024', '20240102', '2024010', '202411', '2024-01-02', '31/12/99', '29/02/2023', '01/02/12024', '001/02/2024', '19991231'];
const TIMED_DATES = ['02/01/2024 00:00', '02/01/2024 09:05', '2/1/2024 9:5', '02/01/2024 24:00', '02/01/2024', '02/01/2024  00:00', '31/04/2024 00:00'];
const TIMESTAMPS = [
  '2024-01-01 10:00:00.000001', '1969-12-31 23:59:59', '1900-01-01 00:00:00', '2024-01-02', '2024-01-02T10:00', '2024-01-02 10:00:00.1234567', '2024-02-30 10:00:00',
  '2024-01-02 25:00:00', '2024-01-02 10:60:00', '2024-01-02 10', 'x', '2024-01-02 10:00:00.', '1969-12-31 23:59:59.999999', '0100-03-01 12:00:00', '2024/01-02 10:00', '2024-01-02 10:5', '2024-01-02T10:00:00.5', '2024-01-02 7:05:09.25',
];
const FORMATTED_TIMESTAMPS = ['02.01.2024 10:00:00', '2.1.2024 1:2:3', '02.01.2024 10:00', '31.04.2024 10:00:00', '29.02.2024 23:59:59', '29.02.2024 23:59:60'];
const BOOLEANS = ['true', 'T', 'Yes', 'y', '1', 'false', 'F', 'NO', 'n', '0', 'maybe', '', 'oui', 'TRUE'];
const STRINGS = ['  a  ', 'x', "it's", 'NULL', 'n/a', '', '\u00a0b\u3000', '\r\nc\r\n', 'é', 'Straße', '\ufeffz', 'a\u200db', '\tq\u2028', 'ÀÉÎ', 'İstanbul', 'back\\slash', 'x\u0085',
  // Bidi marks, zero-width space and BOM around a value (trimmed), and inside one (kept).
  '\u200f\u05de\u05e9\u05d4\u200e', '\u200bx\ufeff', '\u200e y \u200f', 'a\u200eb'];
/** Grouping as French (U+00A0, U+202F) and Swiss (U+2019) exports write it, read as the declared " " and "'". */
const SPACE_GROUPED = ['1 234,56', '1\u00a0234,56', '-1\u202f234\u00a0567,5', '1\u2009234,56', '1\u00a0\u00a0234,56', '1\u00a023,4', '(1\u202f000,00)', '\u200e1\u00a0234,5\u200f'];
const APOSTROPHE_GROUPED = ["1'234", '1\u2019234', "1\u2019234'567", '1\u2018234', "12'34", '1\u2019234-'];
/** Two weeks around New Year 1970 and 2024 and a day in 1900: every weekday, both sides of day 0. */
const DAYS = [
  ...Array.from({ length: 16 }, (_, i) => new Date(Date.UTC(1969, 11, 24 + i)).toISOString().slice(0, 10)),
  ...Array.from({ length: 16 }, (_, i) => new Date(Date.UTC(2023, 11, 28 + i)).toISOString().slice(0, 10)),
  '1900-03-03', '1900-03-04', 'nope',
];
const STAMPS = [...DAYS.map((d, i) => `${d} ${String(i % 24).padStart(2, '0')}:30:00`), '1969-12-31 23:59:59.5'];
const PRODUCTS = ['1.005', '-1.005', '12345.67', '0.005', '-0.005', '0.015', '-0.015', '0.5', '99999999999999999999999999999999999.99', '123456789012345678901234567890123456', '-1234567890123456789012345678901234567.5'];

export function valuesOf(e: MatrixEntry): (string | null)[] {
  const v = ((): string[] => {
    switch (e.name) {
      case 'integer':
      case 'integer grouped':
      case 'integer multiply':
        return INTEGERS;
      case 'decimal multiply':
      case 'decimal multiply whole':
      case 'decimal multiply wide':
        return [...PRODUCTS, ...DECIMALS.slice(0, 12)];
      case 'decimal comma':
        return ['1,5', '1.234,5678', '1.234.567,891', '12.5', '1,2345', '-0,0005', '(1.000,50)', '1,0005-', '1.23.4', '1.234.567.890.123.456.789.012.345.678.901.234.567,5', ...NUMBERS];
      case 'decimal space grouped':
        return [...SPACE_GROUPED, ...DECIMALS];
      case 'integer apostrophe grouped':
        return [...APOSTROPHE_GROUPED, ...INTEGERS];
      case 'date formats':
        return FORMATTED_DATES;
      case 'date timed formats':
        return TIMED_DATES;
      case 'date shift':
      case 'date business':
      case 'date business +7':
        return DAYS;
      case 'timestamp formats':
        return FORMATTED_TIMESTAMPS;
      case 'timestamp shift':
      case 'timestamp business':
        return STAMPS;
      default:
        break;
    }
    switch (e.field.type) {
      case 'string':
        return STRINGS;
      case 'integer':
        return INTEGERS;
      case 'decimal':
        return DECIMALS;
      case 'date':
        return DATES;
      case 'timestamp':
        return TIMESTAMPS;
      case 'boolean':
        return BOOLEANS;
    }
  })();
  return [...v, null];
}

export interface Outcome {
  value: string | null;
  bad: boolean;
  reason: string | null;
  rounded: boolean;
}

/** The layers staging stacks (normalize/stage.ts): clean, text, cast, adjust; then the reject, its reason and the rounding flag. */
function layered(field: ResolvedField, sql: FieldSql, d: Dialect, rows: string): string {
  const final = sql.adjust ? sql.adjust.sql('__v0') : '__v0';
  const out = d.name === 'duckdb' ? (field.type === 'string' ? '__f0' : wireOf(field).out('__f0')) : '__f0';
  const no = d.name === 'duckdb' ? 'false' : '0';
  const bad = field.type === 'string' ? no : `(__t0 IS NOT NULL AND __f0 IS NULL)`;
  const adjustFailed = sql.adjust ? `WHEN __v0 IS NOT NULL THEN ${d.str(sql.adjust.failure)}` : '';
  const reason = `CASE WHEN ${bad} THEN (CASE WHEN ${no} THEN NULL ${adjustFailed} ${sql.reasons ? sql.reasons('__t0') : ''} ELSE ${d.str(`expected ${sql.expected}`)} END) END`;
  const rounded = sql.rounded ? `(NOT ${bad} AND ${sql.rounded('__t0')})` : no;
  // ClickHouse 18.16's toString() garbles a Decimal128 beyond 2^64 (its TSV output does not): the value goes out as is.
  // (DuckDB's: wrapped, since @duckdb/node-api's text decoding drops a leading U+FEFF.)
  const text = d.name === 'duckdb' ? `'<' || ${d.toText(out)} || '>'` : out;
  return `SELECT i, ${text} AS value, ${bad} AS bad, ${reason} AS reason, ${rounded} AS rounded
            FROM (SELECT *, ${final} AS __f0 FROM (SELECT *, ${sql.typed('__t0')} AS __v0 FROM (SELECT *, ${sql.text('__s0')} AS __t0
            FROM (SELECT *, ${sql.clean('__r0')} AS __s0 FROM (${rows})))))
           ORDER BY i`;
}

const normalizeRow = (r: Record<string, unknown>): Outcome => ({
  value: r['value'] === null || r['value'] === undefined ? null : String(r['value']),
  bad: r['bad'] === true || r['bad'] === 1,
  reason: (r['reason'] as string | null) ?? null,
  rounded: r['rounded'] === true || r['rounded'] === 1,
});


export async function onDuckDB(duck: DuckDBConnection, e: MatrixEntry, values: (string | null)[]): Promise<Outcome[]> {
  const rows = `SELECT * FROM (VALUES ${values.map((v, i) => `(${i}, ${v === null ? 'NULL::VARCHAR' : literal(v)})`).join(', ')}) v(i, __r0)`;
  const sql = layered(e.field, fieldSql(e.field, 'a', e.source, e.format), DUCKDB, rows);
  const rowsOut = await queryRows<Record<string, unknown>>(duck, sql);
  return rowsOut.map((r) => normalizeRow({ ...r, value: typeof r['value'] === 'string' ? r['value'].slice(1, -1) : r['value'] }));
}

export async function onClickHouse(client: ClickHouseClient, e: MatrixEntry, values: (string | null)[]): Promise<Outcome[]> {
  const tuples = values.map((v, i) => `(${i}, ${chString(v ?? '')}, ${v === null ? 1 : 0})`).join(', ');
  const rows = `SELECT p.1 AS i, if(p.3 = 1, CAST(NULL AS Nullable(String)), toNullable(p.2)) AS __r0 FROM (SELECT arrayJoin([${tuples}]) AS p)`;
  const sql = layered(e.field, fieldSql(e.field, 'a', e.source, e.format, CLICKHOUSE), CLICKHOUSE, rows);
  const body = await client.exec(`${sql} FORMAT TabSeparated`);
  const unescape = (v: string): string | null =>
    v === '\\N' ? null : v.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '0': '\u0000', b: '\b', f: '\f' })[c] ?? c);
  return body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [i, value, bad, reason, rounded] = l.split('\t').map(unescape);
      return normalizeRow({ i, value, bad: bad === '1', reason, rounded: rounded === '1' });
    });
}

