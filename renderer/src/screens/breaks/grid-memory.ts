import type { GridState } from 'ag-grid-community';
import type { ContextColumn, FilterModel, SortModel } from '../../../../engine/contract/index.ts';

/** The rows the grid shows: what its last breaks.page call asked for (the detail steps through the same rows). */
export interface GridView {
  sortModel: SortModel;
  filterModel: FilterModel;
  quickFilter: string;
  /** Record-context columns shown (the quick filter searches them too). */
  context?: ContextColumn[];
}

/** The grid's row a person was on: its position in the view and its break. */
export interface GridFocus {
  index: number;
  breakId: number;
}

/** What the breaks grid remembers per run while the app is open, so Back from a detail lands where you were. */
export interface GridMemory {
  state: GridState | undefined;
  quickFilter: string;
  facets: FilterModel;
  /** The last view the grid paged, the focused row and the body's scroll offset (px). */
  view?: GridView;
  focus?: GridFocus;
  scrollTop?: number;
}

const memory = new Map<string, GridMemory>();

export function recall(runId: string): GridMemory | undefined {
  return memory.get(runId);
}

export function remember(runId: string, m: GridMemory): void {
  memory.set(runId, { ...memory.get(runId), ...m });
  if (memory.size > 8) memory.delete(memory.keys().next().value as string);
}

/** Updates part of a run's memory (the view as the grid pages, the focused row as the detail steps). */
export function rememberPart(runId: string, part: Partial<GridMemory>): void {
  const m = memory.get(runId) ?? { state: undefined, quickFilter: '', facets: {} };
  remember(runId, { ...m, ...part });
}
