/**
 * The infinite row model's datasource for the matching view's grids: every
 * block the grid asks for is one paged call (matching.groups or
 * matching.unmatched), filtered in DuckDB by the host.
 */
import type { IDatasource, IGetRowsParams } from 'ag-grid-community';
import type { ErrorData } from '../../../../engine/contract/index.ts';
import { errorData } from '../../bridge/client.ts';

export interface PageHooks {
  onCount: (total: number) => void;
  onError: (error: ErrorData | null) => void;
}

/** `fetch(offset, limit)` answers one block: the rows and the total under the current filter. */
export function pagedDatasource<T>(fetch: (offset: number, limit: number) => Promise<{ total: number; rows: T[] }>, hooks: PageHooks): IDatasource {
  return {
    getRows(params: IGetRowsParams) {
      fetch(params.startRow, Math.max(1, params.endRow - params.startRow)).then(
        (page) => {
          hooks.onError(null);
          hooks.onCount(page.total);
          params.successCallback(page.rows, page.total);
        },
        (err: unknown) => {
          hooks.onError(errorData(err));
          params.failCallback();
        },
      );
    },
  };
}
