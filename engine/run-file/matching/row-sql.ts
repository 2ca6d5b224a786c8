/**
 * A source row of a matching run as SQL over the staged views `a` / `b`: its
 * id as the file spells it, its amount and date (the rules' matching fields),
 * the text the text filter searches, and every field as text for the view.
 * Field names come from the definition, so they only reach SQL through ident.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MatchRow } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import { ident } from '../../sql/quote.ts';
import type { MatchingLayout } from './layout.ts';

export type Side = 'a' | 'b';

/** The row's id as its file spells it (the key's text, else the typed key). */
export const ID_SQL = 'coalesce(__key_text, CAST(__key AS VARCHAR))';

/** The amount field's typed value, or a NULL decimal without one. */
export function amountSql(layout: MatchingLayout): string {
  return layout.amount ? ident(layout.amount.name) : 'CAST(NULL AS DECIMAL(38, 6))';
}

/** The date field as a DATE (a timestamp's date), or a NULL date without one. */
export function dateSql(layout: MatchingLayout): string {
  if (!layout.date) return 'CAST(NULL AS DATE)';
  const x = ident(layout.date.name);
  return layout.date.type === 'timestamp' ? `CAST(${x} AS DATE)` : x;
}

/** Lower-case text of the id and every string field: what the text filter looks in. */
export function haystackSql(layout: MatchingLayout): string {
  return `lower(concat_ws(' ', ${[ID_SQL, ...layout.textFields.map((f) => `CAST(${ident(f.name)} AS VARCHAR)`)].join(', ')}))`;
}

/** The label field's text (counterparty-like), or NULL. */
export function labelSql(layout: MatchingLayout): string {
  return layout.label ? `CAST(${ident(layout.label.name)} AS VARCHAR)` : 'CAST(NULL AS VARCHAR)';
}

/**
 * Both sides' rows with what lists and filters need, as one relation
 * (side, rid, id, amount, date, label, hay); rejected rows have no values.
 */
export function rowValuesSql(layout: MatchingLayout): string {
  const side = (s: Side): string =>
    `SELECT '${s}' AS side, __rid AS rid, ${ID_SQL} AS id, ${amountSql(layout)} AS amount, ${dateSql(layout)} AS date, ${labelSql(layout)} AS label, ${haystackSql(layout)} AS hay
       FROM ${s} WHERE NOT __bad`;
  return `(${side('a')} UNION ALL ${side('b')})`;
}

/** Reads whole rows of one side by rid, every field as text: rid → row. */
export async function readRowsByRid(c: DuckDBConnection, layout: MatchingLayout, side: Side, rids: readonly number[]): Promise<Map<number, MatchRow>> {
  const out = new Map<number, MatchRow>();
  if (rids.length === 0) return out;
  const fieldCols = layout.fields.map((f, i) => `CAST(${ident(f.name)} AS VARCHAR) AS f${i}`);
  const amount = layout.amount ? `CAST(${ident(layout.amount.name)} AS VARCHAR)` : 'CAST(NULL AS VARCHAR)';
  const date = layout.date ? `CAST(${ident(layout.date.name)} AS VARCHAR)` : 'CAST(NULL AS VARCHAR)';
  const rows = await queryRows<Record<string, string | null>>(
    c,
    `SELECT __rid AS rid, ${ID_SQL} AS id, ${amount} AS amount, ${date} AS date${fieldCols.map((x) => `, ${x}`).join('')}
       FROM ${side} WHERE __rid IN (SELECT unnest(from_json($1::JSON, '["BIGINT"]')))`,
    [JSON.stringify(rids)],
  );
  for (const r of rows) {
    const fields: Record<string, string | null> = {};
    layout.fields.forEach((f, i) => (fields[f.name] = r[`f${i}`] ?? null));
    out.set(Number(r['rid']), { side, rid: Number(r['rid']), id: r['id'] ?? '', amount: r['amount'] ?? null, date: r['date'] ?? null, fields });
  }
  return out;
}
