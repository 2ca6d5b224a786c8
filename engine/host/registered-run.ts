import { join, resolve } from 'node:path';
import { toErrorData } from '../errors/recon-error.ts';
import { sha256File } from '../ingest/source-file.ts';
import type { ProgressSink } from '../run/progress.ts';
import { newRunId } from '../run/run-id.ts';
import type { RunRequest, RunSummary } from '../run/run-recon.ts';
import type { Store } from '../store/store.ts';
import type { Identity } from '../workflow/identity.ts';
import { recordRunCompleted, recordRunFailed, recordRunStarted } from '../workflow/runs.ts';
import type { Worker } from 'node:worker_threads';
import { runInWorker } from './run-in-worker.ts';

export interface RegisteredRun {
  runId: string;
  result: Promise<RunSummary>;
  cancel(): void;
}

/**
 * Starts a run on a worker thread (`worker`, if the caller started one early
 * with startRunWorker) and keeps the workflow store's runs registry (and its
 * audit trail) in step: RUNNING as soon as the inputs are fingerprinted, then
 * COMPLETED with the summary or FAILED with the error. Every host (CLI,
 * Electron, browser) starts runs through here.
 */
export function startRegisteredRun(store: Store, actor: Identity, request: RunRequest, onProgress?: ProgressSink, worker?: Worker): RegisteredRun {
  const runId = request.runId ?? newRunId();
  const handle = runInWorker({ ...request, runId }, onProgress, worker);
  // The worker hashes the inputs while DuckDB stages them (each file is read
  // once for it, a few hundred ms a side at 1M rows). A run that fails before
  // then gets them hashed here; an unreadable file fails the run itself with a
  // clear error, so its hash is just left empty.
  const sha = (path: string): Promise<string> => sha256File(path).catch(() => '');
  const started = handle.fingerprints.then(async (inputs) => inputs ?? { a: await sha(request.aPath), b: await sha(request.bPath) }).then(({ a, b }) =>
    recordRunStarted(store, actor, {
      runId,
      definition: request.definition,
      duckdbPath: join(resolve(request.workspace), 'runs', `${runId}.duckdb`),
      inputs: { a: { path: request.aPath, sha256: a }, b: { path: request.bPath, sha256: b } },
    }),
  );
  // Observed at once: if registering the start fails (a busy store), the run's own outcome must not go unhandled.
  handle.result.catch(() => undefined);
  const result = (async () => {
    try {
      await started;
    } catch (err) {
      // The registry could not record the start: stop the worker, and say why the run failed.
      handle.cancel();
      throw err;
    }
    try {
      const summary = await handle.result;
      recordRunCompleted(store, actor, runId, summary);
      return summary;
    } catch (err) {
      recordRunFailed(store, actor, runId, toErrorData(err));
      throw err;
    }
  })();
  return { runId, result, cancel: handle.cancel };
}
