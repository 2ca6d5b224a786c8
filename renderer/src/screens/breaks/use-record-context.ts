/**
 * The breaks grid's record-context columns and the filters its facets count
 * under. The facets follow the view the grid last paged (column filters,
 * facet picks, quick filter and the context columns it searches), so each
 * facet's counts are those the other filters leave.
 */
import type { ColDef } from 'ag-grid-community';
import { useCallback, useMemo, useState } from 'react';
import type { BreakRow, CallArgs, ContextColumn, FilterModel, RecordField } from '../../../../engine/contract/index.ts';
import { chosenContext, rememberContext, withContextColumns } from './context-columns.ts';
import type { GridView } from './grid-memory.ts';

export interface RecordContext {
  context: ContextColumn[];
  setContext: (columns: ContextColumn[]) => void;
  /** Give it every view the datasource pages. */
  onView: (view: GridView) => void;
  facetArgs: CallArgs<'breaks.facets'>;
}

export function useRecordContext(runId: string, picked: FilterModel, quick: string): RecordContext {
  const [context, setContextState] = useState<ContextColumn[]>(() => chosenContext(runId));
  const [filters, setFilters] = useState<FilterModel>(picked);
  const setContext = useCallback(
    (columns: ContextColumn[]) => {
      rememberContext(runId, columns);
      setContextState(columns);
    },
    [runId],
  );
  const onView = useCallback((view: GridView) => setFilters((prev) => (JSON.stringify(prev) === JSON.stringify(view.filterModel) ? prev : view.filterModel)), []);
  const q = quick.trim();
  const facetArgs = useMemo<CallArgs<'breaks.facets'>>(() => ({ runId, filterModel: filters, context, ...(q !== '' ? { quickFilter: q } : {}) }), [runId, filters, context, q]);
  return { context, setContext, onView, facetArgs };
}

/** The grid's column definitions with the context columns; the same array until the columns or the fields' types change. */
export function useContextColumnDefs(base: ColDef<BreakRow>[], context: readonly ContextColumn[], fields: readonly RecordField[] | undefined): ColDef<BreakRow>[] {
  // Fields by value: every facets answer is a new array of the same fields.
  const fieldsKey = JSON.stringify(fields ?? []);
  return useMemo(() => withContextColumns(base, context, fields ?? []), [base, context, fieldsKey]);
}
