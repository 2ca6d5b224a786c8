/**
 * The one protocol between a host and an engine worker thread. A host posts
 * `start` with a sequence number and a job; the worker answers under that
 * number with any number of `progress` messages, then one `result` or one
 * `error`; `cancel` asks it to stop. Every job kind is declared once, here:
 * what it is asked, what it reports while it works, what it answers.
 */
import type { TrainingExample } from '../attribution/training-data.ts';
import type { ReconErrorData } from '../errors/recon-error.ts';
import type { InferRequest } from '../infer/infer.ts';
import type { InferenceResult } from '../infer/types.ts';
import type { ExportRequest, ExportResult } from '../report/export.ts';
import type { ProgressEvent } from '../run/progress.ts';
import type { InputFingerprints, RunRequest, RunSummary } from '../run/run-recon.ts';
import type { CarriedDecision } from '../series/link.ts';
import type { RetrainResult } from '../training/retrain.ts';
import type { RetrainProgress } from '../training/retrain-progress.ts';

/** What a run reports: its stages, and the inputs' SHA-256 as soon as it has them (the host registers the run with them; hashed once). */
export type RunUpdate =
  | { type: 'stage'; event: ProgressEvent }
  | { type: 'fingerprints'; inputs: InputFingerprints }
  /** The previous run's decisions this run carries or drops (break memory), for the host to record at completion. */
  | { type: 'carried'; fromRunId: string; carried: CarriedDecision[] };

/** What inference and exports report (the contract's task.progress event, less its ids). */
export interface TaskProgress {
  label: string;
  overall: number;
  rowsDone: number | null;
  rowsTotal: number | null;
}

/**
 * An export in the worker opens its own connection to the workspace store
 * (SQLite allows several), so the job carries no store.
 */
export type ExportJobRequest = Omit<ExportRequest, 'store'>;

/** What retraining needs: a scratch workspace (a copy of the current model), the labels and where to work. */
export interface RetrainJobRequest {
  /** A scratch workspace: retraining "promotes" inside it, never in the real one (model.promote does that). */
  scratch: string;
  workDir: string;
  examples: TrainingExample[];
  extraCodes: string[];
  threshold: number;
  /** A small synthetic baseline instead of the full recipe (tests and demos): seconds instead of minutes. */
  quick: boolean;
  /** Where the baseline data is cached: the real workspace's cache, so it outlives the scratch copy. */
  cacheDir: string;
}

/** A retraining's progress: a stage step (bar) or a line for its log. */
export type RetrainJobProgress = { kind: 'step'; progress: RetrainProgress } | { kind: 'log'; message: string };

/** Every job kind: its request, its progress and its result. */
export interface JobKinds {
  run: { request: RunRequest; progress: RunUpdate; result: RunSummary };
  infer: { request: InferRequest; progress: TaskProgress; result: InferenceResult };
  export: { request: ExportJobRequest; progress: TaskProgress; result: ExportResult };
  retrain: { request: RetrainJobRequest; progress: RetrainJobProgress; result: RetrainResult };
}

export type JobKind = keyof JobKinds;
export type JobRequest<K extends JobKind> = JobKinds[K]['request'];
export type JobProgress<K extends JobKind> = JobKinds[K]['progress'];
export type JobResult<K extends JobKind> = JobKinds[K]['result'];

/** A job as it crosses to the worker: a discriminated union over the kinds. */
export type Job = { [K in JobKind]: { kind: K; request: JobRequest<K> } }[JobKind];

/** How messages name a job kind: "the inference was cancelled". */
export const JOB_NOUN = { run: 'run', infer: 'inference', export: 'export', retrain: 'retraining' } as const satisfies Record<JobKind, string>;

/** Host → worker. */
export type ToWorker = { type: 'start'; seq: number; job: Job } | { type: 'cancel'; seq: number };

/** Worker → host, each naming the `start` it answers. */
export type FromWorker<K extends JobKind = JobKind> =
  | { type: 'progress'; seq: number; progress: JobProgress<K> }
  | { type: 'result'; seq: number; result: JobResult<K> }
  | { type: 'error'; seq: number; error: ReconErrorData }
  // A warm worker has loaded (or failed to load) its kind's code: it may now be ended safely.
  | { type: 'warm'; seq: 0 };

/** What a worker is started with: the job kind whose code it loads at once, before the job arrives. */
export interface WorkerStartData {
  warm?: JobKind;
}
