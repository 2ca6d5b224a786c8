/**
 * Where the list of finished runs comes from. For now the summaries beside
 * the run files (`<workspace>/runs/<run-id>.json`); the workflow store's runs
 * registry replaces this module behind the same interface.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunListItem } from '../contract/index.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { RunSummary } from '../run/run-recon.ts';

export interface RunsSource {
  /** The registry's runs, newest first (this one knows completed runs only). */
  list(): Promise<RunListItem[]>;
  /** One completed run's summary; RUN_NOT_FOUND when there is none. */
  get(runId: string): Promise<RunSummary>;
  /** The run's DuckDB file. */
  databasePath(runId: string): string;
}

/** Reads run summaries from `<workspace>/runs/*.json`. */
export function fileRunsSource(workspace: string): RunsSource {
  const runsDir = join(workspace, 'runs');
  const read = async (file: string): Promise<RunSummary | null> => {
    try {
      return JSON.parse(await readFile(join(runsDir, file), 'utf8')) as RunSummary;
    } catch {
      return null; // a half-written or foreign JSON file is not a run
    }
  };
  return {
    async list() {
      if (!existsSync(runsDir)) return [];
      const files = (await readdir(runsDir)).filter((f) => f.endsWith('.json'));
      const runs = (await Promise.all(files.map(read))).filter((r): r is RunSummary => r !== null && typeof r.runId === 'string');
      return runs.sort((x, y) => (x.startedAt < y.startedAt ? 1 : x.startedAt > y.startedAt ? -1 : 0)).map(toListItem);
    },
    async get(runId) {
      const summary = existsSync(join(runsDir, `${runId}.json`)) ? await read(`${runId}.json`) : null;
      if (summary === null) throw new ReconError('RUN_NOT_FOUND', `run ${runId} does not exist in this workspace`, { runId });
      return summary;
    },
    databasePath: (runId) => join(runsDir, `${runId}.duckdb`),
  };
}

/** A completed run's line in the runs list. */
export function toListItem(s: RunSummary): RunListItem {
  return {
    runId: s.runId,
    definition: s.definition,
    status: 'COMPLETED',
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    counts: { a: s.counts.a, b: s.counts.b, matched: s.counts.matched },
    breaks: s.breaks.total,
    checks: { passed: s.checks.filter((c) => c.passed).length, total: s.checks.length },
    gatePassed: s.checksPassed,
    progress: null,
    error: null,
  };
}
