/** The matching view's grid columns. */
import type { ColDef } from 'ag-grid-community';
import type { MatchGroup, UnmatchedRow } from '../../../../engine/contract/index.ts';
import { rowDetails } from './row-text.ts';

const num = { type: 'rightAligned', cellClass: 'num mono' } as const;

export const GROUP_COLUMNS: ColDef<MatchGroup>[] = [
  { colId: 'matchId', field: 'matchId', headerName: 'Match', width: 110, cellClass: 'mono' },
  { colId: 'state', field: 'state', headerName: 'State', width: 140, cellClass: (p) => `match-state state-${String(p.value ?? '').toLowerCase()}` },
  { colId: 'rule', field: 'rule', headerName: 'Rule', width: 170, valueFormatter: (p) => (p.value === null || p.value === undefined ? (p.data ? 'manual' : '') : String(p.value)) },
  { colId: 'matchType', field: 'matchType', headerName: 'Type', width: 70 },
  { colId: 'rowsA', field: 'rowsA', headerName: 'Rows A', width: 80, ...num },
  { colId: 'rowsB', field: 'rowsB', headerName: 'Rows B', width: 80, ...num },
  { colId: 'sumA', field: 'sumA', headerName: 'Sum A', width: 120, ...num },
  { colId: 'sumB', field: 'sumB', headerName: 'Sum B', width: 120, ...num },
  { colId: 'difference', field: 'difference', headerName: 'Difference', width: 110, ...num },
  { colId: 'score', field: 'score', headerName: 'Score', width: 80, ...num, valueFormatter: (p) => (typeof p.value === 'number' ? p.value.toFixed(3) : '') },
  { colId: 'date', field: 'date', headerName: 'Date', width: 110 },
  { colId: 'label', field: 'label', headerName: 'Counterparty', flex: 1, minWidth: 160 },
];

export const UNMATCHED_COLUMNS: ColDef<UnmatchedRow>[] = [
  { colId: 'id', field: 'id', headerName: 'Id', width: 150, cellClass: 'mono' },
  { colId: 'status', field: 'status', headerName: 'Status', width: 130, cellClass: (p) => `match-state state-${String(p.value ?? '').toLowerCase()}` },
  { colId: 'date', field: 'date', headerName: 'Date', width: 100 },
  { colId: 'amount', field: 'amount', headerName: 'Amount', width: 110, ...num },
  { colId: 'details', headerName: 'Details', flex: 1, minWidth: 160, valueGetter: (p) => (p.data ? rowDetails(p.data) : ''), tooltipValueGetter: (p) => (p.data ? rowDetails(p.data) : '') },
];
