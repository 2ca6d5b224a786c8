import { z } from 'zod';
import { fieldAdjustSchema, toleranceSchema } from '../definition/schema.ts';
import type { InferenceReport } from '../infer/types.ts';
import { defineCall } from './call.ts';
import { definitionAsWrittenSchema } from './definitions.ts';
import { filePathSchema } from './ids.ts';
import { taskIdSchema } from './tasks.ts';

/**
 * `definitions.infer`: a proposed recon definition for two files, with every
 * choice's confidence (0..1) and one-line reason, so the new-run screen can
 * pre-fill its form and let a person confirm each suggestion. The schemas
 * mirror engine/infer/types.ts; the check at the bottom keeps them in step.
 */
const side = z.enum(['a', 'b']);
const choice = <T extends z.ZodType>(value: T) => z.object({ value, confidence: z.number(), reason: z.string() });
const fieldType = z.enum(['string', 'integer', 'decimal', 'date', 'timestamp', 'boolean']);

const dialectSchema = z.object({
  side,
  path: z.string(),
  format: choice(z.string()),
  encoding: choice(z.string()),
  delimiter: choice(z.string()).optional(),
  quote: choice(z.string()).optional(),
  header: choice(z.boolean()),
  skipRows: choice(z.number()).optional(),
  decimalSeparator: choice(z.enum(['.', ','])),
  thousandsSeparator: choice(z.string()).optional(),
  dateFormats: z.array(z.object({ column: z.string(), format: choice(z.string().nullable()) })),
  nullValues: choice(z.array(z.string())).optional(),
  columns: z.array(z.string()),
  rows: z.number(),
  rowsExact: z.boolean(),
  sampled: z.number(),
});

const columnTypeSchema = z.object({
  column: z.string(),
  type: z.union([fieldType, z.literal('empty')]),
  ambiguousDate: z.tuple([z.string(), z.string()]).optional(),
  format: z.string().nullable().optional(),
  scale: z.number().optional(),
  confidence: z.number(),
  reason: z.string(),
});

const fieldReportSchema = z.object({
  name: z.string(),
  b: z.string(),
  mapping: choice(z.string()),
  type: choice(fieldType),
  scale: z.number().optional(),
  case: choice(z.literal('upper')).optional(),
  map: choice(z.record(z.string(), z.string())).optional(),
  agreement: z.number().nullable(),
  notCompared: z.string().optional(),
});

export const ruleProposalSchema = z.object({
  field: z.string(),
  kind: z.enum(['scale', 'day-shift', 'business-day-shift', 'sign-flip', 'abs-tolerance', 'rel-tolerance', 'day-tolerance']),
  value: z.number(),
  explains: z.number(),
  differing: z.number(),
  compared: z.number(),
  estimatedRecords: z.number(),
  columnWide: z.boolean(),
  reason: z.string(),
  exampleKeys: z.array(z.string()),
  /** The fragment to merge into the field's `adjust` to accept the proposal (empty for a tolerance). */
  adjust: fieldAdjustSchema,
  /** A tolerance proposal's fragment of the field's `tolerance`. */
  tolerance: toleranceSchema.optional(),
});
export type RuleProposalDto = z.infer<typeof ruleProposalSchema>;

export const inferenceReportSchema = z.object({
  files: z.object({ a: dialectSchema, b: dialectSchema }),
  columns: z.object({ a: z.array(columnTypeSchema), b: z.array(columnTypeSchema) }),
  key: choice(z.array(z.string())).extend({
    bColumns: z.array(z.string()),
    overlap: z.number(),
    duplicatesA: z.number(),
    duplicatesB: z.number(),
    alternatives: z.array(z.object({ a: z.array(z.string()), b: z.array(z.string()), overlap: z.number(), why: z.string() })),
  }),
  fields: z.array(fieldReportSchema),
  unmatched: z.object({ a: z.array(z.string()), b: z.array(z.string()) }),
  refusedMaps: z.array(z.object({ field: z.string(), from: z.string(), to: z.string(), records: z.number(), reason: z.string() })),
  rules: z.array(ruleProposalSchema),
  questions: z.array(
    z.object({ field: z.string().optional(), side: side.optional(), message: z.string(), options: z.array(z.string()), hint: z.string().optional() }),
  ),
  currencyField: choice(z.string()).optional(),
  warnings: z.array(z.string()),
  sample: z.object({ rows: z.number(), seed: z.number(), matchedRecords: z.number() }),
  timings: z.record(z.string(), z.number()),
});
export type InferenceReportDto = z.infer<typeof inferenceReportSchema>;

export const inferCalls = {
  'definitions.infer': defineCall({
    summary: 'Proposes a recon definition for two files from samples of both (dialect, mapping, key, types, value maps, rule proposals), each choice with a confidence and a reason.',
    args: z
      .object({
        aPath: filePathSchema,
        bPath: filePathSchema,
        /** Rows per side in the reservoir sample (default 20,000). */
        sampleRows: z.number().int().min(100).max(1_000_000).optional(),
        /** The sample's seed: DuckDB's REPEATABLE takes 0 to 2^31 - 1. */
        seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
        /** Names the work for task.progress events and tasks.cancel. */
        taskId: taskIdSchema.optional(),
      })
      .strict(),
    // The engine validates the definition against definitionSchema before answering.
    result: z.object({ definition: definitionAsWrittenSchema, report: inferenceReportSchema }),
  }),
};

// The engine's report must fit the schema (every member it sends is described here).
type Fits<A, B> = [A] extends [B] ? true : false;
const reportFits: Fits<InferenceReport, z.input<typeof inferenceReportSchema>> = true;
void reportFits;
