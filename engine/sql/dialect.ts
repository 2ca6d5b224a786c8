import { decimalLiteral, literal } from './quote.ts';

/**
 * The few expressions whose spelling differs between the engines a recon's SQL
 * is emitted for; the query shapes (layers, joins, flags) are shared and call
 * these. DuckDB's spellings are exactly what the engine always emitted, so the
 * local path's SQL is byte-identical with or without the layer. ClickHouse
 * (18.16 and current) holds dates as day numbers (Int32) and timestamps as
 * microseconds (Int64) since 1970-01-01: its Date type starts at 1970 and its
 * DateTime has seconds only, and both would change values the definition compares.
 */
export interface Dialect {
  readonly name: 'duckdb' | 'clickhouse';
  /** NULL-safe "differs": NULL = NULL is equal, NULL against a value differs. */
  distinct(x: string, y: string): string;
  notNull(x: string): string;
  /** A boolean that may be NULL, NULL taken as false. */
  orFalse(cond: string): string;
  /** An exact decimal constant (a tolerance). */
  decimal(text: string): string;
  /** Whole days from date x to date y. */
  daysBetween(x: string, y: string): string;
  /** "timestamps x and y are at most `seconds` apart". */
  withinSeconds(x: string, y: string, seconds: number): string;
  /**
   * A number field's tolerance holds: |y − x| <= tol ('abs'), or <= tol × greatest(|x|, |y|) ('rel'), x and y of the
   * field's type (DECIMAL(38, scale); an integer is HUGEINT locally, Decimal(38, 0) on the cluster). Not true, and
   * never an error, where a step's result does not fit its type by DuckDB's rule (38 digits for a decimal, 2^127
   * for a 128-bit integer): no tolerance holds such a difference.
   */
  numberWithin(x: string, y: string, number: { integer: boolean; scale: number }, kind: 'abs' | 'rel', tol: string): string;

  /**
   * The key hash check's order-independent hash of a set of texts (checks/integrity.ts), as decimal text: the sum,
   * modulo 2^64, of 64 bits of each text's MD5 (bytes 9-16, little-endian), which both engines compute alike.
   */
  keyHashSum(text: string): string;

  // Normalization (normalize/sql.ts, adjust-sql.ts). Regular expressions are RE2 on both engines.
  /** A string constant: ClickHouse reads backslash escapes in literals, DuckDB does not. */
  str(value: string): string;
  /** `x` with every one of `chars` removed from both ends. */
  trimChars(x: string, chars: readonly number[]): string;
  /** The whole of `x` matches `pattern` (an RE2 pattern, unanchored as written). */
  fullMatch(x: string, pattern: string): string;
  /** Some part of `x` matches `pattern`. */
  search(x: string, pattern: string): string;
  /** 1-based byte position of `s` (a SQL string) in `x`, 0 when absent. */
  position(x: string, s: string): string;
  contains(x: string, s: string): string;
  /** Length in bytes (DuckDB's strlen); equal to the character count for ASCII only. */
  byteLength(x: string): string;
  lower(x: string): string;
  upper(x: string): string;
  /** A value as text. */
  toText(x: string): string;
  /** `x` without its first and last character ("(12.5)" → "12.5"). */
  dropEnds(x: string): string;
  /** `x` without its last character ("12.5-" → "12.5"). */
  dropLast(x: string): string;
  /** The first capture group of `pattern` in `x` ('' when it does not match). */
  firstGroup(x: string, pattern: string): string;
  /** `x` without trailing zeros. */
  rtrimZeros(x: string): string;
}

export const DUCKDB: Dialect = {
  name: 'duckdb',
  distinct: (x, y) => `(${x} IS DISTINCT FROM ${y})`,
  notNull: (x) => `${x} IS NOT NULL`,
  orFalse: (c) => `coalesce(${c}, false)`,
  decimal: (t) => decimalLiteral(t),
  daysBetween: (x, y) => `date_diff('day', ${x}, ${y})`,
  withinSeconds: (x, y, s) => `abs(epoch(${y}) - epoch(${x})) <= ${s}`,
  numberWithin: (x, y, _number, kind, tol) => `TRY(${toleranceHeld(kind, x, y, decimalLiteral(tol))})`,
  // md5_number reads the digest little-endian: its upper 64 bits are bytes 9-16.
  keyHashSum: (x) => `CAST(coalesce(sum(CAST(md5_number(${x}) >> 64 AS HUGEINT)), 0) % 18446744073709551616 AS VARCHAR)`,
  str: literal,
  trimChars: (x, chars) => `trim(${x}, ${literal(String.fromCodePoint(...chars))})`,
  fullMatch: (x, p) => `regexp_full_match(${x}, ${literal(p)})`,
  search: (x, p) => `regexp_matches(${x}, ${literal(p)})`,
  position: (x, s) => `strpos(${x}, ${s})`,
  contains: (x, s) => `contains(${x}, ${s})`,
  byteLength: (x) => `strlen(${x})`,
  lower: (x) => `lower(${x})`,
  upper: (x) => `upper(${x})`,
  toText: (x) => `CAST(${x} AS VARCHAR)`,
  dropEnds: (x) => `${x}[2:-2]`,
  dropLast: (x) => `${x}[1:-2]`,
  firstGroup: (x, p) => `regexp_extract(${x}, ${literal(p)}, 1)`,
  rtrimZeros: (x) => `rtrim(${x}, '0')`,
};

export const CLICKHOUSE: Dialect = {
  name: 'clickhouse',
  // 18.16 has no IS DISTINCT FROM; `x = y` is NULL when either side is, and then both must be.
  distinct: (x, y) => `(NOT ifNull(${x} = ${y}, isNull(${x}) AND isNull(${y})))`,
  notNull: (x) => `isNotNull(${x})`,
  orFalse: (c) => `ifNull(${c}, 0)`,
  // A bare 0.01 is a Float64 in ClickHouse, which it refuses to compare with a Decimal: the constant is made exact.
  decimal: (t) => {
    const plain = plainDecimal(decimalLiteral(t));
    const scale = plain.includes('.') ? plain.length - plain.indexOf('.') - 1 : 0;
    return `toDecimal128('${plain}', ${scale})`;
  },
  daysBetween: (x, y) => `(${y} - ${x})`,
  withinSeconds: (x, y, s) => `abs(${y} - ${x}) <= ${s * 1_000_000}`,
  // No TRY on 18.16: a Decimal128 overflow there fails the statement (CLUSTER_QUERY_FAILED, exit 2), never a wrong answer.
  // No TRY either: the steps are computed only where a range test (overflowGuard) says each fits, on zeros
  // elsewhere (every branch of an if() is evaluated); false, not NULL, there, as 18.16's OR is NULL when either side is.
  numberWithin: (x, y, number, kind, tol) => {
    const fits = overflowGuard(x, y, number, kind, tol);
    if (fits === undefined) return '0';
    const safe = (v: string): string => `if(${fits}, ${v}, toDecimal128('0', ${number.scale}))`;
    return `if(${fits}, ${toleranceHeld(kind, safe(x), safe(y), CLICKHOUSE.decimal(tol))}, 0)`;
  },
  // A UInt64 sum wraps modulo 2^64; over no rows it is 0.
  keyHashSum: (x) => `toString(sum(reinterpretAsUInt64(substring(MD5(${x}), 9, 8))))`,
  str: chString,
  // No trim() with a set of characters on 18.16: a regular expression on both ends, in UTF-8.
  trimChars: (x, chars) => {
    const set = `[${chars.map((c) => `\\x{${c.toString(16).padStart(4, '0')}}`).join('')}]`;
    return `replaceRegexpAll(${x}, ${chString(`^${set}+|${set}+$`)}, '')`;
  },
  fullMatch: (x, p) => `match(${x}, ${chString(`^(?:${p})$`)})`,
  search: (x, p) => `match(${x}, ${chString(p)})`,
  position: (x, s) => `position(${x}, ${s})`,
  contains: (x, s) => `(position(${x}, ${s}) > 0)`,
  byteLength: (x) => `length(${x})`,
  // DuckDB's lower/upper are Unicode's; ClickHouse's plain ones change ASCII only.
  lower: (x) => `lowerUTF8(${x})`,
  upper: (x) => `upperUTF8(${x})`,
  toText: (x) => `toString(${x})`,
  dropEnds: (x) => `substring(${x}, 2, length(${x}) - 2)`,
  dropLast: (x) => `substring(${x}, 1, length(${x}) - 1)`,
  // extract() returns the first capture group, '' without a match, as regexp_extract does.
  firstGroup: (x, p) => `extract(${x}, ${chString(p)})`,
  rtrimZeros: (x) => `replaceRegexpOne(${x}, '0+$', '')`,
};

/** The one spelling of a number tolerance, for both engines. */
function toleranceHeld(kind: 'abs' | 'rel', x: string, y: string, tol: string): string {
  const delta = `abs(${y} - ${x})`;
  return kind === 'abs' ? `${delta} <= ${tol}` : `${delta} <= ${tol} * greatest(abs(${x}), abs(${y}))`;
}

/** DECIMAL(38)'s largest value in units of its scale, and HUGEINT's. */
const MAX38 = 10n ** 38n - 1n;
const MAX128 = 2n ** 127n - 1n;

/**
 * ClickHouse: the test, without arithmetic that can overflow, that every step of `toleranceHeld` fits the
 * type DuckDB gives it, so the cluster's answer is the local engine's TRY(…): B − A (38 digits for a
 * decimal, 2^127 for an integer's HUGEINT), B − A scaled up to the tolerance's digits for the compare, and
 * tol × greatest(|A|, |B|) at the sum of both scales. DuckDB types the constant as written: "0.10" is a
 * decimal with 2 digits after the point, "5" an integer. Undefined when the constant itself cannot be
 * compared (never true). The values are the wire's Decimal(38, scale), at most 38 digits each.
 */
function overflowGuard(x: string, y: string, number: { integer: boolean; scale: number }, kind: 'abs' | 'rel', tol: string): string | undefined {
  const written = /^\d+(?:\.\d+)?$/.test(tol) ? tol : plainDecimal(tol);
  const [int = '0', frac] = written.split('.');
  const digits = frac?.length ?? 0;
  const units = BigInt(`${int}${frac ?? ''}`);
  const s = number.scale;
  // After B − A the arithmetic is decimal (38 digits) unless both the field and the constant are integers.
  const decimal = !number.integer || frac !== undefined;
  const pow = (n: number): bigint => 10n ** BigInt(n);
  let delta = number.integer ? MAX128 : MAX38;
  let larger: bigint | undefined;
  if (kind === 'abs' && decimal) {
    const common = Math.max(s, digits);
    if (units * pow(common - digits) > MAX38) return undefined;
    delta = min(delta, MAX38 / pow(common - s));
  }
  if (kind === 'rel') {
    if (units > 0n) larger = (decimal ? MAX38 : MAX128) / units;
    if (decimal) delta = min(delta, MAX38 / pow(digits));
  }
  const lit = (u: bigint): string => {
    const t = u.toString().padStart(s + 1, '0');
    return `toDecimal128('${s > 0 ? `${t.slice(0, -s)}.${t.slice(-s)}` : t}', ${s})`;
  };
  const ax = `abs(${x})`;
  const ay = `abs(${y})`;
  // Same signs: |B − A| = ||B| − |A||, within 38 digits. Opposite signs: |A| + |B| <= L, tested as
  // |B| − L1 <= L2 − |A| with L = L1 + L2 and each part within 38 digits.
  const l1 = min(delta, MAX38);
  const same = `((${x} >= ${lit(0n)}) = (${y} >= ${lit(0n)}))`;
  const deltaFits = `if(${same}, ${l1 === MAX38 ? '1' : `abs(${ay} - ${ax}) <= ${lit(l1)}`}, ${ay} - ${lit(l1)} <= ${lit(delta - l1)} - ${ax})`;
  return larger === undefined || larger >= MAX38 ? deltaFits : `(${deltaFits} AND greatest(${ax}, ${ay}) <= ${lit(larger)})`;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** A ClickHouse string literal: backslashes and quotes escaped (ClickHouse reads C-style escapes in literals). */
export function chString(value: string): string {
  if (value.includes('\u0000')) throw new Error('a value contains a NUL character');
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** A decimal literal ("1e-3", "+.5") written out without an exponent ("0.001", "0.5"), exactly. */
export function plainDecimal(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new Error(`not a decimal number: ${text}`);
  const sign = m[1] === '-' ? '-' : '';
  const digits = `${m[2] ?? ''}${m[3] ?? ''}`;
  const point = (m[2] ?? '').length + Number(m[4] ?? 0);
  const padded = point <= 0 ? `${'0'.repeat(1 - point)}${digits}` : digits.padEnd(point, '0');
  const at = Math.max(point, 1);
  const int = padded.slice(0, at).replace(/^0+(?=\d)/, '') || '0';
  const frac = padded.slice(at).replace(/0+$/, '');
  return `${sign}${int}${frac ? `.${frac}` : ''}`;
}
