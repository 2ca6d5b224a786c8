import { Worker } from 'node:worker_threads';
import { ReconError } from '../errors/recon-error.ts';
import type { ProgressSink } from '../run/progress.ts';
import type { RunRequest, RunSummary } from '../run/run-recon.ts';
import type { WorkerReply, WorkerRequest } from '../run/worker-protocol.ts';

/** Where the worker's entry file is, next to this module (source or bundle). */
function workerUrl(): URL {
  return new URL('../run/worker-entry.mjs', import.meta.url);
}

export interface RunHandle {
  result: Promise<RunSummary>;
  cancel(): void;
}

/**
 * Runs a recon on a worker thread. Progress arrives as events; a crash of the
 * worker surfaces as an error, never a hang.
 */
export function runInWorker(request: RunRequest, onProgress?: ProgressSink): RunHandle {
  const worker = new Worker(workerUrl());
  const seq = 1;
  const post = (m: WorkerRequest): void => worker.postMessage(m);
  let settled = false;
  const result = new Promise<RunSummary>((resolvePromise, reject) => {
    worker.on('message', (m: WorkerReply) => {
      if (m.seq !== seq) return;
      switch (m.type) {
        case 'progress':
          onProgress?.(m.event);
          break;
        case 'done':
          settled = true;
          resolvePromise(m.summary);
          void worker.terminate();
          break;
        case 'error':
          settled = true;
          reject(new ReconError(m.error.code, m.error.message, m.error.details));
          void worker.terminate();
          break;
      }
    });
    worker.on('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new ReconError('INTERNAL_ERROR', `run worker crashed: ${err.message}`));
    });
    worker.on('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new ReconError('INTERNAL_ERROR', `run worker exited unexpectedly (code ${code})`));
    });
  });
  post({ type: 'run', seq, request });
  return { result, cancel: () => post({ type: 'cancel', seq }) };
}
