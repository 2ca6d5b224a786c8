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

export const RETRAIN_STATES = ['RUNNING', 'DONE', 'FAILED', 'PROMOTED'] as const;

/** The host's latest retraining: its log, and new against current on the same held-out rows. */
export const retrainJobSchema = z.object({
  jobId: z.string(),
  state: z.enum(RETRAIN_STATES),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  log: z.array(z.string()),
  result: z
    .object({
      candidate: z.object({ version: z.string(), metrics: modelMetricsSchema }),
      current: z.object({ version: z.string(), metrics: modelMetricsSchema }),
      /** The new model is no worse on the held-out rows (the promotion rule). */
      promotable: z.boolean(),
      workspaceLabels: z.number(),
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
      metrics: modelMetricsSchema.nullable(),
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
  'model.promote': defineCall({
    summary: "Admin: makes a finished retraining's model the workspace's current one (only when no worse; audited as model.promoted).",
    args: z.object({ jobId: z.string().max(100) }).strict(),
    result: z.object({ version: z.string(), path: z.string() }),
  }),
};

export const modelProgressEventSchema = z.object({ type: z.literal('model.progress'), jobId: z.string(), message: z.string(), elapsedMs: z.number() });
export const modelFinishedEventSchema = z.object({ type: z.literal('model.finished'), jobId: z.string(), state: z.enum(RETRAIN_STATES), error: errorDataSchema.nullable() });
