/** breaks.facets: distinct values with counts, computed once per open run file. */
import type { CallResult } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import type { RunDb } from './run-db.ts';
import { breaksFrom, COLUMN_SQL } from './sql.ts';

type Facets = CallResult<'breaks.facets'>;

export async function readFacets(db: RunDb): Promise<Facets> {
  const cached = db.memo.get('facets') as Facets | undefined;
  if (cached !== undefined) return cached;
  const attr = db.hasAttributions;
  const facets = await db.run(async (c) => {
    // Each facet reads one table: no join for the breaks' own columns.
    const count = async (expr: string, from: string): Promise<Facets['fields']> => {
      const rows = await queryRows<{ value: string | null; n: string }>(
        c,
        `SELECT ${expr} AS value, count(*) AS n FROM ${from} GROUP BY 1 ORDER BY n DESC, value NULLS LAST`,
      );
      return rows.map((r) => ({ value: r.value, count: Number(r.n) }));
    };
    return {
      total: db.total,
      hasAttributions: attr,
      fields: await count(COLUMN_SQL.field.expr(false), breaksFrom(false)),
      diffTypes: await count(COLUMN_SQL.diffType.expr(false), breaksFrom(false)),
      reasons: attr ? withUnseen(await count(COLUMN_SQL.reason.expr(true), 'attributions t'), db.total) : [],
      statuses: attr ? withUnseen(await count(COLUMN_SQL.status.expr(true), 'attributions t'), db.total) : [],
    };
  });
  db.memo.set('facets', facets);
  return facets;
}

/** Breaks the model has not seen (no attributions row) count as no value. */
function withUnseen(facet: Facets['fields'], total: number): Facets['fields'] {
  const seen = facet.reduce((n, f) => n + f.count, 0);
  if (seen >= total) return facet;
  const none = facet.find((f) => f.value === null);
  if (none !== undefined) none.count += total - seen;
  else facet.push({ value: null, count: total - seen });
  return facet;
}
