import { ReconError } from '../errors/recon-error.ts';
import { chString } from './dialect.ts';

/**
 * The casts of normalization (normalize/sql.ts) spelled for ClickHouse 18.16,
 * which has none of DuckDB's TRY_CAST, TRY_STRPTIME, make_date or
 * toDecimalOrNull. Every cast is built from regular-expression captures and
 * integer arithmetic, and checked the way DuckDB checks it (2026-02-30 is no
 * date, 10:00:60 no time), because ClickHouse's own parsers throw on bad text
 * or quietly take it (toDate('2026-02-30') is a date). 18.16 evaluates every
 * branch of an if/CASE for every row, so nothing that can throw is ever given
 * unchecked text: a value that does not check out is replaced by a constant
 * before it reaches toDecimal128.
 *
 * Values come out in the wire forms of a cluster run (clickhouse/cluster-sql.ts):
 * decimals and integers as Decimal(38, s), dates as day numbers since
 * 1970-01-01 (Int64) and timestamps as microseconds since then (Int64), so dates
 * before 1970 and after 2105 work, which ClickHouse's Date and DateTime cannot hold.
 */

/** The unit of the last decimal place, as text: "0.01" at scale 2, "1" at 0. */
const unit = (scale: number): string => (scale === 0 ? '1' : `0.${'0'.repeat(scale - 1)}1`);

/**
 * `n` (NULL, or text in the form `[+-]?[0-9]*(.[0-9]*)?` with at least one digit,
 * which numberPattern and numericText guarantee) as Decimal(38, scale), rounded half
 * away from zero as DuckDB's cast rounds; NULL where the rounded value needs more
 * than 38 digits, as DuckDB's TRY_CAST to DECIMAL(38, s) gives.
 */
export function chDecimal(text: string, scale: number, alias?: string): string {
  // With an alias each part is named where it first appears and referred to after (a ClickHouse
  // alias holds for the whole SELECT), instead of being spelled a dozen times: a statement of
  // many decimal fields stays far below max_query_size.
  const named = (expr: string, name: string): [string, string] => (alias ? [`(${expr} AS ${alias}${name})`, `${alias}${name}`] : [expr, expr]);
  const [nDef, n] = named(text, '');
  const body = `replaceRegexpOne(${nDef}, '^[+-]', '')`;
  const [intDef, int] = named(`replaceRegexpOne(extract(${body}, '^([0-9]*)'), '^0+', '')`, '_i');
  const [fracDef, frac] = named(`extract(${body}, ${chString('\\.([0-9]*)')})`, '_f');
  const [upDef, up] = named(`(substring(${fracDef}, ${scale + 1}, 1) >= '5')`, '_u');
  const [keptDef, kept] = named(scale === 0 ? `''` : `substring(concat(${frac}, '${'0'.repeat(scale)}'), 1, ${scale})`, '_k');
  // 38 digits at most, also after rounding up (…999.995 at scale 2 becomes one digit longer).
  const [fitsDef, fits] = named(
    `(length(${intDef}) + ${scale} < 38 OR (length(${int}) + ${scale} = 38 AND NOT (${upDef} AND match(concat(${int}, ${keptDef}), '^9+$'))))`,
    '_ok',
  );
  const neg = `startsWith(${n}, '-')`;
  const canon = `concat(if(${neg}, '-', ''), if(${int} = '', '0', ${int})${scale > 0 ? `, '.', ${kept}` : ''})`;
  const value = `toDecimal128(if(${fits}, ${canon}, '0'), ${scale}) + toDecimal128(if(${fits} AND ${up}, if(${neg}, '-${unit(scale)}', '${unit(scale)}'), '0'), ${scale})`;
  return `(CASE WHEN ${fitsDef} THEN ${value} END)`;
}

/** Day number (days since 1970-01-01) of a proleptic Gregorian y-m-d (Int64 expressions), any year (H. Hinnant's days_from_civil). */
export function chDayNumber(y: string, m: string, d: string): string {
  const yy = `(${y} - (${m} <= 2))`;
  const era = `intDiv(${yy} - if(${yy} < 0, toInt64(399), toInt64(0)), toInt64(400))`;
  const yoe = `(${yy} - ${era} * 400)`;
  const doy = `(intDiv(153 * ((${m} + 9) % 12) + 2, 5) + ${d} - 1)`;
  return `(${era} * 146097 + ${yoe} * 365 + intDiv(${yoe}, 4) - intDiv(${yoe}, 100) + ${doy} - 719468)`;
}

/** y-m-d is a real day: month 1..12 and the day within the month (leap years as Gregorian). */
export function chValidDate(y: string, m: string, d: string): string {
  const leap = `((${y} % 4 = 0 AND ${y} % 100 != 0) OR ${y} % 400 = 0)`;
  const days = `multiIf(${m} = 2, if(${leap}, 29, 28), ${m} IN (4, 6, 9, 11), 30, 31)`;
  return `(${m} BETWEEN 1 AND 12 AND ${d} BETWEEN 1 AND ${days})`;
}

/** ISO day of the week (1 Monday … 7 Sunday) of a day number; 1970-01-01 was a Thursday. */
export function chIsoDow(dn: string): string {
  return `((${dn} % 7 + 10) % 7 + 1)`;
}

/** The day number of a timestamp in microseconds (floor: 1969-12-31 23:00 is day -1). */
export function chDayOfMicros(us: string): string {
  // Signed constants: intDiv of an Int64 by an unsigned one wraps negative values around.
  return `intDiv(${us} - if(${us} < 0, toInt64(86399999999), toInt64(0)), toInt64(86400000000))`;
}

/** The parts of a date or timestamp text, each a capture of its own pattern. */
interface Parsed {
  valid: string;
  dayNumber: string;
  /** Microseconds since midnight. */
  timeOfDay: string;
  /** "HH:MM:SS[.f]" as DuckDB prints a TIME, for the "has a time of day" reason. */
  timeText: string;
  /** 1 where the digits of a second beyond microseconds round the value up (the 7th is 5 or more), else 0. */
  roundUp: string;
}

type Part = 'Y' | 'm' | 'd' | 'H' | 'M' | 'S' | 'f';

/** A grammar: its parts in order, each with its digits, and the pattern around them (`g(part)` puts a part's digits in place). */
interface Grammar {
  parts: { name: Part; re: string }[];
  skeleton: (g: (i: number) => string) => string;
  /** Two parts follow each other with nothing between ("%Y%m%d"): their digits are one run. */
  adjacent: boolean;
}

function parse(t: string, g: Grammar, alias?: string): Parsed {
  const full = g.skeleton((i) => `(?:${g.parts[i]!.re})`);
  // A part's text: the i-th run of digits, where parts are apart (one extractAll, shared by all
  // parts); else a capture of its own pattern (ClickHouse's extract() gives the first group only).
  const partText = (i: number): string =>
    g.adjacent
      ? `extract(${t}, ${chString(`^(?:${g.skeleton((j) => (j === i ? `(${g.parts[j]!.re})` : `(?:${g.parts[j]!.re})`))})$`)})`
      : `arrayElement(extractAll(ifNull(${t}, ''), '[0-9]+'), ${i + 1})`; // (no Nullable arrays on 18.16)
  const at = (name: Part): number => g.parts.findIndex((p) => p.name === name);
  // With an alias each part is named once, in `valid` (which every use of a parse includes), and
  // referred to after: the expressions stay small (a ClickHouse alias holds for the whole SELECT).
  const defs: string[] = [];
  const named = (expr: string, name: string): string => {
    if (!alias) return expr;
    defs.push(`(${expr} AS ${alias}_${name})`);
    return `${alias}_${name}`;
  };
  const part = (name: Part): string => (at(name) < 0 ? '0' : named(`toInt64OrZero(${partText(at(name))})`, name));
  // The fraction is digits after the point: ".5" is 500000 µs; beyond 6 digits DuckDB truncates.
  const fracText = at('f') < 0 ? `'000000'` : named(`substring(concat(${partText(at('f'))}, '000000'), 1, 6)`, 'f');
  const [Y, m, d, H, M, S] = (['Y', 'm', 'd', 'H', 'M', 'S'] as const).map(part) as [string, string, string, string, string, string];
  const two = (x: string): string => `if(${x} < 10, concat('0', toString(${x})), toString(${x}))`;
  const fracPrinted = `replaceRegexpOne(${fracText}, '0+$', '')`;
  const defined = defs.length === 0 ? '' : ` AND notEmpty(concat(${defs.map((x) => `toString(${x})`).join(', ')}))`;
  return {
    valid: `(match(${t}, ${chString(`^(?:${full})$`)})${defined} AND ${chValidDate(Y, m, d)} AND ${H} <= 23 AND ${M} <= 59 AND ${S} <= 59)`,
    dayNumber: chDayNumber(Y, m, d),
    timeOfDay: `(((${H} * 60 + ${M}) * 60 + ${S}) * 1000000 + toInt64OrZero(${fracText}))`,
    timeText: `concat(${two(H)}, ':', ${two(M)}, ':', ${two(S)}, if(${fracPrinted} = '', '', concat('.', ${fracPrinted})))`,
    roundUp: at('f') < 0 ? '0' : `if(substring(concat(${partText(at('f'))}, '0000000'), 7, 1) >= '5', 1, 0)`,
  };
}

/**
 * DuckDB's cast of text to DATE or TIMESTAMP, as far as extracts write them:
 * "2026-1-5", "2026/01/05", a time after whitespace or "T" with optional seconds and
 * fraction ("2026-01-05 9:30", "…T09:30:00.123456"). DuckDB takes some rarer
 * spellings this does not ("infinity", "epoch", "… BC", zone offsets, 24:00:00):
 * such a value is rejected on the cluster, and the cluster run checks every
 * value it rejected with the local cast, failing the run if DuckDB would have
 * taken one (clickhouse/normalize-on-cluster.ts).
 */
const ISO: Grammar = {
  parts: [
    // Four digits, as the local engine reads a date without a format ("01/02/24" is no year 1: normalize/sql.ts yearFirst).
    { name: 'Y', re: '[0-9]{4}' },
    { name: 'm', re: '[0-9]{1,2}' },
    { name: 'd', re: '[0-9]{1,2}' },
    { name: 'H', re: '[0-9]{1,2}' },
    { name: 'M', re: '[0-9]{1,2}' },
    { name: 'S', re: '[0-9]{1,2}' },
    { name: 'f', re: '[0-9]*' },
  ],
  // One separator throughout: DuckDB rejects "2024/01-02". (Parts are read as runs of digits, so a part may appear twice.)
  skeleton: (g) => `${g(0)}(?:-${g(1)}-|/${g(1)}/)${g(2)}(?:(?:T|\\s+)${g(3)}:${g(4)}(?::${g(5)}(?:\\.${g(6)})?)?)?`,
  adjacent: false,
};

/** Directives of a strptime format the cluster can read, with the digits DuckDB accepts for each. */
const DIRECTIVES: Record<string, { name: Part; digits: number }> = {
  Y: { name: 'Y', digits: 4 },
  m: { name: 'm', digits: 2 },
  d: { name: 'd', digits: 2 },
  H: { name: 'H', digits: 2 },
  M: { name: 'M', digits: 2 },
  S: { name: 'S', digits: 2 },
  f: { name: 'f', digits: 6 },
};

const reEscape = (c: string): string => (/[\\^$.|?*+()[\]{}-]/.test(c) ? `\\${c}` : c);

/** The directive of `format` the cluster cannot read, if any ("%b", "%y", …). */
export function unsupportedDirective(format: string): string | undefined {
  for (const m of format.matchAll(/%(.)/g)) if (m[1] !== '%' && !DIRECTIVES[m[1]!]) return `%${m[1]}`;
  const seen = [...format.matchAll(/%([YmdHMSf])/g)].map((m) => m[1]);
  if (new Set(seen).size !== seen.length) return `%${seen.find((x, i) => seen.indexOf(x) !== i)} twice`;
  return undefined;
}

function formatGrammar(format: string): Grammar {
  const bad = unsupportedDirective(format);
  if (bad) throw new ReconError('INVALID_ARGUMENT', `date format "${format}": ${bad} cannot be read on ClickHouse`);
  const tokens = [...format.matchAll(/%(.)|(\s+)|(.)/gsu)].map((m) => ({ directive: m[1] && m[1] !== '%' ? DIRECTIVES[m[1]]! : undefined, text: m[0], space: !!m[2] }));
  // DuckDB's strptime reads a directive's digits greedily (up to 4 for %Y, 2 for %m …): a
  // directive followed directly by another takes all its digits, the last one 1 to all.
  const parts = tokens.flatMap((tok, i) => {
    if (!tok.directive) return [];
    const next = tokens[i + 1]?.directive;
    return [{ name: tok.directive.name, re: next ? `[0-9]{${tok.directive.digits}}` : `[0-9]{1,${tok.directive.digits}}` }];
  });
  // Parts are read as the i-th run of digits unless two touch, or the format spells digits itself.
  const adjacent = tokens.some((tok, i) => (tok.directive && tokens[i + 1]?.directive) || (!tok.directive && /[0-9]/.test(tok.text)));
  return {
    parts,
    adjacent,
    // DuckDB's strptime skips whitespace around the value; a space in the format matches any run of whitespace.
    skeleton: (g) => {
      let p = 0;
      return `\\s*${tokens.map((tok) => (tok.directive ? g(p++) : tok.space ? '\\s+' : tok.text === '%%' ? '%' : reEscape(tok.text))).join('')}\\s*`;
    },
  };
}

/** A date or timestamp text read by the first of `formats` it fits (DuckDB's TRY_STRPTIME with a list), or by DuckDB's cast grammar without formats. */
export function chParse(t: string, formats: readonly string[] | undefined): Parsed {
  const alias = (k: number): string | undefined => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t) ? `${t}_g${k}` : undefined);
  if (!formats) return parse(t, ISO, alias(0));
  const each = formats.map((f, k) => parse(t, formatGrammar(f), alias(k)));
  if (each.length === 1) return each[0]!;
  const pick = (get: (p: Parsed) => string, none: string): string => `multiIf(${each.map((p) => `${p.valid}, ${get(p)}`).join(', ')}, ${none})`;
  return {
    valid: `(${each.map((p) => p.valid).join(' OR ')})`,
    dayNumber: pick((p) => p.dayNumber, '0'),
    timeOfDay: pick((p) => p.timeOfDay, '0'),
    timeText: pick((p) => p.timeText, "''"),
    roundUp: pick((p) => p.roundUp, '0'),
  };
}

/**
 * The code points whose upper or lower case DuckDB (utf8proc) and ClickHouse
 * 18.16 (upperUTF8/lowerUTF8, which only map a character to one of the same
 * byte length) disagree on: ß → ẞ, ı → I, Georgian, Cherokee, Glagolitic, … (hex
 * ranges, from comparing both engines on every code point; the test
 * normalize-dialect.test.ts compares them again). A case-folded value holding one
 * of them would be folded differently on the cluster, so a cluster run counts such
 * values and refuses the run rather than differ (clickhouse/normalize-on-cluster.ts).
 */
export const CASE_FOLD_DIFFERS: readonly [number, number][] = [
  'B5 DF 130-131 17F 1C5 1C8 1CB 1F2 23A 23E-240 250-252 25C 261 265-266 26A-26C 271 27D 282 287 29D-29E 345 3B9 3BC 3C2 3D0-3D1 ',
  '3D5-3D6 3F0-3F1 3F5 10D0-10FA 10FD-10FF 13A0-13F5 13F8-13FD 1C80-1C88 1C90-1CBA 1CBD-1CBF 1D8E 1E9B 1E9E 1F88-1F8F 1F98-1F9F ',
  '1FA8-1FAF 1FBC 1FBE 1FCC 1FFC 2126 212A-212B 2132 214E 2160-217F 2183-2184 24B6-24E9 2C00-2C70 2C72-2C73 2C75-2C76 2C7E-2CE3 ',
  '2CEB-2CEE 2CF2-2CF3 2D00-2D25 2D27 2D2D A78D A794 A7AA-A7AE A7B0-A7CA A7D0-A7D1 A7D6-A7D9 A7F5-A7F6 AB53 AB70-ABBF 104B0-104D3 ',
  '104D8-104FB 10570-1057A 1057C-1058A 1058C-10592 10594-10595 10597-105A1 105A3-105B1 105B3-105B9 105BB-105BC 10C80-10CB2 ',
  '10CC0-10CF2 16E40-16E7F 1E900-1E943 ',
]
  .join('')
  .trim()
  .split(' ')
  .map((r) => {
    const [a, b] = r.split('-');
    return [parseInt(a!, 16), parseInt(b ?? a!, 16)] as [number, number];
  });

/** ClickHouse: the text holds a character the engines case-fold differently (CASE_FOLD_DIFFERS). */
export function chCaseFoldDiffers(t: string): string {
  const hex = (c: number): string => `\\x{${c.toString(16)}}`;
  return `match(${t}, ${chString(`[${CASE_FOLD_DIFFERS.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('')}]`)})`;
}
