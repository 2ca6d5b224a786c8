import { ReconError } from '../errors/recon-error.ts';

// Apart from as-of.ts so a host can check `--as-of` without loading DuckDB.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `--as-of`: a calendar date written YYYY-MM-DD. */
export function parseAsOf(text: string): string {
  const d = new Date(`${text}T00:00:00Z`);
  if (!ISO_DATE.test(text) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) {
    throw new ReconError('INVALID_ARGUMENT', `--as-of: expected a date written YYYY-MM-DD, got "${text.slice(0, 40)}"`);
  }
  return text;
}

/** The run date in local time: what "today" means to the person running the recon. */
export function localDate(at: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}
