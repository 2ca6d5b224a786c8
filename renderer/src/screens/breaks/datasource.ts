/**
 * The infinite row model's datasource: every block the grid asks for is one
 * breaks.page call, sorted and filtered in DuckDB by the host.
 */
import type { IDatasource, IGetRowsParams } from 'ag-grid-community';
import type { ContextColumn, ErrorData, FilterModel, GridColumn, SortModel } from '../../../../engine/contract/index.ts';
import { errorData, type ReconClient } from '../../bridge/client.ts';
import type { GridView } from './grid-memory.ts';

export interface ViewExtras {
  /** Free text on key and values. */
  quickFilter: string;
  /** Facet picks (field, diff type, reason, status) merged into the grid's own filters. */
  facets: FilterModel;
  /** Record-context columns shown (context-columns.ts): their values come with each row, and the quick filter searches them. */
  context?: ContextColumn[];
}

export interface DatasourceHooks {
  onCount: (rows: number) => void;
  onError: (error: ErrorData | null) => void;
  /** The view each block is read from (sort, filters, quick filter), as the engine receives it. */
  onView?: (view: GridView) => void;
}

export function breaksDatasource(client: ReconClient, runId: string, extras: ViewExtras, hooks: DatasourceHooks): IDatasource {
  return {
    getRows(params: IGetRowsParams) {
      const sortModel: SortModel = params.sortModel.map((s) => ({ colId: s.colId as GridColumn, sort: s.sort }));
      const filterModel = { ...(params.filterModel as FilterModel), ...extras.facets };
      const quick = extras.quickFilter.trim();
      const context = extras.context ?? [];
      hooks.onView?.({ sortModel, filterModel, quickFilter: quick, ...(context.length > 0 ? { context } : {}) });
      client
        .call('breaks.page', { runId, startRow: params.startRow, endRow: params.endRow, sortModel, filterModel, context, ...(quick !== '' ? { quickFilter: quick } : {}) })
        .then(
          (page) => {
            hooks.onError(null);
            hooks.onCount(page.lastRow);
            params.successCallback(page.rows, page.lastRow);
          },
          (err: unknown) => {
            hooks.onError(errorData(err));
            params.failCallback();
          },
        );
    },
  };
}
