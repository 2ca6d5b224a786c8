import { readRunInfo } from '../breaks/run-info.ts';
import type { Handlers, HostContext } from './types.ts';

/** Default quality-gate limit on the unknown rate (the definition may set another). */
const DEFAULT_UNKNOWN_RATE_LIMIT = 0.05;

export function runsHandlers(ctx: HostContext): Pick<Handlers, 'runs.list' | 'runs.get' | 'runs.start' | 'runs.cancel'> {
  return {
    'runs.list': async () => {
      // The registry's word wins; this session's runs fill in what it does not know (yet).
      const done = await ctx.runs.list();
      const session = ctx.manager.items().filter((s) => !done.some((d) => d.runId === s.runId));
      const runs = [...session, ...done].sort((x, y) => (x.startedAt < y.startedAt ? 1 : x.startedAt > y.startedAt ? -1 : 0));
      return { runs };
    },
    'runs.get': async ({ runId }) => {
      const summary = await ctx.runs.get(runId);
      const db = await ctx.dbs.get(runId);
      const { definition, attribution } = await readRunInfo(db);
      const limit = unknownRateLimit(definition);
      const unknownRate = attribution?.unknownRate ?? null;
      return {
        summary,
        definition,
        attribution,
        gate: { passed: summary.checksPassed && (unknownRate === null || unknownRate <= limit), checksPassed: summary.checksPassed, unknownRate, unknownRateLimit: limit },
      };
    },
    'runs.start': async (args) => ({ runId: await ctx.manager.start(args) }),
    'runs.cancel': async ({ runId }) => ({ cancelled: ctx.manager.cancel(runId) }),
  };
}

function unknownRateLimit(definition: unknown): number {
  const limit = (definition as { attribution?: { unknownRateLimit?: unknown } } | null)?.attribution?.unknownRateLimit;
  return typeof limit === 'number' ? limit : DEFAULT_UNKNOWN_RATE_LIMIT;
}
