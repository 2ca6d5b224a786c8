import type { ColDef, GridApi, ICellRendererParams } from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { ErrorData, MatchFilter, UnmatchedRow } from '../../../../engine/contract/index.ts';
import { useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';
import { gridTheme } from '../../grid/setup.ts';
import { UNMATCHED_COLUMNS } from './columns.ts';
import { pagedDatasource } from './datasource.ts';
import { pickKey, SIDE_NAME, type PickedRow, type Side } from './row-text.ts';

/**
 * What the pick column's cells read: one object the grid holds for its life.
 * Cells subscribe to it, so a pick redraws only the checkboxes, without the
 * grid's render API.
 */
interface PickContext {
  picked: ReadonlySet<string>;
  toggle: (row: PickedRow) => void;
  listeners: Set<() => void>;
  subscribe: (listener: () => void) => () => void;
}

function pickContext(picked: ReadonlySet<string>, toggle: (row: PickedRow) => void): PickContext {
  const listeners = new Set<() => void>();
  return {
    picked,
    toggle,
    listeners,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A checkbox per row, named after the row ("Pick A LE000000012") so people and tests find it. */
function PickCell(p: ICellRendererParams<UnmatchedRow, unknown, PickContext>) {
  const row = p.data;
  const key = row ? pickKey(row.side, row.rid) : '';
  const checked = useSyncExternalStore(p.context.subscribe, () => p.context.picked.has(key));
  if (!row) return null;
  return (
    <input
      type="checkbox"
      aria-label={`Pick ${SIDE_NAME[row.side]} ${row.id}`}
      checked={checked}
      onChange={() => p.context.toggle(row)}
      onClick={(e) => e.stopPropagation()}
    />
  );
}

const PICK_COLUMN: ColDef<UnmatchedRow> = { colId: 'pick', headerName: '', width: 40, cellRenderer: PickCell, sortable: false, resizable: false };
const COLUMNS = [PICK_COLUMN, ...UNMATCHED_COLUMNS];

export interface UnmatchedGridProps {
  runId: string;
  side: Side;
  filter: MatchFilter;
  refresh: number;
  picked: ReadonlySet<string>;
  onToggle: (row: PickedRow) => void;
  onFocus: (row: UnmatchedRow) => void;
}

/** One side's unmatched rows now, paged from the run file: pick rows to match by hand, click one for its candidates. */
export function UnmatchedGrid({ runId, side, filter, refresh, picked, onToggle, onFocus }: UnmatchedGridProps) {
  const client = useClient();
  const api = useRef<GridApi<UnmatchedRow> | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const context = useRef<PickContext>(pickContext(picked, onToggle));
  context.current.toggle = onToggle;
  const key = JSON.stringify(filter);
  const datasource = useMemo(
    () => pagedDatasource((offset, limit) => client.call('matching.unmatched', { runId, side, filter, offset, limit }), { onCount: setTotal, onError: setError }),
    // The filter by value: a new object with the same parts is the same view.
    [client, runId, side, key],
  );
  useEffect(() => {
    if (refresh > 0) api.current?.refreshInfiniteCache();
  }, [refresh]);
  useEffect(() => {
    context.current.picked = picked;
    for (const l of context.current.listeners) l();
  }, [picked]);
  const title = `Unmatched ${SIDE_NAME[side]}`;
  return (
    <section className="match-section" aria-label={title}>
      <header className="match-section-header">
        <h3>{title}</h3>
        <span className="grid-count" aria-label={`${title} count`}>
          {total === null ? '…' : count(total)} rows
        </span>
      </header>
      {error && <ErrorMessage error={error} />}
      <div className="match-grid unmatched-grid">
        <AgGridReact<UnmatchedRow>
          theme={gridTheme}
          rowModelType="infinite"
          datasource={datasource}
          columnDefs={COLUMNS}
          context={context.current}
          defaultColDef={{ resizable: true, sortable: false }}
          cacheBlockSize={100}
          maxBlocksInCache={50}
          infiniteInitialRowCount={20}
          getRowId={(p) => String(p.data.rid)}
          onGridReady={(e) => (api.current = e.api)}
          onGridPreDestroyed={() => (api.current = null)}
          onRowClicked={(e) => e.data && onFocus(e.data)}
        />
      </div>
    </section>
  );
}
