import { Worker } from 'node:worker_threads';
import { ReconError } from '../errors/recon-error.ts';
import type { ProgressSink } from '../run/progress.ts';
import type { InputFingerprints, RunRequest, RunSummary } from '../run/run-recon.ts';
import type { WorkerReply, WorkerRequest } from '../run/worker-protocol.ts';

/** An engine worker's entry in both forms (see workerEntryUrl). */
export interface WorkerEntry {
  /** From source: the `.mjs` shim that registers tsx and imports the TypeScript worker, relative to the calling module. */
  source: string;
  /** From a bundle: the worker's own entry, built beside the chunks (an input in electron.vite.config.ts and in bin/cli-bundle.mjs). */
  bundled: string;
}

/** The run worker: engine/run/run-worker.ts, built as out/main/run-worker.js. */
export const RUN_WORKER: WorkerEntry = { source: '../run/worker-entry.mjs', bundled: 'run-worker.js' };

/**
 * Where a worker's entry file is for the module at `moduleUrl` (pass your
 * `import.meta.url`). From source (the tests, `recon serve` through
 * scripts/serve.ts, and the CLI when RECON_NO_BUNDLE=1 run TypeScript through
 * tsx, so the module URL ends in `.ts`) it is the tsx shim; from a bundle it
 * is `bundled`, beside the chunk this code was bundled into. Both bundles are
 * flat: the desktop app's out/main (inside app.asar when packaged) and the
 * CLI's node_modules/.cache/recon-cli/<key>/ (bin/cli-bundle.mjs).
 */
export function workerEntryUrl(entry: WorkerEntry, moduleUrl: string): URL {
  const fromSource = /\.[cm]?ts$/.test(new URL(moduleUrl).pathname);
  return new URL(fromSource ? entry.source : `./${entry.bundled}`, moduleUrl);
}

export interface RunHandle {
  result: Promise<RunSummary>;
  /** The inputs' SHA-256 once the worker has hashed them; undefined when the run ended before (a missing file, a bad header). */
  fingerprints: Promise<InputFingerprints | undefined>;
  cancel(): void;
}

/**
 * Starts the run worker thread. It loads the engine (DuckDB among it, ~0.3 s)
 * while the caller does its own start-up; `runInWorker` then gives it the run.
 */
export function startRunWorker(): Worker {
  return new Worker(workerEntryUrl(RUN_WORKER, import.meta.url));
}

/**
 * Runs a recon on a worker thread (a new one, or `worker` from
 * startRunWorker). Progress arrives as events; a crash of the worker surfaces
 * as an error, never a hang.
 */
export function runInWorker(request: RunRequest, onProgress?: ProgressSink, worker: Worker = startRunWorker()): RunHandle {
  const seq = 1;
  const post = (m: WorkerRequest): void => worker.postMessage(m);
  let settled = false;
  let fingerprinted: (inputs: InputFingerprints | undefined) => void = () => undefined;
  const fingerprints = new Promise<InputFingerprints | undefined>((resolvePromise) => (fingerprinted = resolvePromise));
  const result = new Promise<RunSummary>((resolvePromise, reject) => {
    worker.on('message', (m: WorkerReply) => {
      if (m.seq !== seq) return;
      switch (m.type) {
        case 'progress':
          onProgress?.(m.event);
          break;
        case 'fingerprints':
          fingerprinted(m.inputs);
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
  // Settled without hashes (the run failed first): the promise still ends. A later call is a no-op.
  result.then(
    () => fingerprinted(undefined),
    () => fingerprinted(undefined),
  );
  post({ type: 'run', seq, request });
  return { result, fingerprints, cancel: () => post({ type: 'cancel', seq }) };
}
