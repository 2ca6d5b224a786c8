/**
 * The matching view's filter (contract matchFilterSchema) as a parameterized
 * WHERE condition over the "now" tables (now.ts), which share the columns it
 * reads: rule, match_type, amount_abs (the absolute amount: a group's larger
 * absolute sum, a row's absolute amount), date and hay (lower-case id and
 * string fields). Every value is a parameter.
 */
import type { MatchFilter } from '../../contract/index.ts';
import type { Params } from '../grid/sql.ts';

export function matchFilterSql(filter: MatchFilter, params: Params): string {
  const parts: string[] = [];
  if (filter.rule !== undefined) parts.push(`rule = ${params.add(filter.rule)}`);
  if (filter.matchType !== undefined) parts.push(`match_type = ${params.add(filter.matchType)}`);
  if (filter.amountMin !== undefined) parts.push(`amount_abs >= CAST(${params.add(filter.amountMin)} AS DECIMAL(38, 6))`);
  if (filter.amountMax !== undefined) parts.push(`amount_abs <= CAST(${params.add(filter.amountMax)} AS DECIMAL(38, 6))`);
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
