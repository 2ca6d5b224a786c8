import type { DuckDBConnection } from '@duckdb/node-api';
import type { ResolvedDefinition } from '../definition/resolve.ts';
import { queryRows } from '../duckdb/open.ts';
import { localDate, parseAsOf } from './as-of-date.ts';
import { ident } from '../sql/quote.ts';

/** A run's as-of date (ISO) and where it came from; breaks age in days by it. */
export interface AsOf {
  date: string;
  source: 'option' | 'field' | 'run date';
  /** Said in the run's warnings: the as-of field held more than one date. */
  warning?: string;
}


/**
 * The option wins; else the definition's as-of field, by its most common
 * value among A's staged rows (B's when A has none); else the run date.
 */
export async function resolveAsOf(conn: DuckDBConnection, resolved: ResolvedDefinition, option: string | undefined, startedAt: Date): Promise<AsOf> {
  if (option !== undefined) return { date: parseAsOf(option), source: 'option' };
  const field = resolved.asOfField;
  if (field) {
    for (const side of ['a', 'b'] as const) {
      const rows = await queryRows<{ d: string; n: string }>(
        conn,
        `SELECT CAST(${ident(field.name)} AS VARCHAR) AS d, count(*) AS n FROM ${side}
          WHERE NOT __bad AND ${ident(field.name)} IS NOT NULL GROUP BY 1 ORDER BY n DESC, d DESC LIMIT 3`,
      );
      const top = rows[0];
      if (!top) continue;
      const others = rows.length > 1 ? `; other dates too (${rows.slice(1).map((r) => `${r.d} on ${r.n} rows`).join(', ')}${rows.length > 2 ? ', …' : ''})` : '';
      return {
        date: top.d,
        source: 'field',
        ...(others ? { warning: `as-of field ${field.name}: ${top.d} on ${top.n} rows taken as the run's as-of date${others}` } : {}),
      };
    }
  }
  return { date: localDate(startedAt), source: 'run date' };
}
