/**
 * The engine's worker thread (out/main/engine-worker.js, and the CLI bundle's
 * engine-worker.js): runs, inference, exports and retraining off the host's
 * main thread — the Electron main process, `recon serve`, the CLI — which must
 * keep answering IPC, the WebSocket bridge and the grid. A run is minutes of
 * DuckDB, an XLSX of a million breaks ~30 s of JavaScript, a retraining
 * minutes of CPU.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerStartData } from './protocol.ts';
import { serveJobs, type JobRunners } from './serve.ts';

const port = parentPort;
if (!port) throw new Error('the engine worker must be started as a worker thread');

const runners: JobRunners = {
  run: async () => (await import('./jobs/run.ts')).runJob,
  infer: async () => (await import('./jobs/infer.ts')).inferJob,
  export: async () => (await import('./jobs/export.ts')).exportJob,
  retrain: async () => (await import('./jobs/retrain.ts')).retrainJob,
};

serveJobs(port, runners, (workerData as WorkerStartData | null)?.warm);
