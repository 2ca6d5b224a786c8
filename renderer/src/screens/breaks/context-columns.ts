/**
 * Record-context columns: any field of a break's record, from side A or B,
 * as a grid column. Its id is the contract's `ctx:<a|b>:<field>`, so the
 * grid's sort and filter models name it as they name any other column, and
 * the host pages, sorts and filters it in SQL; rows carry the values in
 * `row.context`.
 */
import type { ColDef, ValueFormatterParams } from 'ag-grid-community';
import type { BreakRow, ContextColumn, RecordField } from '../../../../engine/contract/index.ts';

export type Side = 'a' | 'b';

export const contextColumnId = (side: Side, field: string): ContextColumn => `ctx:${side}:${field}`;

export function parseContextId(id: ContextColumn): { side: Side; field: string } {
  return { side: id[4] as Side, field: id.slice(6) };
}

/** "Currency (A)": the header and the picker's label. */
export const contextLabel = (id: ContextColumn): string => {
  const { side, field } = parseContextId(id);
  return `${field} (${side.toUpperCase()})`;
};

const filterParams = { maxNumConditions: 2, debounceMs: 300 };

/** The column of one record field; a number field sorts and filters as a number (the host compares it typed). */
export function contextColDef(id: ContextColumn, field: RecordField | undefined): ColDef<BreakRow> {
  const numeric = field?.numeric ?? false;
  const { side } = parseContextId(id);
  return {
    colId: id,
    headerName: contextLabel(id),
    headerTooltip: `${parseContextId(id).field} of the break's record in source ${side.toUpperCase()}${field ? ` (${field.type.toLowerCase()})` : ''}`,
    headerClass: 'context-header',
    width: 120,
    valueGetter: (p) => p.data?.context?.[id] ?? null,
    // No record on that side (a missing record): nothing to show, as for a whole-record break's values.
    valueFormatter: (p: ValueFormatterParams<BreakRow>) => (p.value === null || p.value === undefined ? '' : String(p.value)),
    filter: numeric ? 'agNumberColumnFilter' : 'agTextColumnFilter',
    floatingFilter: true,
    filterParams,
    cellClass: numeric ? 'num context-cell' : 'context-cell',
    ...(numeric ? { type: 'rightAligned' } : {}),
  };
}

/** The record-context columns chosen per run while the app is open (the grid comes back with them). */
const chosen = new Map<string, ContextColumn[]>();

export function chosenContext(runId: string): ContextColumn[] {
  return chosen.get(runId) ?? [];
}

export function rememberContext(runId: string, columns: ContextColumn[]): void {
  chosen.set(runId, columns);
  if (chosen.size > 8) chosen.delete(chosen.keys().next().value as string);
}

/** The grid's columns with the record-context ones after the key, where a person reads a record's identity. */
export function withContextColumns(base: ColDef<BreakRow>[], context: readonly ContextColumn[], fields: readonly RecordField[]): ColDef<BreakRow>[] {
  if (context.length === 0) return base;
  const defs = context.map((id) => contextColDef(id, fields.find((f) => f.name === parseContextId(id).field)));
  const at = base.findIndex((c) => c.field === 'key') + 1;
  return [...base.slice(0, at), ...defs, ...base.slice(at)];
}
