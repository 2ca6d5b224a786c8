import type { ReconErrorData } from '../errors/recon-error.ts';
import type { ProgressEvent } from './progress.ts';
import type { RunRequest, RunSummary } from './run-recon.ts';

/**
 * Messages between a host and the run worker. Requests carry a sequence
 * number; every reply names the one it answers, so a host can run several.
 */
export type WorkerRequest =
  | { type: 'run'; seq: number; request: RunRequest }
  | { type: 'cancel'; seq: number };

export type WorkerReply =
  | { type: 'progress'; seq: number; event: ProgressEvent }
  | { type: 'done'; seq: number; summary: RunSummary }
  | { type: 'error'; seq: number; error: ReconErrorData };
