import type { GridApi } from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ErrorData, MatchFilter, MatchGroup } from '../../../../engine/contract/index.ts';
import { useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';
import { gridTheme } from '../../grid/setup.ts';
import { GROUP_COLUMNS } from './columns.ts';
import { pagedDatasource } from './datasource.ts';

/** The matched groups now (rule and manual matches, pending changes marked), paged from the run file; a click opens one. */
export function GroupsGrid({ runId, filter, refresh, onSelect }: { runId: string; filter: MatchFilter; refresh: number; onSelect: (matchId: string) => void }) {
  const client = useClient();
  const api = useRef<GridApi<MatchGroup> | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const key = JSON.stringify(filter);
  const datasource = useMemo(
    () => pagedDatasource((offset, limit) => client.call('matching.groups', { runId, filter, offset, limit }).then((p) => ({ total: p.total, rows: p.groups })), { onCount: setTotal, onError: setError }),
    // The filter by value: a new object with the same parts is the same view.
    [client, runId, key],
  );
  useEffect(() => {
    if (refresh > 0) api.current?.refreshInfiniteCache();
  }, [refresh]);
  return (
    <section className="match-section" aria-labelledby="groups-title">
      <header className="match-section-header">
        <h3 id="groups-title">Matched groups</h3>
        <span className="grid-count" aria-label="Groups count">
          {total === null ? '…' : count(total)} groups
        </span>
      </header>
      {error && <ErrorMessage error={error} />}
      <div className="match-grid groups-grid" aria-label="Matched groups grid">
        <AgGridReact<MatchGroup>
          theme={gridTheme}
          rowModelType="infinite"
          datasource={datasource}
          columnDefs={GROUP_COLUMNS}
          defaultColDef={{ resizable: true, sortable: false }}
          cacheBlockSize={100}
          maxBlocksInCache={50}
          infiniteInitialRowCount={20}
          getRowId={(p) => p.data.matchId}
          onGridReady={(e) => (api.current = e.api)}
          onGridPreDestroyed={() => (api.current = null)}
          onRowClicked={(e) => e.data && onSelect(e.data.matchId)}
        />
      </div>
    </section>
  );
}
