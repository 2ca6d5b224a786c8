import { z } from 'zod';
import { defineCall } from './call.ts';
import { errorDataSchema } from './errors.ts';

export const modelMetricsSchema = z.object({
  threshold: z.number(),
  evaluated: z.number(),
  accuracy: z.number(),
  autoRate: z.number(),
  autoAccuracy: z.number(),
  perClass: z.record(z.string(), z.object({ precision: z.number(), recall: z.number(), support: z.number() })),
});
export type ModelMetricsDto = z.infer<typeof modelMetricsSchema>;

export const RETRAIN_STATES = ['RUNNING', 'DONE', 'FAILED', 'CANCELLED', 'PROMOTED'] as const;

/** Retraining's stages, in order (engine/training/retrain-progress.ts). */
export const RETRAIN_STAGE_NAMES = ['labels', 'features', 'training', 'scoring', 'promoting'] as const;

/** Where a running retraining is: its stage and the fraction of that stage done. */
export const retrainProgressSchema = z.object({ stage: z.enum(RETRAIN_STAGE_NAMES), fraction: z.number().min(0).max(1), message: z.string() });
export type RetrainProgressDto = z.infer<typeof retrainProgressSchema>;

/**
 * The held-out set figures are on (engine/training/held-out.ts): the baseline's
 * held-out breaks plus the workspace's held-out labels. `key` names the set;
 * `upToDate` is false when the workspace's labels changed since the figures
 * were measured (a retraining measures again).
 */
export const heldOutSchema = z.object({ key: z.string(), baseline: z.number(), workspace: z.number(), upToDate: z.boolean(), measuredAt: z.string().nullable() });
export type HeldOutDto = z.infer<typeof heldOutSchema>;

/** The host's latest retraining: its log, and new against current on the same held-out rows. */
export const retrainJobSchema = z.object({
  jobId: z.string(),
  state: z.enum(RETRAIN_STATES),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  log: z.array(z.string()),
  /** The latest stage and fraction while it runs. */
  progress: retrainProgressSchema.nullable(),
  result: z
    .object({
      candidate: z.object({ version: z.string(), metrics: modelMetricsSchema }),
      current: z.object({ version: z.string(), metrics: modelMetricsSchema }),
      /** The new model is no worse on the held-out rows (the promotion rule). */
      promotable: z.boolean(),
      workspaceLabels: z.number(),
      /** The held-out set both columns are on. */
      heldOut: heldOutSchema,
    })
    .nullable(),
  error: errorDataSchema.nullable(),
});
export type RetrainJob = z.infer<typeof retrainJobSchema>;

export const modelCalls = {
  'model.info': defineCall({
    summary: 'The current attribution model (version, training size, held-out metrics), labels available and the latest retraining.',
    args: z.object({}).strict(),
    result: z.object({
      version: z.string(),
      baseline: z.boolean(),
      trainedAt: z.string(),
      trainingSetSize: z.number(),
      classes: z.array(z.string()),
      /** Figures on the held-out set `heldOut` (the same set the retrain table uses), null for a model never measured. */
      metrics: modelMetricsSchema.nullable(),
      heldOut: heldOutSchema.nullable(),
      /** Reviewers' decisions usable as training labels (ACCEPTED or OVERRIDDEN breaks). */
      labels: z.number(),
      job: retrainJobSchema.nullable(),
    }),
  }),
  'model.retrain': defineCall({
    summary: 'Admin: retrains on the baseline plus reviewers’ labels off the main thread; progress arrives as model.progress events.',
    args: z.object({ threshold: z.number().min(0).max(1).default(0.9) }).strict(),
    result: z.object({ jobId: z.string() }),
  }),
  'model.cancel': defineCall({
    summary: 'Admin: stops a running retraining; the current model stays as it was.',
    args: z.object({ jobId: z.string().max(100) }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  }),
  'model.promote': defineCall({
    summary: "Admin: makes a finished retraining's model the workspace's current one (only when no worse; audited as model.promoted).",
    args: z.object({ jobId: z.string().max(100) }).strict(),
    result: z.object({ version: z.string(), path: z.string() }),
  }),
};

export const modelProgressEventSchema = z.object({
  type: z.literal('model.progress'),
  jobId: z.string(),
  message: z.string(),
  elapsedMs: z.number(),
  /** Absent on a plain log line. */
  progress: retrainProgressSchema.optional(),
});
export const modelFinishedEventSchema = z.object({ type: z.literal('model.finished'), jobId: z.string(), state: z.enum(RETRAIN_STATES), error: errorDataSchema.nullable() });
