import { DEFAULT_UNKNOWN_RATE_LIMIT, qualityGate, type QualityGate } from '../../attribution/quality-gate.ts';
import { definitionAsWrittenSchema, storedRunSummarySchema, type DefinitionInput } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { readRunInfo } from '../../run-file/run-info.ts';
import { readProposalCounts, reviewFigures, type ReviewFigures } from '../../report/review-figures.ts';
import type { Handlers, HostContext } from './types.ts';

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
      const info = await readRunInfo(db);
      if (info.summary === null) throw new ReconError('RUN_NOT_FOUND', `run ${runId}: its database has no summary`, { runId });
      const parsed = storedRunSummarySchema.safeParse(info.summary);
      if (!parsed.success) throw new ReconError('RUN_NOT_FOUND', `run ${runId}: its summary is not a run summary (${parsed.error.issues[0]?.message ?? 'invalid'})`, { runId });
      const fromFile = parsed.data;
      // As the run recorded it (defaults filled in when it ran); one the schema no longer reads is left out.
      const definition = definitionAsWrittenSchema.safeParse(info.definition).data ?? null;
      const { attribution } = info;
      // The file's summary keeps exact floats; the registry's has the final timings.
      const registryTimings = (record.summary as { timings?: Record<string, number> } | null)?.timings;
      const summary = { ...fromFile, ...(registryTimings ? { timings: registryTimings } : {}) };
      return {
        summary,
        definition,
        attribution,
        gate: runGate(fromFile.gate, summary.checksPassed, definition, attribution?.unknownRate ?? null),
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

/**
 * The gate the run recorded (summary.gate, from qualityGate()); a run file from
 * before the gate was recorded gets it from the same function.
 */
function runGate(recorded: QualityGate | undefined, checksPassed: boolean, definition: DefinitionInput | null, unknownRate: number | null) {
  if (recorded) return { passed: recorded.passed, checksPassed: recorded.checksPassed, unknownRate: recorded.unknownRate, unknownRateLimit: recorded.unknownRateLimit };
  const limit = definition?.attribution?.unknownRateLimit;
  const unknownRateLimit = typeof limit === 'number' ? limit : DEFAULT_UNKNOWN_RATE_LIMIT;
  const gate = qualityGate({ checksPassed, unknownRate: unknownRate ?? 0, unknownRateLimit });
  return { passed: gate.passed, checksPassed: gate.checksPassed, unknownRate, unknownRateLimit };
}
