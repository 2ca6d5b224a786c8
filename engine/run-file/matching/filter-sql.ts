/**
 * The matching view's filter (contract matchFilterSchema) as a parameterized
 * WHERE condition over the "now" tables (now.ts), which share the columns it
 * reads: rule, match_type, amount_abs (the absolute amount: a group's larger
 * absolute sum, a row's absolute amount), date and hay (lower-case id and
 * string fields). Every value is a parameter.
 */
import type { MatchFilter } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import type { Params } from '../grid/sql.ts';

/** The DECIMAL the amount filters compare as: at most 32 digits before the point. */
const AMOUNT_SQL_TYPE = 'DECIMAL(38, 6)';
const AMOUNT_INTEGER_DIGITS = 38 - 6;

/**
 * An amount filter's decimal text (the contract's digits[.digits]) as a parameter. One with more digits
 * before the point than the DECIMAL holds would fail the cast inside DuckDB: it is refused as the caller's
 * input. Leading zeros do not count; further decimals are rounded by the cast, as before.
 */
function amountParam(name: 'amountMin' | 'amountMax', text: string, params: Params): string {
  const whole = (text.split('.')[0] ?? '').replace(/^0+/, '');
  if (whole.length > AMOUNT_INTEGER_DIGITS) {
    throw new ReconError('INVALID_ARGUMENT', `${name}: an amount of at most ${AMOUNT_INTEGER_DIGITS} digits before the point (this one has ${whole.length})`, { filter: name });
  }
  return `CAST(${params.add(text)} AS ${AMOUNT_SQL_TYPE})`;
}

export function matchFilterSql(filter: MatchFilter, params: Params): string {
  const parts: string[] = [];
  if (filter.rule !== undefined) parts.push(`rule = ${params.add(filter.rule)}`);
  if (filter.matchType !== undefined) parts.push(`match_type = ${params.add(filter.matchType)}`);
  if (filter.amountMin !== undefined) parts.push(`amount_abs >= ${amountParam('amountMin', filter.amountMin, params)}`);
  if (filter.amountMax !== undefined) parts.push(`amount_abs <= ${amountParam('amountMax', filter.amountMax, params)}`);
  if (filter.dateFrom !== undefined) parts.push(`date >= CAST(${params.add(filter.dateFrom)} AS DATE)`);
  if (filter.dateTo !== undefined) parts.push(`date <= CAST(${params.add(filter.dateTo)} AS DATE)`);
  const text = filter.text?.trim() ?? '';
  if (text !== '') parts.push(`contains(hay, ${params.add(text.toLowerCase())})`);
  return parts.length === 0 ? 'true' : parts.map((p) => `(${p})`).join(' AND ');
}

/** "100 OFFSET 200": the contract bounds both to whole numbers, written inline as such. */
export function pageBounds(page: { offset: number; limit: number }): string {
  return `${Math.max(1, Math.trunc(page.limit))} OFFSET ${Math.max(0, Math.trunc(page.offset))}`;
}
