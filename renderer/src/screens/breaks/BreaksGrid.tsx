import type { CellKeyDownEvent, GridApi, GridPreDestroyedEvent, GridReadyEvent } from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { BreakRow, ErrorData, FilterModel } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';
import { gridTheme } from '../../grid/setup.ts';
import { useKeys } from '../../keys.ts';
import { useNav } from '../../navigation.ts';
import { BREAK_COLUMN_DEFS } from './columns.ts';
import { ContextPicker } from './ContextPicker.tsx';
import { breaksDatasource } from './datasource.ts';
import { FacetBar } from './FacetBar.tsx';
import { QuickFilters } from './QuickFilters.tsx';
import { recall, remember, rememberPart } from './grid-memory.ts';
import { DecisionDialog } from './review/DecisionDialog.tsx';
import { SelectionBar } from './SelectionBar.tsx';
import { MakeRuleOffer } from '../rules/MakeRuleOffer.tsx';
import { ROW_SELECTION, useGridSelection } from './selection.ts';
import { ValueDiff } from './ValueDiff.tsx';
import { ValueTools } from './ValueTools.tsx';
import { canAccept, outcomeText, suggestionOf } from './review/status.ts';
import { useContextColumnDefs, useRecordContext } from './use-record-context.ts';
import './breaks.css';
import './review/review.css';

const DEFAULT_COL = { sortable: true, resizable: true, suppressHeaderMenuButton: false };

/** The before/after grid: AG Grid's infinite row model paging from the run's DuckDB file. */
export function BreaksGrid({ runId, preset }: { runId: string; preset?: FilterModel }) {
  const client = useClient();
  const nav = useNav();
  const memory = useRef(recall(runId)).current;
  const [quick, setQuick] = useState(memory?.quickFilter ?? '');
  const [appliedQuick, setAppliedQuick] = useState(quick);
  const [picked, setPicked] = useState<FilterModel>(preset ?? memory?.facets ?? {});
  // Record-context columns, and facets counted under every other filter of the view (use-record-context.ts).
  const record = useRecordContext(runId, picked, appliedQuick);
  const facets = useCall('breaks.facets', record.facetArgs);
  const [rows, setRows] = useState<number | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const api = useRef<GridApi<BreakRow> | null>(null);
  const quickInput = useRef<HTMLInputElement>(null);
  const reasons = useCall('reasons.list', { includeRetired: false });
  const [dialog, setDialog] = useState<{ kind: 'OVERRIDE' | 'REJECT'; row: BreakRow } | null>(null);
  const [flash, setFlash] = useState<string>();
  // An accept or override of several breaks at once: offer to make it a reason rule.
  const [ruleFrom, setRuleFrom] = useState<string | null>(null);
  // Multi-select (selection.ts), value wrapping, the B/A column and the focused row's full values (issue 13, items 19–20).
  const selection = useGridSelection(api);
  const [wrap, setWrap] = useState(false);
  const [ratioShown, setRatioShown] = useState(false);
  const [focused, setFocused] = useState<BreakRow>();
  // A decision's note fades: the grid below it moves on.
  useEffect(() => {
    if (flash === undefined) return;
    const t = setTimeout(() => setFlash(undefined), 8000);
    return () => clearTimeout(t);
  }, [flash]);

  useEffect(() => {
    const t = setTimeout(() => setAppliedQuick(quick), 250);
    return () => clearTimeout(t);
  }, [quick]);

  const gridHost = useRef<HTMLDivElement>(null);
  // The element that scrolls the rows (AG Grid 36: .ag-grid-viewport; older: .ag-body-viewport).
  const viewport = (): HTMLElement | null => {
    const els = [...(gridHost.current?.querySelectorAll<HTMLElement>('.ag-grid-viewport, .ag-body-viewport') ?? [])];
    return els.find((el) => el.scrollHeight > el.clientHeight) ?? els[0] ?? null;
  };
  // Back from a detail: the same scroll offset and the row of the break last shown, focused, once its block has loaded.
  const restored = useRef(memory?.focus === undefined || preset !== undefined);
  const restore = (): void => {
    if (restored.current) return;
    restored.current = true;
    const m = recall(runId);
    const focus = m?.focus;
    if (!focus) return;
    let tries = 0;
    const tick = (): void => {
      const g = api.current;
      if (!g) return;
      const body = viewport();
      if (body && m.scrollTop !== undefined && tries < 5 && Math.abs(body.scrollTop - m.scrollTop) > 1) body.scrollTop = m.scrollTop;
      // The row count and the row's block arrive with the datasource's answers: wait for them (about 3 s at most).
      if (focus.index >= g.getDisplayedRowCount() || !g.getDisplayedRowAtIndex(focus.index)?.data) {
        if (tries++ < 100) setTimeout(tick, 30);
        return;
      }
      if (focus.index < g.getFirstDisplayedRowIndex() || focus.index > g.getLastDisplayedRowIndex()) g.ensureIndexVisible(focus.index);
      g.setFocusedCell(focus.index, g.getFocusedCell()?.column ?? 'key');
    };
    tick();
  };

  const datasource = useMemo(
    () =>
      breaksDatasource(
        client,
        runId,
        { quickFilter: appliedQuick, facets: picked, context: record.context },
        {
          onCount: (n) => {
            setRows(n);
            setTimeout(restore, 0);
          },
          onError: setError,
          onView: (view) => {
            rememberPart(runId, { view });
            record.onView(view);
          },
        },
      ),
    // restore only reads refs.
    [client, runId, appliedQuick, picked, record.context],
  );

  const open = (row: BreakRow | undefined): void => {
    if (!row) return;
    const index = api.current?.getFocusedCell()?.rowIndex;
    const at = index !== undefined && index !== null && api.current?.getDisplayedRowAtIndex(index)?.data?.breakId === row.breakId ? index : (api.current?.getRowNode(String(row.breakId))?.rowIndex ?? 0);
    rememberPart(runId, { focus: { index: at, breakId: row.breakId }, ...(viewport() ? { scrollTop: viewport()!.scrollTop } : {}) });
    nav.go({ name: 'break', runId, breakId: row.breakId });
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
  // Decisions change statuses (and may drop rows from a status filter): refetch the blocks and the counts.
  const refresh = (): void => {
    api.current?.refreshInfiniteCache();
    facets.reload();
  };
  useEvent('workflow.changed', (e) => (e.runId === null || e.runId === runId) && refresh());
  const selected = (): BreakRow | undefined => {
    const g = api.current;
    const i = g?.getFocusedCell()?.rowIndex;
    return g && i !== undefined && i !== null ? g.getDisplayedRowAtIndex(i)?.data : undefined;
  };
  const accept = useAction(async (row: BreakRow) => {
    const r = await client.call('review.decide', { runId, breakId: row.breakId, kind: 'ACCEPT' });
    return r.proposal ? `Break #${row.breakId}: ${outcomeText(r.kind, r.proposal, r.breakCount)}` : `Break #${row.breakId} accepted as ${suggestionOf(row)}.`;
  });
  const acceptSelected = async (): Promise<void> => {
    const row = selected();
    if (!row) return setFlash('Select a break first: j / k or click a row.');
    if (!canAccept(row)) return setFlash(`Break #${row.breakId} has nothing to accept (${row.status}${suggestionOf(row) === 'UNKNOWN' ? ', no suggestion' : ''}): override (o) or reject (r) it.`);
    const text = await accept.run(row);
    if (text === undefined) return;
    setFlash(text);
    const i = api.current?.getFocusedCell()?.rowIndex ?? 0;
    refresh();
    // Under a status filter the accepted break leaves the view and the next one takes its place.
    focusRow(picked.status !== undefined ? i : i + 1);
  };
  const decide = (kind: 'OVERRIDE' | 'REJECT'): void => {
    const row = selected();
    if (!row) return setFlash('Select a break first: j / k or click a row.');
    accept.clear();
    setDialog({ kind, row });
  };
  useKeys({ '/': () => quickInput.current?.focus(), j: enterGrid, k: enterGrid, a: () => void acceptSelected(), o: () => decide('OVERRIDE'), r: () => decide('REJECT') });
  // The grid remembers its view per run; refs give the destroy handler the latest values.
  const latest = useRef({ quick, picked });
  latest.current = { quick, picked };

  const total = facets.data?.total;
  const columnDefs = useContextColumnDefs(BREAK_COLUMN_DEFS, record.context, facets.data?.recordFields);
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
        {/* Break memory's quick filters: the lifecycle and the SLA, for runs that have it. */}
        {facets.data?.hasMemory && <QuickFilters value={picked} onChange={setPicked} />}
        <ValueTools
          wrap={wrap}
          ratio={ratioShown}
          onWrap={setWrap}
          onRatio={(on) => {
            setRatioShown(on);
            api.current?.setColumnsVisible(['ratio'], on);
          }}
        />
        <ContextPicker fields={facets.data?.recordFields ?? []} value={record.context} onChange={record.setContext} />
        <span className="grid-count" role="status">
          {rows === null ? '…' : count(rows)} {total !== undefined && rows !== total ? `of ${count(total)} ` : ''}breaks
        </span>
      </div>
      {error && <ErrorMessage error={error} />}
      {facets.error && <ErrorMessage error={facets.error} />}
      {accept.error && <ErrorMessage error={accept.error} onDismiss={accept.clear} />}
      {flash && !accept.error && (
        <p className="notice grid-flash" role="status">
          {flash}
        </p>
      )}
      <SelectionBar
        runId={runId}
        breakIds={selection.ids}
        reasons={reasons.data?.reasons ?? []}
        onClear={selection.clear}
        onDone={(text, decision) => {
          setRuleFrom(decision.breakCount > 1 && (decision.kind === 'ACCEPT' || decision.kind === 'OVERRIDE') ? decision.decisionId : null);
          selection.clear();
          setFlash(text);
          refresh();
        }}
      />
      {ruleFrom && <MakeRuleOffer key={ruleFrom} decisionId={ruleFrom} onDismiss={() => setRuleFrom(null)} />}
      <div className={`grid-host${wrap ? ' wrap-values' : ''}`} ref={gridHost} onKeyDownCapture={(e) => void selection.onKeyDown(e)} onClickCapture={selection.onHostClick}>
        <AgGridReact<BreakRow>
          theme={gridTheme}
          rowModelType="infinite"
          datasource={datasource}
          columnDefs={columnDefs}
          defaultColDef={DEFAULT_COL}
          cacheBlockSize={100}
          maxBlocksInCache={100}
          maxConcurrentDatasourceRequests={2}
          blockLoadDebounceMillis={30}
          infiniteInitialRowCount={100}
          getRowId={(p) => String(p.data.breakId)}
          rowSelection={ROW_SELECTION}
          rowHeight={wrap ? 62 : undefined}
          onColumnVisible={(e) => setRatioShown(e.api.getColumn('ratio')?.isVisible() ?? false)}
          onModelUpdated={selection.remark}
          onCellFocused={(e) => setFocused(typeof e.rowIndex === 'number' ? (api.current?.getDisplayedRowAtIndex(e.rowIndex)?.data ?? undefined) : undefined)}
          initialState={memory?.state}
          onGridReady={(e: GridReadyEvent<BreakRow>) => {
            api.current = e.api;
            setRatioShown(e.api.getColumn('ratio')?.isVisible() ?? false);
          }}
          onGridPreDestroyed={(e: GridPreDestroyedEvent<BreakRow>) => {
            remember(runId, { state: e.state, quickFilter: latest.current.quick, facets: latest.current.picked });
            api.current = null;
          }}
          onCellKeyDown={onCellKeyDown}
          onCellDoubleClicked={(e) => open(e.data)}
        />
      </div>
      {focused && <ValueDiff row={focused} label="Values of the focused break" />}
      <p className="hint">
        <kbd>Shift</kbd>/<kbd>Ctrl</kbd>+click or +<kbd>↑</kbd><kbd>↓</kbd> select · <kbd>/</kbd> filter · <kbd>j</kbd>/<kbd>k</kbd> or arrows move · <kbd>Enter</kbd> open · <kbd>a</kbd> accept · <kbd>o</kbd> override · <kbd>r</kbd> reject · click a header to sort, the funnel to filter
      </p>
      {dialog && (
        <DecisionDialog
          runId={runId}
          row={dialog.row}
          kind={dialog.kind}
          reasons={reasons.data?.reasons ?? []}
          onClose={() => setDialog(null)}
          onDone={(text) => {
            setDialog(null);
            setFlash(text);
            refresh();
            focusRow(api.current?.getFocusedCell()?.rowIndex ?? 0);
          }}
        />
      )}
    </div>
  );
}
