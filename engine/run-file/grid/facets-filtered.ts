/**
 * Facet counts under the grid's filters. Each facet counts the breaks that
 * pass every filter except the one on its own column: with Field = Notional
 * picked, the Field facet still shows every field (with the counts the other
 * filters leave), while Reason and Status count Notional breaks only. Facets
 * that ignore the same filters share one scan (GROUPING SETS). The answer is
 * kept per filter signature until the decided statuses change.
 */
import type { CallResult, FilterModel, GridColumn, ParsedArgs } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import { ContextSql } from './context.ts';
import { whereSql } from './filter-sql.ts';
import type { RunFile } from '../run-file.ts';
import { ATTRIBUTION_COLUMNS, breaksFrom, COLUMN_SQL, memoryJoins, needsMemory, Params } from './sql.ts';

type Facets = CallResult<'breaks.facets'>;
type Counts = Omit<Facets, 'recordFields'>;
type Facet = Facets['fields'];

const FACET_COLUMNS = [
  ['fields', 'field'],
  ['diffTypes', 'diffType'],
  ['reasons', 'reason'],
  ['statuses', 'status'],
  ['lifecycles', 'lifecycle'],
] as const;
type FacetKey = (typeof FACET_COLUMNS)[number][0];

/** Filtered answers kept per run (the grid asks again for the same filters when it comes back). */
const KEEP = 8;

export async function filteredFacets(db: RunFile, args: Omit<ParsedArgs<'breaks.facets'>, 'runId'>): Promise<Counts> {
  const quick = args.quickFilter?.trim() ?? '';
  const signature = `overlay:facets:${JSON.stringify([Object.entries(args.filterModel).sort(([x], [y]) => (x < y ? -1 : 1)), quick, quick === '' ? [] : args.context])}`;
  const cached = db.memo.get(signature) as Counts | undefined;
  if (cached !== undefined) return cached;

  const attr = db.hasAttributions;
  // Without attributions and decisions every break has no reason and no status: those facets are empty, as unfiltered.
  const facets = FACET_COLUMNS.filter(([key]) => (attr || db.overlaySize > 0 || (key !== 'reasons' && key !== 'statuses')) && (db.hasMemory || key !== 'lifecycles'));
  // Facets whose own column is not filtered see the same filters: one query for them all.
  const groups = new Map<string, { model: FilterModel; members: (typeof FACET_COLUMNS)[number][] }>();
  for (const facet of facets) {
    const model: FilterModel = { ...args.filterModel };
    delete model[facet[1]];
    const key = JSON.stringify(Object.keys(model).sort());
    const g = groups.get(key) ?? { model, members: [] };
    g.members.push(facet);
    groups.set(key, g);
  }
  const ctxs = new Map<string, ContextSql>();
  for (const [key, g] of groups) ctxs.set(key, await ContextSql.of(db, [...Object.keys(g.model), ...args.context]));

  const counts = await db.run(async (c) => {
    const out: Partial<Record<FacetKey, Facet>> = {};
    for (const [key, g] of groups) {
      const ctx = ctxs.get(key)!;
      const cols = Object.keys(g.model) as GridColumn[];
      const join = attr && (g.members.some(([, col]) => ATTRIBUTION_COLUMNS.has(col)) || cols.some((col) => ATTRIBUTION_COLUMNS.has(col as never)));
      const memory = needsMemory([...g.members.map(([, col]) => col), ...cols]) ? memoryJoins(join) : '';
      const params = new Params();
      const where = whereSql(g.model, quick, join, params, ctx, args.context);
      const select = g.members.map(([, col], i) => `CAST(${COLUMN_SQL[col].expr(join)} AS VARCHAR) AS f${i}`).join(', ');
      const sets = g.members.map((_, i) => `(f${i})`).join(', ');
      const grouping = g.members.map((_, i) => `grouping(f${i}) AS g${i}`).join(', ');
      const rows = await queryRows<Record<string, string | number | null>>(
        c,
        `SELECT ${g.members.map((_, i) => `f${i}`).join(', ')}, ${grouping}, count(*) AS n
           FROM (SELECT ${select} FROM ${breaksFrom(join)} ${memory} ${ctx.joins()} ${where === '' ? '' : `WHERE ${where}`})
          GROUP BY GROUPING SETS (${sets})`,
        params.values as never,
      );
      g.members.forEach(([facetKey], i) => {
        const m = new Map<string | null, number>();
        for (const r of rows) if (Number(r[`g${i}`]) === 0) m.set(r[`f${i}`] === null ? null : String(r[`f${i}`]), Number(r['n']));
        out[facetKey] = sorted(m);
      });
    }
    return out;
  });

  const result: Counts = {
    total: db.total,
    hasAttributions: attr,
    fields: counts.fields ?? [],
    diffTypes: counts.diffTypes ?? [],
    reasons: counts.reasons ?? [],
    statuses: counts.statuses ?? [],
    lifecycles: counts.lifecycles ?? [],
    hasMemory: db.hasMemory,
  };
  const kept = [...db.memo.keys()].filter((k) => k.startsWith('overlay:facets:'));
  for (const k of kept.slice(0, Math.max(0, kept.length - KEEP + 1))) db.memo.delete(k);
  db.memo.set(signature, result);
  return result;
}

/** Most breaks first, then by value, no value last (as the unfiltered facets). */
function sorted(m: Map<string | null, number>): Facet {
  return [...m]
    .filter(([, n]) => n > 0)
    .map(([value, count]) => ({ value, count }))
    .sort((x, y) => y.count - x.count || (x.value ?? '\uffff').localeCompare(y.value ?? '\uffff'));
}
