import type { ReconErrorData } from '../../errors/recon-error.ts';
import type { InferRequest } from '../../infer/infer.ts';
import type { InferenceResult } from '../../infer/types.ts';
import type { ExportRequest, ExportResult } from '../../report/export.ts';

/**
 * Messages between a host and the task worker (inference and exports). Each
 * request carries a sequence number; every reply names the one it answers.
 * An export in the worker opens its own connection to the workspace store
 * (SQLite allows several), so the request carries no store.
 */
export type TaskJob = { kind: 'infer'; request: InferRequest } | { kind: 'export'; request: Omit<ExportRequest, 'store'> };

export interface TaskProgress {
  label: string;
  overall: number;
  rowsDone: number | null;
  rowsTotal: number | null;
}

export type TaskRequest = { type: 'start'; seq: number; job: TaskJob } | { type: 'cancel'; seq: number };

export type TaskReply =
  | { type: 'progress'; seq: number; progress: TaskProgress }
  | { type: 'done'; seq: number; result: InferenceResult | ExportResult }
  | { type: 'error'; seq: number; error: ReconErrorData };
