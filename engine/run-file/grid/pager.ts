/**
 * breaks.page: one block of the grid, never the whole table. The default
 * order pages by a break_id range; any other sort or filter first builds a
 * view, a TEMP table of (rn, break_id) in the asked order, once per
 * (run, sort, filter), then pages by `rn BETWEEN` from windows of whole rows
 * materialized from it on first use. Either way a page costs milliseconds at
 * a million breaks.
 */
import type { BreakColumn, BreakRow, ParsedArgs } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import { ContextSql, requestColumns } from './context.ts';
import { orderBySql, whereSql } from './filter-sql.ts';
import type { RunFile } from '../run-file.ts';
import { ATTRIBUTION_COLUMNS, createViewSql, createWindowSql, memoryJoins, needsMemory, Params, rangePageSql, toBreakRow, viewPageSql, windowPageSql } from './sql.ts';

/**
 * Rows per window of a view. Joining scattered ids back to the breaks costs
 * one scan whatever their number, so a window of 10,000 rows pays it once for
 * 100 of the grid's blocks (a few MB of TEMP table).
 */
export const WINDOW_ROWS = 10_000;

export interface Page {
  rows: BreakRow[];
  lastRow: number;
}

/** Reads rows [startRow, endRow) of the view the arguments describe. */
export async function readPage(db: RunFile, args: ParsedArgs<'breaks.page'>, windowRows = WINDOW_ROWS): Promise<Page> {
  const attr = db.hasAttributions;
  const first = args.startRow + 1;
  const last = args.endRow;
  const quick = args.quickFilter?.trim() ?? '';
  const plain = args.sortModel.length === 0 && Object.keys(args.filterModel).length === 0 && quick === '';
  // Record-context columns: names checked against the run's records before any SQL is written.
  const ctx = await ContextSql.of(db, requestColumns(args));

  return db.run(async (c) => {
    // Each path reads the page's rows; their record-context values come after, for those rows only.
    const page = async (sql: string, params: number[], lastRow: number): Promise<Page> => {
      const rows = (await queryRows<Record<string, unknown>>(c, sql, params)).map(toBreakRow);
      return { rows: await ctx.attach(c, args.context, rows), lastRow };
    };
    if (plain && db.contiguous) return page(rangePageSql(attr), [first, last], db.total);
    // The quick filter also searches the context columns shown, so they are part of the view's identity.
    const signature = JSON.stringify([args.sortModel, Object.entries(args.filterModel).sort(([x], [y]) => (x < y ? -1 : 1)), quick, quick === '' ? [] : args.context]);
    let built = false;
    const view = await db.view(signature, async (table) => {
      built = true;
      // Join attributions only when the view sorts or filters on one of its columns.
      const cols = [...args.sortModel.map((s) => s.colId), ...Object.keys(args.filterModel)];
      const join = attr && cols.some((c) => ATTRIBUTION_COLUMNS.has(c as BreakColumn));
      // Break memory and the SLAs only when the view sorts or filters on them.
      const memory = needsMemory(cols) ? memoryJoins(join) : '';
      const params = new Params();
      const where = whereSql(args.filterModel, quick, join, params, ctx, args.context);
      const orderBy = orderBySql(args.sortModel, join, ctx);
      await c.run(createViewSql(table, join, where, orderBy, `${memory} ${ctx.joins()}`), params.values as never);
    });
    if (first > view.count) return { rows: [], lastRow: view.count };
    const w = Math.floor((first - 1) / windowRows);
    // A block across two windows (the grid's aligned blocks never are) is joined directly; so is the first
    // block of a view just built, which the person waits for: its window is read when a second block is asked.
    if (built || Math.floor((last - 1) / windowRows) !== w) return page(viewPageSql(view.table, attr), [first, last], view.count);
    const table = await db.window(view.table, w, (name) => c.run(createWindowSql(name, view.table, attr), [w * windowRows + 1, (w + 1) * windowRows]).then(() => undefined));
    return page(windowPageSql(table), [first, last], view.count);
  });
}
