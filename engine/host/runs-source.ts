/**
 * Where the runs list comes from: the workflow store's runs registry, the
 * system of record for every run any host (CLI, desktop, browser) started.
 * A `runs/*.json` without a registry row (a run from before the store) is
 * not listed. The run's DuckDB file keeps the full summary for detail.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorData, RunListItem } from '../contract/index.ts';
import { isErrorData, ReconError } from '../errors/recon-error.ts';
import type { Store } from '../store/store.ts';
import { getRun, listRuns, type RunRecord } from '../workflow/runs.ts';

export interface RunsSource {
  /** The registry's runs, newest first. */
  list(): Promise<RunListItem[]>;
  /** A COMPLETED run's registry record; RUN_NOT_FOUND when unregistered or not finished. */
  completed(runId: string): RunRecord;
  /** The run's DuckDB file (RUN_NOT_FOUND when the run is not registered). */
  databasePath(runId: string): string;
}

/** How a run pulled from the team server names where its file is: remote:<device id>. */
const REMOTE_PREFIX = 'remote:';

/** How many runs the list shows. */
const LIST_LIMIT = 500;

/** The runs registry of `store`, with run files under `<workspace>/runs`. */
export function registryRunsSource(store: Store, workspace: string): RunsSource {
  return {
    async list() {
      return listRuns(store, LIST_LIMIT).map(toListItem);
    },
    completed(runId) {
      const run = getRun(store, runId);
      if (run.status !== 'COMPLETED') {
        throw new ReconError('RUN_NOT_FOUND', `run ${runId} is ${run.status}: it has no results to show`, { runId, status: run.status });
      }
      return run;
    },
    databasePath(runId) {
      const run = getRun(store, runId);
      if (run.duckdbPath.startsWith(REMOTE_PREFIX)) {
        const device = run.duckdbPath.slice(REMOTE_PREFIX.length);
        throw new ReconError('RUN_NOT_FOUND', `run ${runId} was made on another workstation (device ${device}): its results stay there; its breaks under review are in Approvals`, {
          runId,
          device,
        });
      }
      // A workspace folder moved since the run keeps its files beside it.
      return existsSync(run.duckdbPath) ? run.duckdbPath : join(workspace, 'runs', `${runId}.duckdb`);
    },
  };
}

interface SummaryFields {
  counts?: { a?: number; b?: number; matched?: number };
  breaks?: { total?: number };
  checks?: { passed?: boolean }[];
  checksPassed?: boolean;
  gate?: { passed?: boolean };
}

/** A registry row as a line of the runs list. A cancelled run is recorded FAILED with RUN_CANCELLED. */
export function toListItem(r: RunRecord): RunListItem {
  const s = (r.summary ?? null) as SummaryFields | null;
  const error: ErrorData | null = isErrorData(r.error) ? { code: r.error.code, message: r.error.message } : null;
  const counts = s?.counts;
  return {
    runId: r.runId,
    definition: r.definitionName,
    status: r.status === 'FAILED' && error?.code === 'RUN_CANCELLED' ? 'CANCELLED' : r.status,
    startedBy: r.startedBy,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    counts: counts ? { a: counts.a ?? 0, b: counts.b ?? 0, matched: counts.matched ?? 0 } : null,
    breaks: s?.breaks?.total ?? null,
    checks: s?.checks ? { passed: s.checks.filter((c) => c.passed).length, total: s.checks.length } : null,
    gatePassed: s ? (s.gate?.passed ?? s.checksPassed ?? null) : null,
    progress: null,
    error,
    remoteDevice: r.duckdbPath.startsWith(REMOTE_PREFIX) ? r.duckdbPath.slice(REMOTE_PREFIX.length) : null,
  };
}
