import type { SourceFormat, SourceOptions } from '../definition/schema.ts';
import type { ResolvedDefinition, ResolvedField } from '../definition/resolve.ts';
import { missingCase } from '../contract/guards.ts';
import { literal, literalList } from '../sql/quote.ts';
import { DUCKDB, type Dialect } from '../sql/dialect.ts';
import { chDecimal, chParse } from '../sql/clickhouse-casts.ts';
import { adjustSql, type AdjustSql } from './adjust-sql.ts';
import { plainExponentSql } from './exponent-sql.ts';
import { codePointName } from './visible-text.ts';

/**
 * SQL that turns a raw VARCHAR column into the field's typed, normalized value,
 * in layers so each expression refers to the previous layer's column
 * instead of repeating it:
 *   1. clean:  trim (every kind of surrounding whitespace, `trimSql`), and empty/null markers → NULL
 *   2. text:   value map, case folding
 *   3. typed:  the cast (decimal separator, grouping, accounting negatives, date formats);
 *              numbers only where the text follows the number grammar (`numberPattern`),
 *              since DuckDB's own casts also take "0x10", "1_000", "1e3" and round "1.5" to 2
 *   4. adjust: the side's `adjust` rule (scale, sign, day shifts; see adjust-sql.ts), when it has one
 * A non-NULL `text` with a NULL final value is a cast failure, which rejects the row
 * (an adjusted value is NULL only when it does not fit the type).
 */
export interface FieldSql {
  clean(column: string): string;
  text(clean: string): string;
  typed(text: string): string;
  /** DuckDB type of the typed value. */
  sqlType: string;
  /** What a valid value looks like, for reject reasons. */
  expected: string;
  /** The side's adjustment of the typed value; undefined when the side has none. */
  adjust?: AdjustSql;
  /**
   * Integers and decimals: the cast to a 64-bit type, NULL where the value
   * does not fit (or is no number). DuckDB 1.5 writes and scans 128-bit
   * columns (HUGEINT, DECIMAL(38)) several times slower than 64-bit ones, so
   * staging stores this and keeps `typed` only for the rare value it cannot hold.
   */
  narrow?: NarrowSql;
  /**
   * Decimals rounded to their scale (`rounding` "round", the default): SQL that is
   * true where rounding changes the value, i.e. the text has a digit other than 0
   * beyond the scale. Staging counts these values for the run's warnings.
   */
  rounded?(text: string): string;
  /** SQL `WHEN … THEN …` branches naming a more precise reject reason than `expected`, where one applies. */
  reasons?(text: string): string;
}

/**
 * The 64-bit cast of an integer or decimal field. `typed` checks the text's
 * spelling inline; staging instead casts first (`unchecked`) and checks one
 * layer up (`status`), where the check can use the cast: most values are
 * written exactly as DuckDB prints them ("1234.50" at scale 2, "-7"), which
 * comparing the printed cast with the text tells for ~60% of the cost of a
 * regular expression, and which also proves that rounding did not change them.
 * Checking into a column of its own also tells the rounded values (status 2)
 * without testing the text a second time.
 */
export interface NarrowSql {
  sqlType: string;
  typed(text: string): string;
  /** The cast of the text as `numericText` reads it, before any check of its spelling. */
  unchecked(text: string): string;
  /**
   * SQL, given the column holding `unchecked(text)`: 0 where the value stands, 1 where it
   * is a reject (no number in the grammar; or, under rounding "reject", more decimals than
   * the scale), 2 where it stands but rounding to the scale changed it.
   */
  status(text: string, cast: string): string;
}

/**
 * `format` is the source's actual format (from the file when the definition names
 * none): Parquet and JSON numbers are binary floating point that DuckDB writes as
 * text in exponent form when very small or large ("1e-05"), so only there is the
 * exponent form part of the number grammar.
 */
export function fieldSql(
  field: ResolvedField,
  side: 'a' | 'b',
  source: SourceOptions,
  format?: SourceFormat | 'query' | 'http',
  dialect: Dialect = DUCKDB,
  onlySpacesPad = false,
): FieldSql {
  const base = castSql(field, side, source, format, dialect, onlySpacesPad);
  const adjust = adjustSql(field.type, field.scale, side === 'a' ? field.adjustA : field.adjustB, `adjust.${side}`, dialect);
  return adjust ? { ...base, adjust } : base;
}

/**
 * Layers 1–3: clean, text and the cast. The meaning (what is trimmed, the number
 * grammar, rounding, the reject reasons) is written once; `d` spells it. The casts
 * differ in shape on ClickHouse (sql/clickhouse-casts.ts): its values are the wire
 * forms of a cluster run (day numbers, microseconds, Decimal(38, s), 0/1), and it
 * has no narrow 64-bit path, which is a DuckDB speed-up.
 */
function castSql(field: ResolvedField, side: 'a' | 'b', source: SourceOptions, format: SourceFormat | 'query' | 'http' | undefined, d: Dialect, onlySpacesPad: boolean): FieldSql {
  const nulls = source.nullValues ?? [];
  const ch = d.name === 'clickhouse';
  const clean = (column: string): string => {
    const trimmed = field.trim ? trimSql(column, d, onlySpacesPad) : column;
    const base = ch ? `nullIf(${trimmed}, '')` : `nullif(${trimmed}, '')`;
    return nulls.length === 0 ? base : `(CASE WHEN ${trimmed} IN (${nulls.map(d.str).join(', ')}) THEN NULL ELSE ${base} END)`;
  };
  const map = side === 'a' ? field.mapA : field.mapB;
  const text = (c: string): string => {
    let t = c;
    if (map && Object.keys(map).length > 0) {
      const whens = Object.entries(map)
        .map(([from, to]) => `WHEN ${d.str(from)} THEN ${d.str(to)}`)
        .join(' ');
      t = `(CASE ${c} ${whens} ELSE ${c} END)`;
    }
    if (field.type === 'string' && field.case === 'upper') t = d.upper(t);
    if (field.type === 'string' && field.case === 'lower') t = d.lower(t);
    return t;
  };

  const formats = side === 'a' ? field.dateFormatA : field.dateFormatB;
  switch (field.type) {
    case 'string':
      return { clean, text, typed: (t) => t, sqlType: ch ? 'String' : 'VARCHAR', expected: 'text' };
    case 'integer': {
      const syntax = numberSyntax(source, format);
      if (ch && syntax.exponent) throw new Error('the exponent form is read by DuckDB only');
      if (ch) {
        const valid = (t: string): string => numberSql(t, syntax, true, d);
        const n = (t: string): string => `(CASE WHEN ${valid(t)} THEN ${numericText(t, source, d)} END)`;
        return {
          clean,
          text,
          typed: (t) => chDecimal(n(t), 0, chAlias(t, 'n')),
          sqlType: 'Decimal(38, 0)',
          expected: `a whole number${separatorNote(source)}`,
          reasons: (t) => outOfRangeReason(`${valid(t)} AND ${chDecimal(n(t), 0)} IS NULL`, WHOLE_NUMBER_RANGE, d),
        };
      }
      // A fraction of zeros is in the integer grammar; the exponent form ("1.5e1") is
      // checked for being whole separately, the one case the pattern cannot tell.
      const valid = (t: string): string => (syntax.exponent ? `(${numberSql(t, syntax, true)} AND NOT ${beyondScaleSql(t, syntax, 0)})` : numberSql(t, syntax, true));
      const n = (t: string): string => `(CASE WHEN ${valid(t)} THEN ${castText(t, source, syntax)} END)`;
      const narrow: NarrowSql = {
        sqlType: 'BIGINT',
        typed: (t) => `TRY_CAST(${n(t)} AS BIGINT)`,
        unchecked: (t) => `TRY_CAST(${castText(t, source, syntax)} AS BIGINT)`,
        status: (t, u) => `(CASE WHEN CAST(${u} AS VARCHAR) = ${t} THEN 0 WHEN ${valid(t)} THEN 0 ELSE 1 END)`,
      };
      return {
        clean,
        text,
        typed: (t) => `TRY_CAST(${n(t)} AS HUGEINT)`,
        sqlType: 'HUGEINT',
        expected: `a whole number${separatorNote(source)}`,
        narrow,
        reasons: (t) => outOfRangeReason(`${valid(t)} AND TRY_CAST(${n(t)} AS HUGEINT) IS NULL`, WHOLE_NUMBER_RANGE),
      };
    }
    case 'decimal': {
      const syntax = numberSyntax(source, format);
      const scale = field.scale;
      const reject = field.rounding === 'reject';
      if (ch && syntax.exponent) throw new Error('the exponent form is read by DuckDB only');
      if (ch) return chDecimalField(field, source, syntax, d, clean, text);
      // `rounding` "reject": a value with digits other than 0 beyond the scale does not cast.
      const valid = (t: string): string => (reject ? `(${numberSql(t, syntax, false)} AND NOT ${beyondScaleSql(t, syntax, scale)})` : numberSql(t, syntax, false));
      const n = (t: string): string => `(CASE WHEN ${valid(t)} THEN ${castText(t, source, syntax)} END)`;
      const sqlType = `DECIMAL(38, ${scale})`;
      // Casting text to an 18-digit decimal is ~70x faster than to a 38-digit one
      // in DuckDB 1.5; the wide cast only runs for values the narrow one cannot hold.
      const typed = (t: string): string => `coalesce(TRY_CAST(${n(t)} AS DECIMAL(18, ${scale}))::${sqlType}, TRY_CAST(${n(t)} AS ${sqlType}))`;
      const narrowType = `DECIMAL(18, ${scale})`;
      // Written as DuckDB prints the value: stands, unrounded. Not tried with a decimal comma,
      // where replacing the point in the printed value costs more than the pattern below.
      const printed = (t: string, u: string): string => (syntax.decimal === '.' ? `WHEN CAST(${u} AS VARCHAR) = ${t} THEN 0` : '');
      // Digits with at most `scale` decimals: in the grammar, and rounding changes nothing.
      const plain = literal(`-?[0-9]+(?:${reChar(syntax.decimal)}[0-9]{0,${scale}})?`);
      const narrow: NarrowSql = {
        sqlType: narrowType,
        typed: (t) => `TRY_CAST(${n(t)} AS ${narrowType})`,
        unchecked: (t) => `TRY_CAST(${castText(t, source, syntax)} AS ${narrowType})`,
        status: (t, u) =>
          `(CASE ${printed(t, u)} WHEN regexp_full_match(${t}, ${plain}) THEN 0 WHEN NOT regexp_full_match(${t}, ${literal(numberPattern(syntax, false))}) THEN 1
                 WHEN ${beyondScaleSql(t, syntax, scale)} THEN ${reject ? 1 : 2} ELSE 0 END)`,
      };
      const range = (t: string): string => outOfRangeReason(`${valid(t)} AND ${typed(t)} IS NULL`, decimalRange(scale));
      const base: FieldSql = { clean, text, typed, sqlType, expected: `a decimal number${separatorNote(source)}`, narrow };
      if (!reject) return { ...base, rounded: (t) => beyondScaleSql(t, syntax, scale), reasons: range };
      const why = `' decimals; the field''s scale is ${scale}'`;
      return {
        ...base,
        // Too many decimals is said first: the value is then no number of the field at all.
        reasons: (t) => `WHEN ${numberSql(t, syntax, false)} AND ${beyondScaleSql(t, syntax, scale)} THEN 'has ' || ${decimalsSql(t, syntax)} || ${why} ${range(t)}`,
      };
    }
    case 'date': {
      if (ch) return chDateField(formats, clean, text);
      // A timestamp is taken as its date only at midnight ("2026-01-05 00:00:00", as
      // extracts often write dates); a time of day is a reject, not dropped: 09:00 and
      // 17:00 on one day are different values, which a timestamp field compares.
      const stamp = (t: string): string => (formats ? `TRY_STRPTIME(${t}, ${literalList(formats)})` : `(CASE WHEN ${yearFirst(t)} THEN TRY_CAST(${t} AS TIMESTAMP) END)`);
      const midnight = (t: string): string => `(CASE WHEN ${stamp(t)} = date_trunc('day', ${stamp(t)}) THEN CAST(${stamp(t)} AS DATE) END)`;
      // Formats without a time directive always give midnight. A date alone (at most 10
      // characters, "2026-01-05") casts directly; DuckDB's DATE cast would also take a
      // longer "2026-01-05 09:00" and drop its time, so longer text goes through the timestamp.
      const timed = hasTimeOfDay(formats);
      const typed = (t: string): string =>
        formats ? (timed ? midnight(t) : `${stamp(t)}::DATE`) : `(CASE WHEN strlen(${t}) <= 10 THEN (CASE WHEN ${yearFirst(t)} THEN TRY_CAST(${t} AS DATE) END) ELSE ${midnight(t)} END)`;
      return {
        clean,
        text,
        typed,
        sqlType: 'DATE',
        expected: dateExpected(formats),
        ...(timed
          ? {
              reasons: (t: string) =>
                `WHEN ${typed(t)} IS NULL AND ${stamp(t)} IS NOT NULL THEN 'has a time of day (' || CAST(CAST(${stamp(t)} AS TIME) AS VARCHAR) || '); the field is a date: declare it a timestamp to compare times'`,
            }
          : {}),
      };
    }
    case 'timestamp':
      if (ch) {
        const p = (t: string): ReturnType<typeof chParse> => chParse(t, formats);
        return {
          clean,
          text,
          // Without a format, digits of a second beyond microseconds round half up, as the local engine (isoTimestampSql).
          typed: (t) => `(CASE WHEN ${p(t).valid} THEN ${p(t).dayNumber} * 86400000000 + ${p(t).timeOfDay}${formats ? '' : ` + ${p(t).roundUp}`} END)`,
          sqlType: 'Int64',
          expected: `a timestamp as ${formats ? formats.join(' or ') : 'yyyy-mm-dd hh:mm:ss'}`,
          ...(formats ? {} : { rounded: (t: string) => `(${d.byteLength(t)} > 26 AND ${d.search(t, '\\.[0-9]{6}[0-9]*[1-9]')})` }),
        };
      }
      if (formats) {
        return { clean, text, typed: (t) => `TRY_STRPTIME(${t}, ${literalList(formats)})`, sqlType: 'TIMESTAMP', expected: `a timestamp as ${formats.join(' or ')}` };
      }
      return {
        clean,
        text,
        typed: isoTimestampSql,
        sqlType: 'TIMESTAMP',
        expected: 'a timestamp as yyyy-mm-dd hh:mm:ss',
        // Digits of a second beyond microseconds, not all 0: rounding changed the value (a warning, as for decimals).
        rounded: (t) => `(strlen(${t}) > 26 AND regexp_matches(${t}, '\\.[0-9]{6}[0-9]*[1-9]'))`,
      };
    case 'boolean':
      if (ch) {
        return {
          clean,
          text,
          typed: (t) => `multiIf(lowerUTF8(${t}) IN ('true','t','yes','y','1'), 1, lowerUTF8(${t}) IN ('false','f','no','n','0'), 0, NULL)`,
          sqlType: 'UInt8',
          expected: 'true/false, yes/no, y/n or 1/0',
        };
      }
      return {
        clean,
        text,
        typed: (t) => `(CASE WHEN lower(${t}) IN ('true','t','yes','y','1') THEN true WHEN lower(${t}) IN ('false','f','no','n','0') THEN false END)`,
        sqlType: 'BOOLEAN',
        expected: 'true/false, yes/no, y/n or 1/0',
      };
    default:
      return missingCase(field.type);
  }
}

/**
 * SQL: the text starts with a four-digit year and its separator ("2024-01-31",
 * "2024/1/5"), the only date form read without a declared format. DuckDB's cast
 * also reads "01/02/24" as 0001-02-24 and "24-01-31" as year 24: those are rejects
 * (the reason says yyyy-mm-dd), never a date of year 1. One character, no regex.
 */
function yearFirst(t: string): string {
  return `(substring(${t}, 5, 1) IN ('-', '/'))`;
}

/**
 * A timestamp without a declared format. A UTC offset ("+02:00", "-0500", "+02")
 * after the time is applied, so the value is the instant in UTC: DuckDB's TIMESTAMP
 * cast would drop it (10:00+02:00 and 10:00-05:00 would be equal). Digits of a
 * second beyond microseconds are rounded half up (the cast truncates: .9999999
 * would be .999999 against another system's 1.000000).
 */
function isoTimestampSql(t: string): string {
  const offset = `regexp_matches(${t}, '[0-9]:[0-9]{2}(:[0-9]{2}(\\.[0-9]*)?)?\\s*[+-][0-9]{2}(:?[0-9]{2})?$')`;
  // Most values have neither: two cheap tests send them to the plain cast.
  const maybeOffset = `(strlen(${t}) > 16 AND (contains(substring(${t}, 12), '+') OR contains(substring(${t}, 12), '-')))`;
  const base = `(CASE WHEN ${maybeOffset} AND ${offset} THEN timezone('UTC', TRY_CAST(${t} AS TIMESTAMPTZ)) ELSE TRY_CAST(${t} AS TIMESTAMP) END)`;
  const roundUp = `(strlen(${t}) > 26 AND regexp_matches(${t}, '\\.[0-9]{6}[5-9]'))`;
  return `(CASE WHEN NOT ${yearFirst(t)} THEN NULL WHEN ${roundUp} THEN ${base} + INTERVAL 1 MICROSECOND ELSE ${base} END)`;
}

/**
 * The characters trim removes from both ends of a value: ASCII whitespace (tab, LF,
 * VT, FF, CR, space), the rest of Unicode's White_Space (NEL U+0085, no-break space
 * U+00A0, U+1680, U+2000–U+200A, the line and paragraph separators U+2028/U+2029,
 * U+202F, U+205F, U+3000) and the invisible characters extracts leave behind:
 * U+200B zero-width space, U+2060 word joiner, U+FEFF (a byte-order mark in the
 * middle of a file, after files were concatenated) and the bidi marks U+200E/U+200F
 * (Windows and Excel put them around Hebrew and Arabic names). The joiners
 * U+200C/U+200D are kept: inside text they are part of how a word is written.
 * (No Unicode normalization: ClickHouse 18.16 has none, and both engines must agree.)
 */
export const TRIMMED_WHITESPACE: readonly number[] = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0x200b, 0x2060, 0xfeff, 0x200e, 0x200f,
];

/** The characters of the set that DuckDB's plain trim() keeps: it removes spaces and Unicode space separators (Zs) only. */
const NOT_SPACE_SEPARATORS = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0x2028, 0x2029, 0x200b, 0x2060, 0xfeff, 0x200e, 0x200f];

/**
 * Whether a value of `field` that does not type rejects its record. A field the
 * definition says not to compare (`compare: false`) only travels with the record,
 * so its value that does not type is left empty and counted in the run's warnings
 * (`untypedWarning`) instead of costing the record; unless the run needs its type:
 * a key, the as-of date, or any field of a matching run (its rules may read it).
 */
export function untypedRejects(field: ResolvedField, resolved: Pick<ResolvedDefinition, 'asOfField' | 'definition'>): boolean {
  return field.type !== 'string' && (field.compare || field.isKey || resolved.asOfField === field || resolved.definition.matching !== undefined);
}

/** The run's warning for the values of a field not compared that did not type (left empty, record kept). */
export function untypedWarning(field: ResolvedField, sql: FieldSql, count: number): string {
  return `${field.name}: ${count} value(s) were not ${sql.expected} and were left empty (the field is not compared, so the records were kept)`;
}

/**
 * SQL removing `TRIMMED_WHITESPACE` from both ends of a VARCHAR. The one
 * definition of "trimmed": values, and the key text the integrity check
 * compares with an independent read of the file (stage.ts, checks/integrity.ts).
 * `onlySpacesPad`: the loader proved that a value can have no other whitespace
 * at its ends than spaces (LoadedSource.onlySpacesPad), so DuckDB's plain trim()
 * removes all of the set there is; the tests for the rest of the set cost more
 * than the trim itself (~0.6 s a side and million rows of 11 padded fields).
 */
export function trimSql(column: string, dialect: Dialect = DUCKDB, onlySpacesPad = false): string {
  // ClickHouse has no fast path to keep: one regular expression on both ends.
  if (dialect.name !== 'duckdb') return dialect.trimChars(column, TRIMMED_WHITESPACE);
  if (onlySpacesPad) return `(CASE WHEN ${column} < '!' OR suffix(${column}, ' ') THEN trim(${column}) ELSE ${column} END)`;
  // Most values have nothing to trim, and telling so is cheaper than trimming (~0.25 s
  // of CPU per side and million rows of 11 fields): the first character is above ' '
  // (one string comparison; it also sends '' on), the last is no ASCII whitespace, and
  // the string is ASCII (byte length = character count), as the rest of the set is not.
  // (Characters go in as literals: spelled with chr(), the expression cost ~30% more.)
  const char = (c: number): string => literal(String.fromCodePoint(c));
  const ends = [`${column} < '!'`, ...[0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c].map((c) => `suffix(${column}, ${char(c)})`), `strlen(${column}) <> length(${column})`];
  // Trimming a set of characters costs ~10x plain trim() in DuckDB 1.5, so the set is
  // used only for the rare value holding, anywhere, one of the characters trim() keeps;
  // the non-ASCII ones are looked for only in a non-ASCII value (a value padded with
  // spaces is common, and every test costs).
  const ascii = NOT_SPACE_SEPARATORS.filter((c) => c < 0x80);
  const wide = NOT_SPACE_SEPARATORS.filter((c) => c >= 0x80);
  const others = `${ascii.map((c) => `contains(${column}, ${char(c)})`).join(' OR ')} OR (strlen(${column}) <> length(${column}) AND (${wide.map((c) => `contains(${column}, ${char(c)})`).join(' OR ')}))`;
  const all = literal(String.fromCodePoint(...TRIMMED_WHITESPACE));
  return `(CASE WHEN ${ends.join(' OR ')} THEN (CASE WHEN ${others} THEN trim(${column}, ${all}) ELSE trim(${column}) END) ELSE ${column} END)`;
}

/** How a source writes numbers. */
interface NumberSyntax {
  decimal: '.' | ',';
  /** The thousands separator, when the source declares one. */
  group: string | undefined;
  /** The exponent form ("1e-05"), as DuckDB writes the binary floating point of Parquet and JSON. */
  exponent: boolean;
}

function numberSyntax(source: SourceOptions, format: SourceFormat | 'query' | 'http' | undefined): NumberSyntax {
  const f = format ?? source.format;
  return {
    decimal: source.decimalSeparator ?? '.',
    group: source.thousandsSeparator === undefined || source.thousandsSeparator === '' ? undefined : source.thousandsSeparator,
    // A database writes its floating-point columns so too ("1e-07"), and JSON allows it.
    exponent: f === 'parquet' || f === 'json' || f === 'ndjson' || f === 'query' || f === 'http',
  };
}

const reChar = (c: string): string => (/[\\^$.|?*+()[\]{}-]/.test(c) ? `\\${c}` : c);

/**
 * The characters a declared thousands separator stands for: users think of the
 * no-break spaces French exports group with (U+00A0, U+202F) as "a space", and of
 * the typographic apostrophe of Swiss ones (U+2019) as "'". Any one of them per group.
 */
export const GROUPING_ALIKES: Readonly<Record<string, readonly string[]>> = { ' ': [' ', '\u00a0', '\u202f'], "'": ["'", '\u2019'] };
const groupChars = (group: string): readonly string[] => GROUPING_ALIKES[group] ?? [group];
/** A pattern matching one grouping mark (an alternation: ClickHouse's regular expressions match bytes, not characters). */
const groupPattern = (group: string): string => {
  const chars = groupChars(group);
  return chars.length === 1 ? reChar(chars[0]!) : `(?:${chars.map(reChar).join('|')})`;
};

/**
 * The number grammar (README, "Recon definitions"), as an RE2 pattern for
 * regexp_full_match: an optional sign, or an accounting negative "(…)" or "…-",
 * around digits with an optional decimal part (".5" and "5." included). With a
 * thousands separator the integer part may be grouped: a first group of one to
 * three digits, then groups of exactly three ("1,234,567"; not "1,23,4", nor "12,5",
 * which is as often 12.5 with a decimal comma); never in the decimal part. An
 * integer's decimal part is zeros only ("2.00" from a spreadsheet is 2; "1.5" is no
 * integer). No spaces inside, no hex, binary or "_", no "inf"/"nan", and an exponent
 * only in Parquet, JSON and query sources. Everything else is a reject.
 */
function numberPattern(syntax: NumberSyntax, integer: boolean): string {
  const d = reChar(syntax.decimal);
  const int = syntax.group ? `(?:[0-9]+|[0-9]{1,3}(?:${groupPattern(syntax.group)}[0-9]{3})+)` : '[0-9]+';
  const body =
    integer && !syntax.exponent
      ? `${int}(?:${d}0*)?`
      : `(?:${int}(?:${d}[0-9]*)?|${d}[0-9]+)${syntax.exponent ? '(?:[eE][+-]?[0-9]{1,3})?' : ''}`;
  return `[+-]?${body}|\\(${body}\\)|${body}-`;
}

/**
 * SQL: the text follows the number grammar. The regular expression costs about as
 * much as the cast itself; the plain form most values have ("-1234.5") is a
 * simpler pattern, tried first, and the full grammar only for the rest.
 */
function numberSql(t: string, syntax: NumberSyntax, integer: boolean, d: Dialect = DUCKDB): string {
  const plain = integer ? '-?[0-9]+' : `-?[0-9]+(?:${reChar(syntax.decimal)}[0-9]*)?`;
  return `(${d.fullMatch(t, plain)} OR ${d.fullMatch(t, numberPattern(syntax, integer))})`;
}

/**
 * SQL: the text (assumed to follow the grammar) has a digit other than 0 beyond
 * `scale` decimals, so rounding to the scale changes its value. Most values have
 * no more decimals than the scale, which two string positions tell.
 */
function beyondScaleSql(t: string, syntax: NumberSyntax, scale: number, dialect: Dialect = DUCKDB): string {
  const d = reChar(syntax.decimal);
  const sep = dialect.str(syntax.decimal);
  const at = dialect.position(t, sep);
  const plain = `(${at} > 0 AND ${dialect.byteLength(t)} - ${at} > ${scale} AND ${dialect.search(t, `${d}[0-9]{${scale}}[0-9]*[1-9]`)})`;
  if (!syntax.exponent) return plain;
  if (dialect.name !== 'duckdb') throw new Error('the exponent form is read by DuckDB only');
  return `(CASE WHEN contains(${t}, 'e') OR contains(${t}, 'E') THEN ${exponentDecimalsSql(t, syntax)} > ${scale} ELSE ${plain} END)`;
}

/** SQL: how many decimals a value in the grammar has, trailing zeros not counted (for reject reasons). */
function decimalsSql(t: string, syntax: NumberSyntax, d: Dialect = DUCKDB): string {
  const plain = `length(${d.rtrimZeros(d.firstGroup(t, `${reChar(syntax.decimal)}([0-9]+)`))})`;
  if (!syntax.exponent) return plain;
  return `(CASE WHEN contains(${t}, 'e') OR contains(${t}, 'E') THEN greatest(${exponentDecimalsSql(t, syntax)}, 0) ELSE ${plain} END)`;
}

/**
 * SQL: the decimals of "<int>.<frac>e<exp>" once written out: the significant
 * digits (int and frac, trailing zeros dropped) less the point's position.
 */
function exponentDecimalsSql(t: string, syntax: NumberSyntax): string {
  const mantissa = literal(`([0-9]*)${reChar(syntax.decimal)}?([0-9]*)[eE]`);
  const int = `regexp_extract(${t}, ${mantissa}, 1)`;
  const frac = `regexp_extract(${t}, ${mantissa}, 2)`;
  const exp = `TRY_CAST(regexp_extract(${t}, '[eE]([+-]?[0-9]+)', 1) AS INTEGER)`;
  return `(length(rtrim(${int} || ${frac}, '0')) - length(${int}) - ${exp})`;
}

/**
 * The text DuckDB's casts read: `numericText`, and where the source writes the exponent
 * form, that form in plain digits (exponent-sql.ts: DuckDB's own cast rounds it wrongly).
 */
function castText(t: string, source: SourceOptions, syntax: NumberSyntax): string {
  const n = numericText(t, source);
  return syntax.exponent ? plainExponentSql(n) : n;
}

/** Numbers as written in real extracts: grouping, decimal comma, (123.45) and 123.45- negatives. */
function numericText(t: string, source: SourceOptions, d: Dialect = DUCKDB): string {
  let n = t;
  const group = source.thousandsSeparator;
  if (group !== undefined && group !== '') for (const g of groupChars(group)) n = `replace(${n}, ${d.str(g)}, '')`;
  if (source.decimalSeparator === ',') n = `replace(${n}, ',', '.')`;
  if (n === t) {
    // Accounting negatives: "(1234.50)" and trailing-minus "1234.50-".
    return `(CASE WHEN ${t} LIKE '(%)' THEN '-' || ${d.dropEnds(t)} WHEN ${t} LIKE '%_-' THEN '-' || ${d.dropLast(t)} ELSE ${t} END)`;
  }
  return `(CASE WHEN ${t} LIKE '(%)' THEN '-' || ${d.dropEnds(`(${n})`)} WHEN ${t} LIKE '%_-' THEN '-' || ${d.dropLast(`(${n})`)} ELSE ${n} END)`;
}

/** A ClickHouse alias for an expression of the text in column `t` ("__t3" → "__t3_n"); a non-column text gets none. */
function chAlias(t: string, what: string): string | undefined {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(t) ? `${t}_${what}` : undefined;
}

/** A decimal field on ClickHouse: the same grammar, rounding and reasons as DuckDB's, cast by chDecimal. */
function chDecimalField(field: ResolvedField, source: SourceOptions, syntax: NumberSyntax, d: Dialect, clean: FieldSql['clean'], text: FieldSql['text']): FieldSql {
  const scale = field.scale;
  const reject = field.rounding === 'reject';
  const valid = (t: string): string => (reject ? `(${numberSql(t, syntax, false, d)} AND NOT ${beyondScaleSql(t, syntax, scale, d)})` : numberSql(t, syntax, false, d));
  const n = (t: string): string => `(CASE WHEN ${valid(t)} THEN ${numericText(t, source, d)} END)`;
  const range = (t: string): string => outOfRangeReason(`${valid(t)} AND ${chDecimal(n(t), scale)} IS NULL`, decimalRange(scale), d);
  const base: FieldSql = { clean, text, typed: (t) => chDecimal(n(t), scale, chAlias(t, 'n')), sqlType: `Decimal(38, ${scale})`, expected: `a decimal number${separatorNote(source)}` };
  if (!reject) return { ...base, rounded: (t) => beyondScaleSql(t, syntax, scale, d), reasons: range };
  return {
    ...base,
    reasons: (t) =>
      `WHEN ${numberSql(t, syntax, false, d)} AND ${beyondScaleSql(t, syntax, scale, d)} THEN concat('has ', toString(${decimalsSql(t, syntax, d)}), ${d.str(` decimals; the field's scale is ${scale}`)}) ${range(t)}`,
  };
}

/**
 * Why a number in the grammar did not type: it is out of the field's range. The
 * same words on both engines (a cluster run compares reject reasons cell by cell).
 * A whole number's range differs between the engines (DuckDB's HUGEINT also holds
 * most 39-digit values, the cluster's Decimal(38, 0) none, which a cluster run
 * refuses), so its reason names no bound.
 */
const WHOLE_NUMBER_RANGE = 'out of range: too many digits for a whole number';
const decimalRange = (scale: number): string =>
  `out of range for DECIMAL(38, ${scale}): more than ${38 - scale} digits before the decimal point${scale > 0 ? ` once rounded to ${scale} decimals` : ' once rounded'}`;

/** A reject reason's `WHEN … THEN …` branch: `tooLarge` tells a number in the grammar whose cast failed, which only its size can fail. */
function outOfRangeReason(tooLarge: string, reason: string, d: Dialect = DUCKDB): string {
  return `WHEN ${tooLarge} THEN ${d.str(reason)}`;
}

/** A date read with these formats can carry a time of day (a time directive; without formats, the cast's grammar can). */
function hasTimeOfDay(formats: readonly string[] | undefined): boolean {
  return formats?.some((f) => /%[HIMSfgnpXcTRrk]/.test(f)) ?? true;
}

/** What a valid date looks like, for reject reasons (the same on both engines: the cluster's rejects are compared with the local ones). */
function dateExpected(formats: readonly string[] | undefined): string {
  return `a date as ${formats ? formats.join(' or ') : 'yyyy-mm-dd'}`;
}

/** A date field on ClickHouse: a day number, and as in DuckDB a time of day other than midnight is a reject with its own reason. */
function chDateField(formats: string[] | undefined, clean: FieldSql['clean'], text: FieldSql['text']): FieldSql {
  const p = (t: string): ReturnType<typeof chParse> => chParse(t, formats);
  const timed = hasTimeOfDay(formats);
  const typed = (t: string): string => `(CASE WHEN ${p(t).valid}${timed ? ` AND ${p(t).timeOfDay} = 0` : ''} THEN toInt32(${p(t).dayNumber}) END)`;
  return {
    clean,
    text,
    typed,
    sqlType: 'Int32',
    expected: dateExpected(formats),
    ...(timed
      ? {
          reasons: (t: string) =>
            `WHEN ${p(t).valid} AND ${p(t).timeOfDay} != 0 THEN concat('has a time of day (', ${p(t).timeText}, '); the field is a date: declare it a timestamp to compare times')`,
        }
      : {}),
  };
}

function separatorNote(source: SourceOptions): string {
  const dec = source.decimalSeparator ?? '.';
  const group = source.thousandsSeparator;
  const alikes = group ? groupChars(group).slice(1) : [];
  const also = alikes.length > 0 ? ` (or ${alikes.map(codePointName).join(', ')})` : '';
  return ` with "${dec}" as decimal separator${group ? ` and "${group}"${also} grouping` : ''}`;
}
