/**
 * Guesses from a preview's sample values: each column's type and decimal
 * scale, a side's decimal separator and date format, and value maps
 * between sides (B's "B"/"S" for A's "BUY"/"SELL").
 */
import type { FieldType } from '../../../../engine/contract/index.ts';

const present = (values: readonly (string | null)[]): string[] => values.map((v) => (v ?? '').trim()).filter((v) => v !== '');

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DMY_DATE = /^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$/;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL_DOT = /^[+-]?\d*\.\d+$/;
const DECIMAL_COMMA = /^[+-]?\d*,\d+$/;

/** The type a column's sample values suggest. Identifiers with leading zeros stay text. */
export function inferType(values: readonly (string | null)[]): FieldType {
  const v = present(values);
  if (v.length === 0) return 'string';
  if (v.every((x) => ISO_DATE.test(x) || DMY_DATE.test(x))) return 'date';
  if (v.every((x) => INTEGER.test(x)) && !v.some((x) => /^[+-]?0\d/.test(x))) return 'integer';
  if (v.every((x) => INTEGER.test(x) || DECIMAL_DOT.test(x) || DECIMAL_COMMA.test(x)) && v.some((x) => !INTEGER.test(x))) return 'decimal';
  if (v.every((x) => /^(true|false)$/i.test(x))) return 'boolean';
  return 'string';
}

/** Decimal places a column's values use (at least 2, at most 18). */
export function inferScale(values: readonly (string | null)[]): number {
  let scale = 2;
  for (const x of present(values)) {
    const m = /[.,](\d+)$/.exec(x);
    if (m?.[1]) scale = Math.max(scale, m[1].length);
  }
  return Math.min(18, scale);
}

/** A side's decimal separator and date format, from all its columns. */
export function inferSourceOptions(columns: readonly (string | null)[][]): { decimalSeparator: '.' | ','; dateFormat: string } {
  const all = columns.flatMap((c) => present(c));
  const comma = all.some((x) => DECIMAL_COMMA.test(x)) && !all.some((x) => DECIMAL_DOT.test(x));
  const dmy = all.filter((x) => DMY_DATE.test(x));
  let dateFormat = '';
  if (dmy.length > 0) {
    const sep = /[/.-]/.exec(dmy[0]!)?.[0] ?? '/';
    const parts = dmy.map((x) => x.split(/[/.-]/).map(Number));
    const monthFirst = parts.some((p) => (p[1] ?? 0) > 12) && !parts.some((p) => (p[0] ?? 0) > 12);
    dateFormat = monthFirst ? `%m${sep}%d${sep}%Y` : `%d${sep}%m${sep}%Y`;
  }
  return { decimalSeparator: comma ? ',' : '.', dateFormat };
}

/**
 * A value map for B when its values are codes of A's (each B value the
 * unique A value it starts, case-insensitively), e.g. {B: BUY, S: SELL}.
 */
export function suggestValueMap(aValues: readonly (string | null)[], bValues: readonly (string | null)[]): Record<string, string> | null {
  const as = [...new Set(present(aValues))];
  const bs = [...new Set(present(bValues))];
  if (as.length === 0 || bs.length === 0 || as.length > 12 || bs.length > 12) return null;
  if (bs.every((b) => as.includes(b))) return null;
  const map: Record<string, string> = {};
  for (const b of bs) {
    const hits = as.filter((a) => a.toLowerCase().startsWith(b.toLowerCase()));
    if (hits.length !== 1) return null;
    map[b] = hits[0]!;
  }
  return map;
}

/**
 * Short letter codes (currencies, sides, country codes) are compared
 * case-insensitively by default: one system's "usd" is the other's "USD".
 */
export function suggestCase(aValues: readonly (string | null)[], bValues: readonly (string | null)[]): 'upper' | 'none' {
  const all = [...present(aValues), ...present(bValues)];
  return all.length > 0 && all.every((v) => /^[A-Za-z]{1,4}$/.test(v)) ? 'upper' : 'none';
}
