/**
 * breaks.facets: distinct values with counts. The model's counts are computed
 * once per open run file; decided statuses (the overlay) then move their few
 * breaks from the model's status and reason to the decided ones, so a facet
 * never rescans a million breaks because one was accepted.
 *
 * With the grid's filters (facet picks, column filters, quick filter), each
 * facet counts the breaks that pass every filter except the one on its own
 * column (facets-filtered.ts), so a facet's other values stay pickable.
 */
import type { CallResult, ParsedArgs } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import { recordFields } from './context.ts';
import { filteredFacets } from './facets-filtered.ts';
import type { RunFile } from '../run-file.ts';
import { COLUMN_SQL } from './sql.ts';
import { GRID_MEMORY, RUN_TABLES, STATUS_OVERLAY } from '../schema.ts';

type Facets = CallResult<'breaks.facets'>;
type Facet = Facets['fields'];
type Counts = Omit<Facets, 'recordFields'>;

export async function readFacets(db: RunFile, args: Omit<ParsedArgs<'breaks.facets'>, 'runId'> = { filterModel: {}, context: [] }): Promise<Facets> {
  const fields = await recordFields(db);
  const quick = args.quickFilter?.trim() ?? '';
  if (Object.keys(args.filterModel).length > 0 || quick !== '') return { ...(await filteredFacets(db, args)), recordFields: fields };
  return { ...(await unfilteredFacets(db)), recordFields: fields };
}

async function unfilteredFacets(db: RunFile): Promise<Counts> {
  const base = await modelFacets(db);
  if (db.overlaySize === 0) return base;
  const cached = db.memo.get('overlay:facets') as Counts | undefined;
  if (cached !== undefined) return cached;
  const attr = db.hasAttributions;
  const moves = await db.run((c) =>
    queryRows<{ model_status: string | null; status: string; model_reason: string | null; reason: string | null; n: string }>(
      c,
      attr
        ? `SELECT t.status AS model_status, d.status, t.reason AS model_reason, coalesce(d.reason, t.reason) AS reason, count(*) AS n
             FROM ${STATUS_OVERLAY} d LEFT JOIN ${RUN_TABLES.attributions} t ON t.break_id = d.break_id GROUP BY ALL`
        : `SELECT NULL AS model_status, d.status, NULL AS model_reason, d.reason, count(*) AS n FROM ${STATUS_OVERLAY} d GROUP BY ALL`,
    ),
  );
  // Without attributions the model's facets are empty: every break starts with no status and no reason.
  const start = (f: Facet): Facet => (f.length > 0 ? f : [{ value: null, count: db.total }]);
  const statuses = new Map(start(base.statuses).map((f) => [f.value, f.count]));
  const reasons = new Map(start(base.reasons).map((f) => [f.value, f.count]));
  const move = (m: Map<string | null, number>, from: string | null, to: string | null, n: number): void => {
    m.set(from, (m.get(from) ?? 0) - n);
    m.set(to, (m.get(to) ?? 0) + n);
  };
  for (const r of moves) {
    move(statuses, r.model_status, r.status, Number(r.n));
    move(reasons, r.model_reason, r.reason, Number(r.n));
  }
  const facets = { ...base, statuses: toFacet(statuses), reasons: toFacet(reasons) };
  db.memo.set('overlay:facets', facets);
  return facets;
}

function toFacet(m: Map<string | null, number>): Facet {
  return [...m]
    .filter(([, n]) => n > 0)
    .map(([value, count]) => ({ value, count }))
    .sort((x, y) => y.count - x.count || (x.value ?? '\uffff').localeCompare(y.value ?? '\uffff'));
}

/** The run file's own counts: fields, diff types, and the model's reasons and statuses. */
async function modelFacets(db: RunFile): Promise<Counts> {
  const cached = db.memo.get('facets') as Counts | undefined;
  if (cached !== undefined) return cached;
  const attr = db.hasAttributions;
  const facets = await db.run(async (c) => {
    // Each facet reads one table: no join for the breaks' own columns.
    const count = async (expr: string, from: string): Promise<Facet> => {
      const rows = await queryRows<{ value: string | null; n: string }>(
        c,
        `SELECT ${expr} AS value, count(*) AS n FROM ${from} GROUP BY 1 ORDER BY n DESC, value NULLS LAST`,
      );
      return rows.map((r) => ({ value: r.value, count: Number(r.n) }));
    };
    const plain = 'breaks b';
    return {
      total: db.total,
      hasAttributions: attr,
      fields: await count(COLUMN_SQL.field.expr(false), plain),
      diffTypes: await count(COLUMN_SQL.diffType.expr(false), plain),
      reasons: attr ? withUnseen(await count('t.reason', `${RUN_TABLES.attributions} t`), db.total) : [],
      statuses: attr ? withUnseen(await count('t.status', `${RUN_TABLES.attributions} t`), db.total) : [],
      // Break memory does not move with decisions: counted once.
      lifecycles: db.hasMemory ? withUnseen(await count('m.lifecycle', `${GRID_MEMORY} m`), db.total) : [],
      hasMemory: db.hasMemory,
    };
  });
  db.memo.set('facets', facets);
  return facets;
}

/** Breaks the model has not seen (no attributions row) count as no value. */
function withUnseen(facet: Facet, total: number): Facet {
  const seen = facet.reduce((n, f) => n + f.count, 0);
  if (seen >= total) return facet;
  const none = facet.find((f) => f.value === null);
  if (none !== undefined) none.count += total - seen;
  else facet.push({ value: null, count: total - seen });
  return facet;
}
