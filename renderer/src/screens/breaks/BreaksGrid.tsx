import type { CellKeyDownEvent, GridApi, GridPreDestroyedEvent, GridReadyEvent } from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { BreakRow, ErrorData, FilterModel } from '../../../../engine/contract/index.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';
import { gridTheme } from '../../grid/setup.ts';
import { useKeys } from '../../keys.ts';
import { useNav } from '../../navigation.ts';
import { BREAK_COLUMN_DEFS } from './columns.ts';
import { breaksDatasource } from './datasource.ts';
import { FacetBar } from './FacetBar.tsx';
import { recall, remember } from './grid-memory.ts';
import './breaks.css';

const DEFAULT_COL = { sortable: true, resizable: true, suppressHeaderMenuButton: false };

/** The before/after grid: AG Grid's infinite row model paging from the run's DuckDB file. */
export function BreaksGrid({ runId, preset }: { runId: string; preset?: FilterModel }) {
  const client = useClient();
  const nav = useNav();
  const memory = useRef(recall(runId)).current;
  const facets = useCall('breaks.facets', { runId });
  const [quick, setQuick] = useState(memory?.quickFilter ?? '');
  const [appliedQuick, setAppliedQuick] = useState(quick);
  const [picked, setPicked] = useState<FilterModel>(preset ?? memory?.facets ?? {});
  const [rows, setRows] = useState<number | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const api = useRef<GridApi<BreakRow> | null>(null);
  const quickInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const t = setTimeout(() => setAppliedQuick(quick), 250);
    return () => clearTimeout(t);
  }, [quick]);

  const datasource = useMemo(
    () => breaksDatasource(client, runId, { quickFilter: appliedQuick, facets: picked }, { onCount: setRows, onError: setError }),
    [client, runId, appliedQuick, picked],
  );

  const open = (row: BreakRow | undefined): void => {
    if (row) nav.go({ name: 'break', runId, breakId: row.breakId });
  };
  const focusRow = (index: number): void => {
    const g = api.current;
    if (!g) return;
    const max = (g.getDisplayedRowCount() || 1) - 1;
    const i = Math.max(0, Math.min(max, index));
    const col = g.getFocusedCell()?.column ?? 'key';
    g.ensureIndexVisible(i);
    g.setFocusedCell(i, col);
  };
  const onCellKeyDown = (e: CellKeyDownEvent<BreakRow>): void => {
    const key = (e.event as KeyboardEvent | null | undefined)?.key;
    if (key === 'Enter') open(e.data);
    else if (key === 'j') focusRow((e.rowIndex ?? 0) + 1);
    else if (key === 'k') focusRow((e.rowIndex ?? 0) - 1);
  };
  // Outside the grid, j/k (or ↓) enter it at the focused row; inside, the grid's own handler moves.
  const enterGrid = (e: KeyboardEvent): void => {
    if (!(e.target instanceof Element && e.target.closest('.ag-root-wrapper'))) focusRow(api.current?.getFocusedCell()?.rowIndex ?? 0);
  };
  useKeys({ '/': () => quickInput.current?.focus(), j: enterGrid, k: enterGrid });
  // The grid remembers its view per run; refs give the destroy handler the latest values.
  const latest = useRef({ quick, picked });
  latest.current = { quick, picked };

  const total = facets.data?.total;
  return (
    <div className="breaks">
      <div className="grid-toolbar">
        <label className="quick-filter">
          <span className="sr-only">Filter breaks</span>
          <input
            ref={quickInput}
            type="search"
            value={quick}
            placeholder="Filter key or values…  ( / )"
            onChange={(e) => setQuick(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                setAppliedQuick(quick);
                focusRow(0);
              }
            }}
          />
        </label>
        <FacetBar facets={facets.data} value={picked} onChange={setPicked} />
        <span className="grid-count" role="status">
          {rows === null ? '…' : count(rows)} {total !== undefined && rows !== total ? `of ${count(total)} ` : ''}breaks
        </span>
      </div>
      {error && <ErrorMessage error={error} />}
      {facets.error && <ErrorMessage error={facets.error} />}
      <div className="grid-host">
        <AgGridReact<BreakRow>
          theme={gridTheme}
          rowModelType="infinite"
          datasource={datasource}
          columnDefs={BREAK_COLUMN_DEFS}
          defaultColDef={DEFAULT_COL}
          cacheBlockSize={100}
          maxBlocksInCache={100}
          maxConcurrentDatasourceRequests={2}
          blockLoadDebounceMillis={30}
          infiniteInitialRowCount={100}
          getRowId={(p) => String(p.data.breakId)}
          initialState={memory?.state}
          onGridReady={(e: GridReadyEvent<BreakRow>) => {
            api.current = e.api;
          }}
          onGridPreDestroyed={(e: GridPreDestroyedEvent<BreakRow>) => {
            remember(runId, { state: e.state, quickFilter: latest.current.quick, facets: latest.current.picked });
            api.current = null;
          }}
          onCellKeyDown={onCellKeyDown}
          onCellDoubleClicked={(e) => open(e.data)}
        />
      </div>
      <p className="hint">
        <kbd>/</kbd> filter · <kbd>j</kbd>/<kbd>k</kbd> or arrows move · <kbd>Enter</kbd> open the break · click a header to sort, the funnel to filter
      </p>
    </div>
  );
}
