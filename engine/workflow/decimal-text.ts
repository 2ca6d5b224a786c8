/**
 * Exact arithmetic on decimal text ("-1250.00"), for the few sums and
 * comparisons the workflow makes on amounts read from a run file: a manual
 * match's sums per side and whether they pass the approval threshold. Floats
 * would round (0.1 + 0.2) and could move an amount across the threshold.
 */
import { ReconError } from '../errors/recon-error.ts';

const DECIMAL = /^([-+]?)(\d+)(?:\.(\d+))?$/;

/** A decimal as an integer count of 10^-scale units. */
interface Scaled {
  units: bigint;
  scale: number;
}

function parse(text: string): Scaled {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new ReconError('INVALID_ARGUMENT', `"${text}" is not a decimal number`, { value: text });
  const frac = m[3] ?? '';
  const units = BigInt(`${m[2]}${frac}`);
  return { units: m[1] === '-' ? -units : units, scale: frac.length };
}

const rescale = (x: Scaled, scale: number): bigint => x.units * 10n ** BigInt(scale - x.scale);

function format(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${whole}` : whole;
}

/** The exact sum, in the widest scale of its terms; null for no terms. */
export function sumDecimals(values: readonly string[]): string | null {
  if (values.length === 0) return null;
  const parsed = values.map(parse);
  const scale = Math.max(...parsed.map((p) => p.scale));
  return format(
    parsed.reduce((acc, p) => acc + rescale(p, scale), 0n),
    scale,
  );
}

/** a − b exactly, in the wider scale. */
export function subtractDecimals(a: string, b: string): string {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  return format(rescale(x, scale) - rescale(y, scale), scale);
}

/** −1, 0 or 1 as a < b, a = b, a > b, exactly. */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  const d = rescale(x, scale) - rescale(y, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** |a| as text. */
export function absDecimal(a: string): string {
  const t = a.trim();
  return t.startsWith('-') || t.startsWith('+') ? t.slice(1) : t;
}

/** Whether the larger of |a| and |b| is strictly above `limit` (nulls count as 0). */
export function largerAbsAbove(a: string | null, b: string | null, limit: string): boolean {
  return [a, b].some((x) => x !== null && compareDecimals(absDecimal(x), limit) > 0);
}
