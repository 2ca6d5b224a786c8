import type { SourceOptions } from '../definition/schema.ts';
import type { ResolvedField } from '../definition/resolve.ts';
import { missingCase } from '../errors/recon-error.ts';
import { literal, literalList } from '../sql/quote.ts';
import { adjustSql, type AdjustSql } from './adjust-sql.ts';

/**
 * SQL that turns a raw VARCHAR column into the field's typed, normalized value,
 * in layers so each expression refers to the previous layer's column
 * instead of repeating it:
 *   1. clean:  trim, and empty/null markers → NULL
 *   2. text:   value map, case folding
 *   3. typed:  the cast (decimal separator, grouping, accounting negatives, date formats)
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
  narrow?: { sqlType: string; typed(text: string): string };
}

export function fieldSql(field: ResolvedField, side: 'a' | 'b', source: SourceOptions): FieldSql {
  const base = castSql(field, side, source);
  const adjust = adjustSql(field.type, field.scale, side === 'a' ? field.adjustA : field.adjustB, `adjust.${side}`);
  return adjust ? { ...base, adjust } : base;
}

/** Layers 1–3: clean, text and the cast. */
function castSql(field: ResolvedField, side: 'a' | 'b', source: SourceOptions): FieldSql {
  const nulls = source.nullValues ?? [];
  const clean = (column: string): string => {
    // Spaces and tabs. Plain trim (spaces only) is twice as fast as trimming a
    // character set in DuckDB, so the set is used only for the rare value with a tab.
    const trim = `(CASE WHEN contains(${column}, chr(9)) THEN trim(${column}, ' \t') ELSE trim(${column}) END)`;
    // Most values need no trimming at all, and telling so is cheaper than trimming
    // (~0.25 s of CPU per side and million rows of 11 fields): no space at either end, no
    // tab, and plain ASCII (trim() also strips Unicode spaces such as U+00A0, and a
    // string is ASCII when its byte length equals its character count).
    const trimmed = field.trim
      ? `(CASE WHEN ${column} LIKE ' %' OR ${column} LIKE '% ' OR contains(${column}, chr(9)) OR strlen(${column}) <> length(${column}) THEN ${trim} ELSE ${column} END)`
      : column;
    const base = `nullif(${trimmed}, '')`;
    return nulls.length === 0 ? base : `(CASE WHEN ${trimmed} IN (${nulls.map(literal).join(', ')}) THEN NULL ELSE ${base} END)`;
  };
  const map = side === 'a' ? field.mapA : field.mapB;
  const text = (c: string): string => {
    let t = c;
    if (map && Object.keys(map).length > 0) {
      const whens = Object.entries(map)
        .map(([from, to]) => `WHEN ${literal(from)} THEN ${literal(to)}`)
        .join(' ');
      t = `(CASE ${c} ${whens} ELSE ${c} END)`;
    }
    if (field.type === 'string' && field.case === 'upper') t = `upper(${t})`;
    if (field.type === 'string' && field.case === 'lower') t = `lower(${t})`;
    return t;
  };

  const formats = side === 'a' ? field.dateFormatA : field.dateFormatB;
  switch (field.type) {
    case 'string':
      return { clean, text, typed: (t) => t, sqlType: 'VARCHAR', expected: 'text' };
    case 'integer':
      return {
        clean,
        text,
        typed: (t) => `TRY_CAST(${numericText(t, source)} AS HUGEINT)`,
        sqlType: 'HUGEINT',
        expected: `a whole number${separatorNote(source)}`,
        narrow: { sqlType: 'BIGINT', typed: (t) => `TRY_CAST(${numericText(t, source)} AS BIGINT)` },
      };
    case 'decimal': {
      const sqlType = `DECIMAL(38, ${field.scale})`;
      // Casting text to an 18-digit decimal is ~70x faster than to a 38-digit one
      // in DuckDB 1.5; the wide cast only runs for values the narrow one cannot hold.
      const typed = (t: string): string => {
        const n = numericText(t, source);
        return `coalesce(TRY_CAST(${n} AS DECIMAL(18, ${field.scale}))::${sqlType}, TRY_CAST(${n} AS ${sqlType}))`;
      };
      const narrowType = `DECIMAL(18, ${field.scale})`;
      const narrow = { sqlType: narrowType, typed: (t: string): string => `TRY_CAST(${numericText(t, source)} AS ${narrowType})` };
      return { clean, text, typed, sqlType, expected: `a decimal number${separatorNote(source)}`, narrow };
    }
    case 'date':
      return {
        clean,
        text,
        typed: (t) =>
          formats
            ? `TRY_STRPTIME(${t}, ${literalList(formats)})::DATE`
            : `coalesce(TRY_CAST(${t} AS DATE), TRY_CAST(TRY_CAST(${t} AS TIMESTAMP) AS DATE))`,
        sqlType: 'DATE',
        expected: `a date as ${formats ? formats.join(' or ') : 'yyyy-mm-dd'}`,
      };
    case 'timestamp':
      return {
        clean,
        text,
        typed: (t) => (formats ? `TRY_STRPTIME(${t}, ${literalList(formats)})` : `TRY_CAST(${t} AS TIMESTAMP)`),
        sqlType: 'TIMESTAMP',
        expected: `a timestamp as ${formats ? formats.join(' or ') : 'yyyy-mm-dd hh:mm:ss'}`,
      };
    case 'boolean':
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

/** Numbers as written in real extracts: grouping, decimal comma, (123.45) and 123.45- negatives. */
function numericText(t: string, source: SourceOptions): string {
  let n = t;
  const group = source.thousandsSeparator;
  if (group !== undefined && group !== '') n = `replace(${n}, ${literal(group)}, '')`;
  if (source.decimalSeparator === ',') n = `replace(${n}, ',', '.')`;
  if (n === t) {
    // Accounting negatives: "(1234.50)" and trailing-minus "1234.50-".
    return `(CASE WHEN ${t} LIKE '(%)' THEN '-' || ${t}[2:-2] WHEN ${t} LIKE '%_-' THEN '-' || ${t}[1:-2] ELSE ${t} END)`;
  }
  return `(CASE WHEN ${t} LIKE '(%)' THEN '-' || (${n})[2:-2] WHEN ${t} LIKE '%_-' THEN '-' || (${n})[1:-2] ELSE ${n} END)`;
}

function separatorNote(source: SourceOptions): string {
  const dec = source.decimalSeparator ?? '.';
  const group = source.thousandsSeparator;
  return ` with "${dec}" as decimal separator${group ? ` and "${group}" grouping` : ''}`;
}
