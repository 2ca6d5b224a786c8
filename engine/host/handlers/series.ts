/**
 * The recon page: a series' runs over time. Figures come from the runs
 * registry's summaries and the store's decided statuses; the overdue breaks
 * from each run's file, counted once and kept (series/overdue.ts).
 */
import { existsSync } from 'node:fs';
import type { SeriesRun } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { OverdueCounts } from '../series/overdue.ts';
import { decidedCounts, latestCompleted, readRuns, type SeriesRunRow } from '../series/registry.ts';
import type { Handlers, HostContext } from './types.ts';

export function seriesHandlers(ctx: HostContext): Pick<Handlers, 'series.list' | 'series.get'> {
  const overdue = new OverdueCounts(ctx.store, ctx.dbs);
  /** The run's file is in this workspace: not made on another workstation, not deleted. */
  const hasFile = (r: SeriesRunRow): boolean => {
    if (r.remoteDevice !== null || r.status !== 'COMPLETED') return false;
    try {
      return existsSync(ctx.runs.databasePath(r.runId));
    } catch (err) {
      if (err instanceof ReconError && err.code === 'RUN_NOT_FOUND') return false;
      throw err;
    }
  };
  const latestOf = (runs: readonly SeriesRunRow[]) => {
    const r = latestCompleted(runs);
    return r === null ? null : { runId: r.runId, asOf: r.asOf, open: r.breaks ?? 0, hasFile: hasFile(r) };
  };

  return {
    'series.list': async () => {
      const bySeries = new Map<string, SeriesRunRow[]>();
      for (const r of readRuns(ctx.store, null)) {
        const runs = bySeries.get(r.definition) ?? [];
        runs.push(r);
        bySeries.set(r.definition, runs);
      }
      const series = [...bySeries].map(([name, runs]) => {
        const last = runs.reduce((a, b) => (b.startedAt > a.startedAt || (b.startedAt === a.startedAt && b.runId > a.runId) ? b : a));
        return {
          name,
          runs: runs.length,
          completed: runs.filter((r) => r.status === 'COMPLETED').length,
          lastRun: { runId: last.runId, status: last.status, startedAt: last.startedAt, asOf: last.asOf },
          latest: latestOf(runs),
        };
      });
      series.sort((x, y) => (x.lastRun.startedAt < y.lastRun.startedAt ? 1 : x.lastRun.startedAt > y.lastRun.startedAt ? -1 : x.name < y.name ? -1 : 1));
      return { series };
    },
    'series.get': async ({ name, limit }) => {
      const all = readRuns(ctx.store, name);
      if (all.length === 0) throw new ReconError('NOT_FOUND', `no runs of "${name.slice(0, 200)}" in this workspace`, { name: name.slice(0, 200) });
      const shown = all.slice(-limit);
      const files = new Map(shown.map((r) => [r.runId, hasFile(r)]));
      const decided = decidedCounts(
        ctx.store,
        shown.filter((r) => r.status === 'COMPLETED').map((r) => r.runId),
      );
      const counted = await overdue.of(shown.filter((r) => files.get(r.runId) === true && r.lifecycle !== null).map((r) => r.runId));
      const runs: SeriesRun[] = shown.map((r) => {
        const completed = r.status === 'COMPLETED';
        return {
          runId: r.runId,
          status: r.status,
          startedAt: r.startedAt,
          finishedAt: r.finishedAt,
          asOf: r.asOf,
          previousRunId: r.previousRunId,
          remoteDevice: r.remoteDevice,
          hasFile: files.get(r.runId) === true,
          open: completed ? r.breaks : null,
          decided: completed ? (decided.get(r.runId) ?? 0) : null,
          new: r.lifecycle?.new ?? null,
          carried: r.lifecycle?.carried ?? null,
          changed: r.lifecycle?.changed ?? null,
          resolved: r.lifecycle?.resolved ?? null,
          overdue: counted.get(r.runId) ?? null,
          unknownRate: completed ? r.unknownRate : null,
        };
      });
      return { name, total: all.length, runs, latest: latestOf(all) };
    },
  };
}
