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
import { orderBySql, whereSql } from './filter-sql.ts';
import type { RunDb } from './run-db.ts';
import { ATTRIBUTION_COLUMNS, createViewSql, createWindowSql, Params, rangePageSql, toBreakRow, viewPageSql, windowPageSql } from './sql.ts';

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
export async function readPage(db: RunDb, args: ParsedArgs<'breaks.page'>, windowRows = WINDOW_ROWS): Promise<Page> {
  const attr = db.hasAttributions;
  const first = args.startRow + 1;
  const last = args.endRow;
  const quick = args.quickFilter?.trim() ?? '';
  const plain = args.sortModel.length === 0 && Object.keys(args.filterModel).length === 0 && quick === '';

  return db.run(async (c) => {
    if (plain && db.contiguous) {
      const rows = await queryRows<Record<string, unknown>>(c, rangePageSql(attr), [first, last]);
      return { rows: rows.map(toBreakRow), lastRow: db.total };
    }
    const signature = JSON.stringify([args.sortModel, Object.entries(args.filterModel).sort(([x], [y]) => (x < y ? -1 : 1)), quick]);
    const view = await db.view(signature, async (table) => {
      // Join attributions only when the view sorts or filters on one of its columns.
      const join = attr && [...args.sortModel.map((s) => s.colId), ...Object.keys(args.filterModel)].some((c) => ATTRIBUTION_COLUMNS.has(c as BreakColumn));
      const params = new Params();
      const where = whereSql(args.filterModel, quick, join, params);
      await c.run(createViewSql(table, join, where, orderBySql(args.sortModel, join)), params.values as never);
    });
    if (first > view.count) return { rows: [], lastRow: view.count };
    const w = Math.floor((first - 1) / windowRows);
    if (Math.floor((last - 1) / windowRows) !== w) {
      // A block across two windows (the grid's aligned blocks never are): join directly.
      const rows = await queryRows<Record<string, unknown>>(c, viewPageSql(view.table, attr), [first, last]);
      return { rows: rows.map(toBreakRow), lastRow: view.count };
    }
    const table = await db.window(view.table, w, (name) => c.run(createWindowSql(name, view.table, attr), [w * windowRows + 1, (w + 1) * windowRows]).then(() => undefined));
    const rows = await queryRows<Record<string, unknown>>(c, windowPageSql(table), [first, last]);
    return { rows: rows.map(toBreakRow), lastRow: view.count };
  });
}
