import { z } from 'zod';
import { defineCall } from './call.ts';
import { runIdSchema } from './ids.ts';

/**
 * The breaks grid's columns. Sort and filter models may name these only: the
 * host maps each to a fixed SQL expression, so no column name from a request
 * ever reaches SQL text.
 */
export const BREAK_COLUMNS = [
  'breakId',
  'key',
  'field',
  'diffType',
  'side',
  'valueA',
  'valueB',
  'delta',
  'fieldType',
  'reason',
  'confidence',
  'status',
  'suggestedReason',
] as const;
export const breakColumnSchema = z.enum(BREAK_COLUMNS);
export type BreakColumn = z.infer<typeof breakColumnSchema>;

/** One break with the model's attribution (null fields when the run has none). */
export const breakRowSchema = z.object({
  breakId: z.number(),
  key: z.string(),
  field: z.string(),
  diffType: z.string(),
  side: z.string().nullable(),
  valueA: z.string().nullable(),
  valueB: z.string().nullable(),
  /** Exact B − A as text (numbers; days for dates). */
  delta: z.string().nullable(),
  fieldType: z.string().nullable(),
  ridA: z.number().nullable(),
  ridB: z.number().nullable(),
  /** The decided reason (accepted or approved override) over the model's. */
  reason: z.string().nullable(),
  confidence: z.number().nullable(),
  /** The decided status (PROPOSED, ACCEPTED, OVERRIDDEN, REJECTED, or REVIEW once reopened) over the attribution's AUTO/REVIEW; null when neither exists. */
  status: z.string().nullable(),
  suggestedReason: z.string().nullable(),
  /** The model's own reason and AUTO/REVIEW status, before any decision. */
  modelReason: z.string().nullable(),
  modelStatus: z.string().nullable(),
});
export type BreakRow = z.infer<typeof breakRowSchema>;

// AG Grid's own filter and sort models, as much of them as the grid sends.
const TEXT_OPS = ['equals', 'notEqual', 'contains', 'notContains', 'startsWith', 'endsWith', 'blank', 'notBlank', 'empty'] as const;
const NUMBER_OPS = ['equals', 'notEqual', 'lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual', 'inRange', 'blank', 'notBlank', 'empty'] as const;

const textCondition = z.object({
  filterType: z.literal('text'),
  type: z.enum(TEXT_OPS),
  filter: z.string().max(1000).nullish(),
});
const numberCondition = z.object({
  filterType: z.literal('number'),
  type: z.enum(NUMBER_OPS),
  filter: z.number().finite().nullish(),
  filterTo: z.number().finite().nullish(),
});
const combined = <C extends z.ZodType>(filterType: 'text' | 'number', condition: C) =>
  z.object({ filterType: z.literal(filterType), operator: z.enum(['AND', 'OR']), conditions: z.array(condition).min(1).max(8) });
/** Not an AG Grid Community model: the grid's facet pickers send a set of values (null = no value). */
const setFilter = z.object({ filterType: z.literal('set'), values: z.array(z.string().max(1000).nullable()).max(1000) });

export const columnFilterSchema = z.union([
  combined('text', textCondition),
  combined('number', numberCondition),
  textCondition,
  numberCondition,
  setFilter,
]);
export type ColumnFilter = z.infer<typeof columnFilterSchema>;

export const filterModelSchema = z.partialRecord(breakColumnSchema, columnFilterSchema);
export type FilterModel = z.infer<typeof filterModelSchema>;

export const sortModelSchema = z.array(z.object({ colId: breakColumnSchema, sort: z.enum(['asc', 'desc']) })).max(4);
export type SortModel = z.infer<typeof sortModelSchema>;

/** A block of the grid: rows [startRow, endRow) of the sorted, filtered view. */
export const breaksPageArgsSchema = z
  .object({
    runId: runIdSchema,
    startRow: z.number().int().nonnegative(),
    endRow: z.number().int().positive(),
    sortModel: sortModelSchema.default([]),
    filterModel: filterModelSchema.default({}),
    /** Free text matched against key, value A and value B. */
    quickFilter: z.string().max(200).optional(),
  })
  .strict()
  .refine((a) => a.endRow > a.startRow && a.endRow - a.startRow <= 1000, 'endRow must be after startRow, at most 1000 rows on');

const facetSchema = z.array(z.object({ value: z.string().nullable(), count: z.number() }));

/** One field of the two records, side by side. */
export const detailFieldSchema = z.object({
  name: z.string(),
  type: z.string(),
  isKey: z.boolean(),
  a: z.string().nullable(),
  b: z.string().nullable(),
  /** A break exists for this field of this record pair. */
  differs: z.boolean(),
  /** The values differ but within the field's tolerance (not a break). */
  withinTolerance: z.boolean(),
  breakId: z.number().nullable(),
});
export type DetailField = z.infer<typeof detailFieldSchema>;

const recordRefSchema = z.object({ rid: z.number(), keyText: z.string().nullable() }).nullable();

export const breaksCalls = {
  'breaks.page': defineCall({
    summary: "A block of a run's breaks for the grid, sorted and filtered in DuckDB; lastRow is the view's row count.",
    args: breaksPageArgsSchema,
    result: z.object({ rows: z.array(breakRowSchema), lastRow: z.number() }),
  }),
  'breaks.facets': defineCall({
    summary: 'Distinct fields, diff types, reasons and statuses with counts, for filters and grouping.',
    args: z.object({ runId: runIdSchema }).strict(),
    result: z.object({
      total: z.number(),
      hasAttributions: z.boolean(),
      fields: facetSchema,
      diffTypes: facetSchema,
      reasons: facetSchema,
      statuses: facetSchema,
    }),
  }),
  'breaks.detail': defineCall({
    summary: 'A break with both whole records side by side, differing fields marked, the attribution and the other breaks of its key.',
    args: z.object({ runId: runIdSchema, breakId: z.number().int().positive() }).strict(),
    result: z.object({
      break: breakRowSchema,
      fields: z.array(detailFieldSchema),
      a: recordRefSchema,
      b: recordRefSchema,
      topFeatures: z.unknown().nullable(),
      related: z.array(breakRowSchema),
    }),
  }),
};
