import { DOMINANT_SHARE } from './profile.ts';
import type { FieldType } from '../definition/schema.ts';
import { DATE_FORMATS, dateVerdict } from './date-formats.ts';
import { DECIMAL_DIGITS, INTEGER_DIGITS, type NumberConvention } from './numbers.ts';
import type { ColumnStats } from './profile.ts';
import type { ColumnTypeReport } from './types.ts';

/**
 * A column's type on its own side: the first of boolean, date/timestamp,
 * integer, decimal that fits every sampled value (NULL-like tokens aside),
 * else string. Leading zeros keep a digit column a string: typing it would
 * turn "00123" into 123.
 */
export interface TypedColumn extends ColumnStats {
  type: FieldType | 'empty';
  /** Date/timestamp: the strptime format (null = ISO). */
  format?: string | null;
  ambiguous?: [string, string];
  scale?: number;
  /** Most digits before the decimal separator among the values (numbers only; 0 otherwise). */
  intDigits: number;
  /**
   * Digits only, some with leading zeros ("00123"), kept as text on its own side;
   * `alignPaddedDigits` (padded-digits.ts) types it integer when the other file writes the same numbers unpadded.
   */
  paddedDigits?: boolean;
  /** Tokens to read as no value, when they were what kept the column from its type. */
  usedNullTokens: string[];
  report: ColumnTypeReport;
}

const DATE_NAME = /(date|dt|day|time|ts)$/i;
/** Distinct eight-digit values, all valid yyyymmdd dates, that make a date column whatever its name. */
const EIGHT_DIGIT_DATES = 20;

/** Types one column under the file's number convention. */
export function typeColumn(s: ColumnStats, conv: NumberConvention): TypedColumn {
  const values = s.n - s.nullTokenCount;
  const intDigits = conv.decimal === '.' ? s.intDigitsDot : s.intDigitsComma;
  const base = { ...s, intDigits, usedNullTokens: [] as string[] };
  const typed = (type: FieldType, confidence: number, reason: string, extra: Partial<TypedColumn> = {}): TypedColumn => {
    const usedNullTokens = s.nullTokenCount > 0 ? s.nullTokens : [];
    const note = usedNullTokens.length > 0 ? `; ${usedNullTokens.map((t) => `"${t}"`).join(', ')} read as no value` : '';
    return {
      ...base,
      ...extra,
      type,
      usedNullTokens,
      report: { column: s.name, type, confidence, reason: reason + note, ...pick(extra) },
    };
  };
  if (values === 0) {
    return { ...base, type: 'empty', report: { column: s.name, type: 'empty', confidence: 1, reason: 'no value in the sample' } };
  }
  const all = (k: number): boolean => k === values;
  const of = `all ${values.toLocaleString('en-US')} sampled values`;

  if (all(s.bool) && !all(s.int)) return typed('boolean', 0.95, `${of} are yes/no words`);

  const verdict = dateVerdict(s.dateFits, values);
  const eightDigits = verdict.kind === 'date' && verdict.format === '%Y%m%d';
  if (verdict.kind === 'ambiguous') {
    const [f1, f2] = verdict.formats;
    return typed(verdict.valueKind, 0, `${of} fit both ${f1} and ${f2}: no day is above 12, so day and month cannot be told apart`, {
      ambiguous: verdict.formats,
    });
  }
  // Eight digits that are valid yyyymmdd dates: by the name, or by many distinct values (whole numbers rarely all are dates).
  if ((verdict.kind === 'date' || verdict.kind === 'timestamp') && (!eightDigits || DATE_NAME.test(s.name) || s.distinct >= EIGHT_DIGIT_DATES)) {
    const fmt = verdict.format ?? (verdict.kind === 'date' ? 'ISO yyyy-mm-dd' : 'ISO timestamps');
    return typed(verdict.kind, 0.99, `${of} parse as ${fmt}`, { format: verdict.format });
  }

  if (all(s.int)) {
    if (s.leadingZero > 0) {
      const extra = intDigits <= INTEGER_DIGITS ? { paddedDigits: true } : {};
      return typed('string', 0.85, `digits only, but ${s.leadingZero} values have leading zeros: an identifier, kept as text`, extra);
    }
    if (intDigits > INTEGER_DIGITS) return wholeTooLong(typed, of, intDigits);
    return typed('integer', 0.97, `${of} are whole numbers`);
  }
  const numeric = conv.decimal === '.' ? s.dot : s.comma;
  if (all(numeric)) {
    const most = Math.min(18, conv.decimal === '.' ? s.fracDot : s.fracComma);
    // The values' usual precision, not a few outliers': those are rounded to it at run time and counted in the warnings.
    const scale = Math.min(most, conv.decimal === '.' ? s.fracDotDominant : s.fracCommaDominant);
    if (most === 0) return intDigits > INTEGER_DIGITS ? wholeTooLong(typed, of, intDigits) : typed('integer', 0.9, `${of} are whole numbers written with grouping`);
    if (intDigits >= DECIMAL_DIGITS) {
      return typed('string', 0.6, `${of} are numbers, but some have ${intDigits} digits before the decimal separator: more than a ${DECIMAL_DIGITS}-digit decimal holds; compared as text`);
    }
    // A DECIMAL(38, s) holds 38 digits in all: the largest values' integer digits leave the scale what remains.
    const room = DECIMAL_DIGITS - intDigits;
    if (scale > room) {
      return typed(
        'decimal',
        0.8,
        `${of} are numbers with "${conv.decimal}" decimals; up to ${scale} decimal places, but values of ${intDigits} integer digits leave room for ${room} in a ${DECIMAL_DIGITS}-digit decimal: scale ${room} (the extra places are rounded at run time)`,
        { scale: room },
      );
    }
    if (scale < most) {
      return typed(
        'decimal',
        0.9,
        `${of} are numbers with "${conv.decimal}" decimals; ${DOMINANT_SHARE * 100}% or more have at most ${scale} decimal places, a few up to ${most} (outliers: rounded to ${scale} at run time and counted in the run's warnings)`,
        { scale },
      );
    }
    return typed('decimal', 0.97, `${of} are numbers with "${conv.decimal}" decimals; up to ${scale} decimal places`, { scale });
  }
  const best = Math.max(s.int, numeric, ...s.dateFits);
  const share = best / values;
  const why =
    share >= 0.9 && best > 0
      ? `text: ${Math.round(share * 1000) / 10}% of values look ${best === numeric ? 'numeric' : best === s.int ? 'whole' : 'like dates'}, but not all`
      : 'text';
  return typed('string', share >= 0.9 ? 0.7 : 0.95, why);
}

/** A whole-number column whose values have more digits than a 64-bit integer holds: a decimal of scale 0, or text beyond 38 digits. */
function wholeTooLong(typed: (type: FieldType, confidence: number, reason: string, extra?: Partial<TypedColumn>) => TypedColumn, of: string, digits: number): TypedColumn {
  if (digits >= DECIMAL_DIGITS) return typed('string', 0.6, `${of} are whole numbers, but some have ${digits} digits: more than a ${DECIMAL_DIGITS}-digit decimal holds; compared as text`);
  return typed('decimal', 0.9, `${of} are whole numbers, some of ${digits} digits: more than a 64-bit integer holds, so a decimal of scale 0`, { scale: 0 });
}

function pick(extra: Partial<TypedColumn>): Partial<ColumnTypeReport> {
  const out: Partial<ColumnTypeReport> = {};
  if (extra.format !== undefined) out.format = extra.format;
  if (extra.ambiguous !== undefined) out.ambiguousDate = extra.ambiguous;
  if (extra.scale !== undefined) out.scale = extra.scale;
  return out;
}

/** A comparable kind: values of two columns are compared typed only within one kind. */
export type Kind = 'num' | 'date' | 'ts' | 'bool' | 'text';

/** The kind a column's values are compared as. */
export function kindOf(c: TypedColumn): Kind {
  switch (c.type) {
    case 'integer':
    case 'decimal':
      return 'num';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'ts';
    case 'boolean':
      return 'bool';
    default:
      return 'text';
  }
}

/** The spec of the date format a column was typed with (for SQL). */
export function dateSpecOf(c: TypedColumn): { format: string | null; kind: 'date' | 'timestamp' } {
  const format = c.ambiguous ? c.ambiguous[0] : (c.format ?? null);
  const spec = DATE_FORMATS.find((f) => f.format === format && f.kind === c.type);
  return { format, kind: spec?.kind ?? (c.type === 'timestamp' ? 'timestamp' : 'date') };
}
