import type { GridState } from 'ag-grid-community';
import type { FilterModel } from '../../../../engine/contract/index.ts';

/** What the breaks grid remembers per run while the app is open, so Back from a detail lands where you were. */
export interface GridMemory {
  state: GridState | undefined;
  quickFilter: string;
  facets: FilterModel;
}

const memory = new Map<string, GridMemory>();

export function recall(runId: string): GridMemory | undefined {
  return memory.get(runId);
}

export function remember(runId: string, m: GridMemory): void {
  memory.set(runId, m);
  if (memory.size > 8) memory.delete(memory.keys().next().value as string);
}
