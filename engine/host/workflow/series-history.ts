/**
 * breaks.history: a break across the runs of its series. Break memory links
 * each run to the previous one (series_info.previous_run_id) and each CARRIED
 * or CHANGED break to the previous run's break (previous_break_id); this walks
 * those links back, reading each earlier run file read-only (borrowed from
 * the host's cache, so the grid's open files stay open), with the decision in
 * force on each break from the workflow store (readHistory, the same reader
 * review.history uses: carried decisions show as soon as the store has them).
 */
import type { CallResult, SeriesBreak } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import type { RunFileCache } from '../../run-file/cache.ts';
import { readBreaksByIds } from '../../run-file/grid/by-ids.ts';
import type { RunFile } from '../../run-file/run-file.ts';
import { previousBreakId, readSeriesInfo } from '../../run-file/series-info.ts';
import type { Store } from '../../store/store.ts';
import { readHistory } from './history.ts';

type History = CallResult<'breaks.history'>;

/** Runs read at most, this one included. */
export const HISTORY_RUNS = 30;

interface Step {
  entry: SeriesBreak;
  /** Where the chain goes on: the previous run and its break; or why it ends. */
  next: { runId: string; breakId: number } | 'FIRST_SEEN' | 'NO_MEMORY';
}

export async function readSeriesHistory(opts: { store: Store; dbs: RunFileCache; current: RunFile }, breakId: number, limit = HISTORY_RUNS): Promise<History> {
  const entries: SeriesBreak[] = [];
  let step = await stepAt(opts.store, opts.current, breakId);
  if (step === null) throw new ReconError('NOT_FOUND', `run ${opts.current.runId} has no break ${breakId}`, { runId: opts.current.runId, breakId });
  for (;;) {
    entries.push(step.entry);
    const next: Step['next'] = step.next;
    if (next === 'FIRST_SEEN' || next === 'NO_MEMORY') return { entries, end: next, missingRunId: null };
    if (entries.length >= limit) return { entries, end: 'LIMIT', missingRunId: null };
    let found: Step | null;
    try {
      found = await opts.dbs.borrow(next.runId, (db) => stepAt(opts.store, db, next.breakId));
    } catch (err) {
      // A run made elsewhere, deleted, or not registered here: the history ends there.
      if (err instanceof ReconError && err.code === 'RUN_NOT_FOUND') return { entries, end: 'RUN_MISSING', missingRunId: next.runId };
      throw err;
    }
    if (found === null) return { entries, end: 'RUN_MISSING', missingRunId: next.runId };
    step = found;
  }
}

/** One run's break, with its decision, and where its history goes on. */
async function stepAt(store: Store, db: RunFile, breakId: number): Promise<Step | null> {
  const [row] = await readBreaksByIds(db, [breakId]);
  if (row === undefined) return null;
  const info = await readSeriesInfo(db);
  const decided = readHistory(store, db.runId, breakId).current;
  const entry: SeriesBreak = {
    runId: db.runId,
    asOf: info?.asOf ?? null,
    breakId,
    valueA: row.valueA,
    valueB: row.valueB,
    delta: row.delta,
    lifecycle: row.lifecycle,
    ageDays: row.ageDays,
    // The store's word on this run's break, over the model's (the open handle's overlay may lag behind it).
    reason: decided ? (decided.reason ?? row.modelReason) : row.modelReason,
    status: decided ? decided.status : row.modelStatus,
    decision: decided,
  };
  if (!db.hasMemory || info === null) return { entry, next: 'NO_MEMORY' };
  const previous = await previousBreakId(db, breakId);
  if (previous === null || info.previousRunId === null) return { entry, next: 'FIRST_SEEN' };
  return { entry, next: { runId: info.previousRunId, breakId: previous } };
}
