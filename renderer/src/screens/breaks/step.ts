/**
 * [ and ] in the break detail: the previous or next row of the grid's own
 * view (its filter, sort and quick filter), read through the engine's pager,
 * so stepping crosses the grid's block boundaries and never leaves the view.
 */
import type { ReconClient } from '../../bridge/client.ts';
import type { GridFocus, GridView } from './grid-memory.ts';

/** The grid's default view: every break by id. */
export const DEFAULT_VIEW: GridView = { sortModel: [], filterModel: {}, quickFilter: '' };

/**
 * The row `d` (±1) away from `from` in `view`, or null at either end. When
 * `from`'s break is no longer at its position (a decision moved it out of a
 * status filter), the row that took its place counts as the next one.
 */
export async function stepInView(client: ReconClient, runId: string, view: GridView, from: GridFocus, d: 1 | -1): Promise<GridFocus | null> {
  const page = (startRow: number, endRow: number) =>
    client.call('breaks.page', { runId, startRow, endRow, sortModel: view.sortModel, filterModel: view.filterModel, ...(view.quickFilter !== '' ? { quickFilter: view.quickFilter, context: view.context ?? [] } : {}) });
  const lo = Math.max(0, from.index - 1);
  const near = await page(lo, from.index + 2);
  const at = near.rows.findIndex((r) => r.breakId === from.breakId);
  const target = at >= 0 ? lo + at + d : d > 0 ? from.index : from.index - 1;
  if (target < 0 || target >= near.lastRow) return null;
  const known = near.rows[target - lo];
  if (known) return { index: target, breakId: known.breakId };
  const row = (await page(target, target + 1)).rows[0];
  return row ? { index: target, breakId: row.breakId } : null;
}
