import type { RunSummaryDto } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { readRunInfo } from '../breaks/run-info.ts';
import { readProposalCounts, reviewFigures, type ReviewFigures } from '../../report/review-figures.ts';
import type { Handlers, HostContext } from './types.ts';

/** Default quality-gate limit on the unknown rate (the definition may set another). */
const DEFAULT_UNKNOWN_RATE_LIMIT = 0.05;

export function runsHandlers(ctx: HostContext): Pick<Handlers, 'runs.list' | 'runs.get' | 'runs.start' | 'runs.cancel'> {
  return {
    'runs.list': async () => {
      // The registry's word wins; this session's runs fill in what it does not know yet (a run being fingerprinted).
      const registered = await ctx.runs.list();
      const known = new Set(registered.map((r) => r.runId));
      const session = ctx.manager.items().filter((s) => !known.has(s.runId));
      const runs = [...session, ...registered].sort((x, y) => (x.startedAt < y.startedAt ? 1 : x.startedAt > y.startedAt ? -1 : 0));
      // A run the registry still calls RUNNING shows this session's live progress.
      for (const r of runs) if (r.status === 'RUNNING') r.progress = ctx.manager.progressOf(r.runId) ?? r.progress;
      return { runs };
    },
    'runs.get': async ({ runId }) => {
      const record = ctx.runs.completed(runId);
      const db = await ctx.openRun(runId);
      const { summary: fromFile, definition, attribution } = await readRunInfo(db);
      if (fromFile === null) throw new ReconError('RUN_NOT_FOUND', `run ${runId}: its database has no summary`, { runId });
      // The file's summary keeps exact floats; the registry's has the final timings.
      const registryTimings = (record.summary as { timings?: Record<string, number> } | null)?.timings;
      const summary = { ...(fromFile as RunSummaryDto), ...(registryTimings ? { timings: registryTimings } : {}) };
      const limit = unknownRateLimit(definition);
      const unknownRate = attribution?.unknownRate ?? null;
      return {
        summary,
        definition,
        attribution,
        gate: { passed: summary.checksPassed && (unknownRate === null || unknownRate <= limit), checksPassed: summary.checksPassed, unknownRate, unknownRateLimit: limit },
        review: reviewDto(await db.run((c) => reviewFigures(c, { hasAttributions: db.hasAttributions }, readProposalCounts(ctx.store, runId)))),
      };
    },
    'runs.start': async (args) => ({ runId: await ctx.manager.start(args) }),
    'runs.cancel': async ({ runId }) => ({ cancelled: ctx.manager.cancel(runId) }),
  };
}

/**
 * The overview's review figures: reviewFigures(), the same function the
 * narrative, the summaries and the evidence pack use, over the grid's
 * status_overlay (openRun brought it up to date with the store).
 */
function reviewDto(r: ReviewFigures) {
  return {
    byStatus: r.byStatus,
    pendingProposals: r.proposals.pending,
    decided: r.decided,
    decidedByStatus: r.decidedByStatus,
    proposals: r.proposals,
    byReason: r.byReason,
  };
}

function unknownRateLimit(definition: unknown): number {
  const limit = (definition as { attribution?: { unknownRateLimit?: unknown } } | null)?.attribution?.unknownRateLimit;
  return typeof limit === 'number' ? limit : DEFAULT_UNKNOWN_RATE_LIMIT;
}
