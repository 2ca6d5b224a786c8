import { literal } from '../sql/quote.ts';
import type { Choice } from './types.ts';

/**
 * Numbers as extracts write them: a decimal point or comma, grouping, and
 * accounting negatives "(12.50)" and "12.50-" (the engine reads all three).
 * A separator followed by exactly three digits ("1,234") could be either a
 * decimal or a grouping mark, so only other values decide the convention.
 */

export interface NumberConvention {
  decimal: '.' | ',';
  /** '' when no grouping was seen. */
  thousands: '' | ',' | '.' | ' ';
}

/** One space of grouping: French exports write a no-break space (U+00A0) or a narrow one (U+202F), which the engine reads as " " (normalize/sql.ts GROUPING_ALIKES). */
export const SPACE = '[ \u00a0\u202f]';

const body = (dec: string, grp: string): string => String.raw`(\d+|\d{1,3}(${grp}\d{3})+)(${dec}\d+)?|${dec}\d+`;
const signed = (b: string): string => String.raw`[+-]?(${b})|\((${b})\)|(${b})-`;

/** Full-match regexes of a number under each convention (grouping optional). */
export const NUMBER_DOT = signed(body(String.raw`\.`, `(,|${SPACE})`));
export const NUMBER_COMMA = signed(body(',', String.raw`(\.|${SPACE})`));
export const INTEGER = String.raw`[+-]?\d+`;
/** Values no convention but this one can read. */
export const DOT_DECISIVE = String.raw`.*\.(\d{1,2}|\d{4,})\)?-?|.*\d,\d{3}.*\.\d+\)?-?`;
export const COMMA_DECISIVE = String.raw`.*,(\d{1,2}|\d{4,})\)?-?|.*\d\.\d{3}.*,\d+\)?-?`;

/** SQL: digits after the decimal separator (0 when none). */
export function fractionDigitsSql(v: string, decimal: '.' | ','): string {
  const d = decimal === '.' ? String.raw`\.` : ',';
  return `length(regexp_extract(${v}, ${literal(String.raw`${d}(\d+)\)?-?$`)}, 1))`;
}

/** SQL: digits before the decimal separator, leading zeros aside (grouping marks and signs are not digits). */
export function integerDigitsSql(v: string, decimal: '.' | ','): string {
  const before = `split_part(${v}, ${literal(decimal)}, 1)`;
  return `length(ltrim(regexp_replace(${before}, '[^0-9]', '', 'g'), '0'))`;
}

/** Digits a DECIMAL(38, s) holds in all: integer digits + scale may not exceed it. */
export const DECIMAL_DIGITS = 38;
/** Digits of the engine's 64-bit integer that any value of that many digits fits (9,223,372,036,854,775,807 has 19). */
export const INTEGER_DIGITS = 18;

/** SQL: the text a DECIMAL cast reads, like the engine's normalizer (grouping dropped, comma → point, negatives). */
export function numericSql(t: string, conv: NumberConvention): string {
  let n = t;
  if (conv.thousands === ' ') n = `regexp_replace(${n}, ${literal(SPACE)}, '', 'g')`;
  else if (conv.thousands !== '') n = `replace(${n}, ${literal(conv.thousands)}, '')`;
  if (conv.decimal === ',') n = `replace(${n}, ',', '.')`;
  return `(CASE WHEN ${t} LIKE '(%)' THEN '-' || (${n})[2:-2] WHEN ${t} LIKE '%_-' THEN '-' || (${n})[1:-2] ELSE ${n} END)`;
}

/**
 * SQL: the exact value at `scale` decimals, for comparing numbers written
 * differently on both sides. As in the engine's normalizer, the 18-digit cast
 * runs first: DuckDB casts text to DECIMAL(38) far more slowly.
 */
export function decimalValueSql(t: string, conv: NumberConvention, scale: number): string {
  const s = Math.max(0, Math.min(18, Math.trunc(scale)));
  const n = numericSql(t, conv);
  return `coalesce(TRY_CAST(${n} AS DECIMAL(18, ${s}))::DECIMAL(38, ${s}), TRY_CAST(${n} AS DECIMAL(38, ${s})))`;
}

/** Evidence for a file's convention, summed over its numeric-looking columns. */
export interface NumberEvidence {
  dotDecisive: number;
  commaDecisive: number;
  groupedComma: number;
  groupedDot: number;
  groupedSpace: number;
  /** A decimal-comma file with '.' in numbers means '.' groups thousands. */
  dotInCommaNumbers: number;
  example: { dot?: string; comma?: string };
}

/** The file's decimal and grouping separators, with why. */
export function chooseConvention(e: NumberEvidence): { decimal: Choice<'.' | ','>; thousands: Choice<NumberConvention['thousands']> } {
  let decimal: Choice<'.' | ','>;
  if (e.commaDecisive > 0 && e.dotDecisive === 0) {
    decimal = { value: ',', confidence: 0.97, reason: `${e.commaDecisive} sampled values like "${e.example.comma}" use a decimal comma; none a decimal point` };
  } else if (e.dotDecisive > 0 && e.commaDecisive === 0) {
    decimal = { value: '.', confidence: 0.97, reason: `${e.dotDecisive} sampled values like "${e.example.dot}" use a decimal point; none a decimal comma` };
  } else if (e.dotDecisive > 0) {
    const comma = e.commaDecisive > e.dotDecisive;
    decimal = {
      value: comma ? ',' : '.',
      confidence: 0.5,
      reason: `mixed: ${e.dotDecisive} values use a decimal point ("${e.example.dot}") and ${e.commaDecisive} a comma ("${e.example.comma}"); the majority wins`,
    };
  } else {
    decimal = { value: '.', confidence: 0.6, reason: 'no sampled value decides the decimal separator; "." assumed' };
  }
  let thousands: Choice<NumberConvention['thousands']> = { value: '', confidence: 0.9, reason: 'no digit grouping seen' };
  if (decimal.value === '.' && e.groupedComma > 0) thousands = { value: ',', confidence: 0.9, reason: `${e.groupedComma} values group thousands with ","` };
  if (decimal.value === ',' && (e.groupedDot > 0 || e.dotInCommaNumbers > 0)) {
    thousands = { value: '.', confidence: 0.9, reason: `${Math.max(e.groupedDot, e.dotInCommaNumbers)} values group thousands with "."` };
  }
  if (thousands.value === '' && e.groupedSpace > 0) thousands = { value: ' ', confidence: 0.8, reason: `${e.groupedSpace} values group thousands with a space` };
  return { decimal, thousands };
}
