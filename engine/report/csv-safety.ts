/**
 * CSV formula injection (OWASP "CSV Injection"): a spreadsheet reads a cell
 * that starts with =, +, -, @, tab, CR (or NUL) as a formula, so text from an
 * input file could run commands when a reviewer opens our export. Such a cell
 * is prefixed with a single quote and always quoted.
 *
 * Exemption (machine profile only): our own computed numeric columns (break
 * id, delta, confidence) are written as plain numbers when they are strictly
 * numeric (-12.50, 3, 0.97). A value of that shape cannot be a formula, and a
 * program reading the file needs the number, not "'-12.50". In the Excel
 * profile nothing is exempt: every cell a spreadsheet opens is neutralized,
 * negative deltas included (they then show as text; the XLSX export keeps them
 * as real numbers). Text from inputs is neutralized in both profiles.
 */

const TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '\u0000']);
const STRICT_NUMBER = /^-?\d+(\.\d+)?$/;

/** True when a spreadsheet could read the cell as a formula (also after leading spaces, which some importers drop). */
export function isDangerous(value: string): boolean {
  if (value.length === 0) return false;
  if (TRIGGERS.has(value[0]!)) return true;
  const t = value.trimStart();
  return t.length > 0 && t.length < value.length && TRIGGERS.has(t[0]!);
}

/** True for a number we computed, in the only shape the machine profile lets through unprefixed. */
export function isStrictNumber(value: string): boolean {
  return STRICT_NUMBER.test(value);
}

/** One CSV cell: neutralized when dangerous, quoted when it must be (RFC 4180). */
export function csvCell(value: string | null, delimiter: string, opts: { computedNumber?: boolean; exemptNumbers?: boolean } = {}): string {
  if (value === null || value === '') return '';
  if (isDangerous(value) && !(opts.computedNumber && opts.exemptNumbers && isStrictNumber(value))) {
    return `"'${value.replaceAll('"', '""')}"`;
  }
  const needsQuotes = value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r') || value !== value.trim();
  return needsQuotes ? `"${value.replaceAll('"', '""')}"` : value;
}
