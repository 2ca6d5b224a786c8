import type { ReconErrorData } from '../errors/recon-error.ts';
import type { ProgressEvent } from './progress.ts';
import type { InputFingerprints, RunRequest, RunSummary } from './run-recon.ts';

/**
 * Messages between a host and the run worker. Requests carry a sequence
 * number; every reply names the one it answers, so a host can run several.
 */
export type WorkerRequest =
  | { type: 'run'; seq: number; request: RunRequest }
  | { type: 'cancel'; seq: number };

export type WorkerReply =
  | { type: 'progress'; seq: number; event: ProgressEvent }
  /** The inputs' SHA-256, as soon as the worker has them (the host registers the run with them; hashed once). */
  | { type: 'fingerprints'; seq: number; inputs: InputFingerprints }
  | { type: 'done'; seq: number; summary: RunSummary }
  | { type: 'error'; seq: number; error: ReconErrorData };
