import { z } from 'zod';
import { definitionSchema } from '../definition/schema.ts';
import { defineCall } from './call.ts';
import { errorDataSchema } from './errors.ts';
import { filePathSchema, runIdSchema } from './ids.ts';

export const RUN_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const count = z.number().int().nonnegative();
const countRecord = z.record(z.string(), z.number());

const sourceFileSchema = z.object({ path: z.string(), bytes: z.number(), sha256: z.string(), format: z.string() });

export const checkResultSchema = z.object({
  name: z.string(),
  type: z.string(),
  side: z.enum(['a', 'b']),
  expected: z.string(),
  actual: z.string(),
  passed: z.boolean(),
  discrepancy: z.string().nullable(),
  message: z.string(),
});
export type CheckResultDto = z.infer<typeof checkResultSchema>;

/** A completed run's summary, as the engine writes it (`<run-id>.json`, `run_info.summary`). */
export const runSummarySchema = z.object({
  runId: z.string(),
  definition: z.string(),
  status: z.literal('COMPLETED'),
  startedAt: z.string(),
  finishedAt: z.string(),
  database: z.string(),
  inputs: z.object({ a: sourceFileSchema, b: sourceFileSchema }),
  counts: z.object({
    a: count,
    b: count,
    matched: count,
    matchedExact: count,
    matchedWithinTolerance: count,
    matchedWithBreaks: count,
    missingInA: count,
    missingInB: count,
    duplicateKeysA: count,
    duplicateKeysB: count,
    rejectedA: count,
    rejectedB: count,
    // Since 0.2 (every row in one bucket); absent from older runs' summaries.
    rejectedInA: count.optional(),
    rejectedInB: count.optional(),
    duplicateRowsA: count.optional(),
    duplicateRowsB: count.optional(),
  }),
  breaks: z.object({ total: count, byField: countRecord, byType: countRecord }),
  withinTolerance: z.object({ byField: countRecord }),
  columnsOnlyInA: z.array(z.string()).default([]),
  columnsOnlyInB: z.array(z.string()).default([]),
  rejects: z.object({
    a: count,
    b: count,
    sample: z.array(
      z.object({
        side: z.string(),
        file: z.string(),
        line: z.number().nullable(),
        column: z.string().nullable(),
        rawValue: z.string().nullable(),
        reason: z.string(),
      }),
    ),
  }),
  checks: z.array(checkResultSchema),
  checksPassed: z.boolean(),
  controlTotals: z.array(z.object({ field: z.string(), currency: z.string(), a: z.string(), b: z.string(), difference: z.string() })),
  warnings: z.object({ a: z.array(z.string()), b: z.array(z.string()) }),
  timings: countRecord,
});
export type RunSummaryDto = z.infer<typeof runSummarySchema>;

/** What the model said about a run's breaks, when the run has an `attributions` table. */
export const attributionSummarySchema = z.object({
  byReason: countRecord,
  byStatus: countRecord,
  /** Share of breaks left UNKNOWN (0..1). */
  unknownRate: z.number(),
});

/** The quality gate: every integrity check passes and the unknown rate is within the limit. */
export const gateSchema = z.object({
  passed: z.boolean(),
  checksPassed: z.boolean(),
  unknownRate: z.number().nullable(),
  unknownRateLimit: z.number(),
});

/** One line of the runs list: every run in the workflow store's registry, plus this session's runs not registered yet. */
export const runListItemSchema = z.object({
  runId: z.string(),
  definition: z.string(),
  status: z.enum(RUN_STATUSES),
  /** Who started it (the registry's actor); null for this session's not-yet-registered runs. */
  startedBy: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: z.object({ a: count, b: count, matched: count }).nullable(),
  breaks: count.nullable(),
  checks: z.object({ passed: count, total: count }).nullable(),
  /** Quality gate from the integrity checks; null while running or after a failure. */
  gatePassed: z.boolean().nullable(),
  /** 0..1 while RUNNING. */
  progress: z.number().nullable(),
  error: errorDataSchema.nullable(),
  /** The device a run pulled from the team server was made on (its results stay there); null for this workspace's runs. */
  remoteDevice: z.string().nullable(),
});
export type RunListItem = z.infer<typeof runListItemSchema>;

export const runsCalls = {
  'runs.list': defineCall({
    summary: 'Every run in the workspace, newest first, with running and failed runs of this session.',
    args: z.object({}).strict(),
    result: z.object({ runs: z.array(runListItemSchema) }),
  }),
  'runs.get': defineCall({
    summary: "A completed run's summary, the definition it used, the attribution summary and the quality gate.",
    args: z.object({ runId: runIdSchema }).strict(),
    result: z.object({
      summary: runSummarySchema,
      definition: z.unknown(),
      attribution: attributionSummarySchema.nullable(),
      gate: gateSchema,
      /**
       * Review progress (engine/report/review-figures.ts: the same figures the narrative, the summaries and
       * the evidence pack state). decided: breaks whose status now is final (ACCEPTED, OVERRIDDEN, REJECTED);
       * byStatus: the status now of every break a decision touched (REVIEW/AUTO: reopened, or its proposal
       * rejected or withdrawn); byReason: every break by its reason now (a decision's over the model's).
       */
      review: z.object({
        byStatus: countRecord,
        pendingProposals: count,
        decided: count,
        decidedByStatus: z.object({ ACCEPTED: count, OVERRIDDEN: count, REJECTED: count }),
        proposals: z.object({ pending: count, pendingBreaks: count, approved: count, rejected: count, withdrawn: count }),
        byReason: countRecord,
      }),
    }),
  }),
  'runs.start': defineCall({
    summary: 'Starts a recon on a worker thread; progress and the outcome arrive as run.progress / run.finished events.',
    args: z.object({ aPath: filePathSchema, bPath: filePathSchema, definition: definitionSchema }).strict(),
    result: z.object({ runId: z.string() }),
  }),
  'runs.cancel': defineCall({
    summary: 'Asks a running recon to stop; it finishes with status CANCELLED.',
    args: z.object({ runId: runIdSchema }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  }),
};

/** Progress of a running recon, for a live bar. */
export const runProgressEventSchema = z.object({
  type: z.literal('run.progress'),
  runId: z.string(),
  stage: z.string(),
  label: z.string(),
  rowsDone: z.number(),
  rowsTotal: z.number().nullable(),
  /** 0..1 over the whole run. */
  overall: z.number(),
});

/** A recon ended: completed, failed (with the error as data) or cancelled. */
export const runFinishedEventSchema = z.object({
  type: z.literal('run.finished'),
  runId: z.string(),
  status: z.enum(['COMPLETED', 'FAILED', 'CANCELLED']),
  error: errorDataSchema.nullable(),
});
