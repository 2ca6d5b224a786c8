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
  'ratio',
  'reason',
  'confidence',
  'status',
  'suggestedReason',
  // Break memory (the run's series): NEW / CARRIED / CHANGED, first seen (as-of date and run), ages, days past the reason's SLA.
  'lifecycle',
  'firstSeen',
  'ageRuns',
  'ageDays',
  'pastSla',
  // The reason rule that gave the break its reason (by name), and the explanation in words.
  'rule',
  'explanation',
] as const;
export const breakColumnSchema = z.enum(BREAK_COLUMNS);
export type BreakColumn = z.infer<typeof breakColumnSchema>;

/**
 * A record-context column: field `<name>` of the break's record on side A or
 * B (`ctx:a:Currency`, `ctx:b:Book`). The host checks the name against the run
 * file's record fields and quotes it; it never reaches SQL unchecked.
 */
export const contextColumnSchema = z.templateLiteral(['ctx:', z.enum(['a', 'b']), ':', z.string().min(1).max(200)]);
export type ContextColumn = z.infer<typeof contextColumnSchema>;
/** Any column the grid may sort or filter on: a break column or a record-context column. */
export const gridColumnSchema = z.union([breakColumnSchema, contextColumnSchema]);
export type GridColumn = z.infer<typeof gridColumnSchema>;
/** The record-context columns a page returns (in `row.context`) and the quick filter searches. */
export const contextColumnsSchema = z.array(contextColumnSchema).max(12);

/**
 * One break of a run: the diff's row (`breaks`) with the model's attribution
 * (null fields when the run has none). The engine's `Break`
 * (engine/run-file/break.ts) is this type; the grid's row adds the decision.
 */
export const breakSchema = z.object({
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
  confidence: z.number().nullable(),
  suggestedReason: z.string().nullable(),
  /** The model's own reason and AUTO/REVIEW status, before any decision. */
  modelReason: z.string().nullable(),
  modelStatus: z.string().nullable(),
});
export type Break = z.infer<typeof breakSchema>;

const b = breakSchema.shape;
/** A break as the grid shows it: with the decided status and reason, record-context values and the B/A ratio. */
export const breakRowSchema = z.object({
  breakId: b.breakId,
  key: b.key,
  field: b.field,
  diffType: b.diffType,
  side: b.side,
  valueA: b.valueA,
  valueB: b.valueB,
  delta: b.delta,
  fieldType: b.fieldType,
  ridA: b.ridA,
  ridB: b.ridB,
  /** The decided reason (accepted or approved override) over the model's. */
  reason: z.string().nullable(),
  confidence: b.confidence,
  /** The decided status (PROPOSED, ACCEPTED, OVERRIDDEN, REJECTED, or REVIEW once reopened) over the attribution's AUTO/REVIEW; null when neither exists. */
  status: z.string().nullable(),
  suggestedReason: b.suggestedReason,
  modelReason: b.modelReason,
  modelStatus: b.modelStatus,
  /** Record-context values asked for with `context`, by column id, as text (null: no record on that side, or no value). */
  context: z.record(z.string(), z.string().nullable()).optional(),
  /** B / A of a number break, exact decimal text; null when A is zero or a value is not a number. */
  ratio: z.string().nullable(),
  /** Break memory against the previous run of the series: NEW, CARRIED or CHANGED; null for a run without memory. */
  lifecycle: z.string().nullable(),
  /** The run the break was first seen in, and its as-of date (YYYY-MM-DD). */
  firstSeenRun: z.string().nullable(),
  firstSeenAsOf: z.string().nullable(),
  /** Consecutive runs open (this one included), and days since first seen by as-of date. */
  ageRuns: z.number().nullable(),
  ageDays: z.number().nullable(),
  /** The SLA in days of the break's reason now (a decision's over the model's); null when the reason has none. */
  slaDays: z.number().nullable(),
  /** Age in days minus the SLA: above 0 the break is overdue by that many days; null without age or SLA. */
  pastSla: z.number().nullable(),
  /**
   * The reason rule that gave the break its reason (issue 20): its id, name and version; null where the
   * model's reason stands, and in a run file from before reason rules.
   */
  ruleId: z.string().nullable(),
  ruleName: z.string().nullable(),
  ruleVersion: z.number().nullable(),
  /** What the model itself said of a break a rule took (its reason or guess, confidence, AUTO/REVIEW); null where no rule applied. */
  ruleModelReason: z.string().nullable(),
  ruleModelConfidence: z.number().nullable(),
  ruleModelStatus: z.string().nullable(),
  /** The explanation in words: the first of the attribution's reasons (engine/attribution/words.ts), or the rule's sentence. */
  explanation: z.string().nullable(),
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
/**
 * A number in a grid filter. The database binds a whole JS number as a 64-bit
 * integer, so one at or beyond ±2^63 (1e19, 1e308…) is refused here as
 * INVALID_ARGUMENT instead of failing in SQL.
 */
const gridNumber = z
  .number()
  .finite()
  .gte(-(2 ** 63), 'a number from -2^63 to below 2^63')
  .lt(2 ** 63, 'a number from -2^63 to below 2^63');
const numberCondition = z.object({
  filterType: z.literal('number'),
  type: z.enum(NUMBER_OPS),
  filter: gridNumber.nullish(),
  filterTo: gridNumber.nullish(),
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

/** The grid's number columns (number filters); every other column is text (text and set filters). */
export const NUMBER_BREAK_COLUMNS: readonly BreakColumn[] = ['breakId', 'delta', 'confidence', 'ratio', 'ageRuns', 'ageDays', 'pastSla'];

/** The break lifecycles of break memory (engine/series/link.ts). */
export const LIFECYCLES = ['NEW', 'CARRIED', 'CHANGED'] as const;

/**
 * Each column filtered as what it is: a number filter on a text column (or the reverse) cannot mean anything.
 * A record-context column takes any filter: the host compares numbers as numbers and anything else as text.
 */
export const filterModelSchema = z.partialRecord(gridColumnSchema, columnFilterSchema).superRefine((model, ctx) => {
  if (Object.keys(model).length > 24) ctx.addIssue({ code: 'custom', path: [], message: 'at most 24 filtered columns' });
  for (const [col, f] of Object.entries(model) as [GridColumn, ColumnFilter | undefined][]) {
    if (f === undefined || col.startsWith('ctx:')) continue;
    const numeric = NUMBER_BREAK_COLUMNS.includes(col as BreakColumn);
    if (numeric !== (f.filterType === 'number')) {
      ctx.addIssue({ code: 'custom', path: [col], message: numeric ? `${col} holds numbers: filter it with a number filter` : `${col} holds text: filter it with a text or set filter` });
    }
  }
});
export type FilterModel = z.infer<typeof filterModelSchema>;

export const sortModelSchema = z.array(z.object({ colId: gridColumnSchema, sort: z.enum(['asc', 'desc']) })).max(4);
export type SortModel = z.infer<typeof sortModelSchema>;

/** A block of the grid: rows [startRow, endRow) of the sorted, filtered view. */
export const breaksPageArgsSchema = z
  .object({
    runId: runIdSchema,
    startRow: z.number().int().nonnegative(),
    endRow: z.number().int().positive(),
    sortModel: sortModelSchema.default([]),
    filterModel: filterModelSchema.default({}),
    /** Free text matched against key, value A and value B, and the record-context columns in `context`. */
    quickFilter: z.string().max(200).optional(),
    /** Record-context columns to return with each row (and to search with the quick filter). */
    context: contextColumnsSchema.default([]),
  })
  .strict()
  .refine((a) => a.endRow > a.startRow && a.endRow - a.startRow <= 1000, 'endRow must be after startRow, at most 1000 rows on');

const facetSchema = z.array(z.object({ value: z.string().nullable(), count: z.number() }));

/** A field of the run's records, offered as a record-context column. `numeric`: sorted and number-filtered as a number. */
export const recordFieldSchema = z.object({ name: z.string(), type: z.string(), numeric: z.boolean(), sides: z.array(z.enum(['a', 'b'])) });
export type RecordField = z.infer<typeof recordFieldSchema>;

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

/**
 * One record of the break's key as the file has it: every row of a duplicated
 * key on both sides, else the break's own pair. `values` follow `fields`; a
 * rejected row shows its raw text, with why it was rejected.
 */
export const detailRecordSchema = z.object({
  side: z.enum(['a', 'b']),
  rid: z.number(),
  /** Where a person finds it: the file's physical line, or the sheet row (XLSX) or row (Parquet, JSON); the position among loaded records ("record") for runs made before lines were kept. */
  line: z.number(),
  lineLabel: z.enum(['line', 'row', 'record']),
  keyText: z.string().nullable(),
  /** The break's own row (rid_a / rid_b). */
  current: z.boolean(),
  rejected: z.boolean(),
  values: z.array(z.string().nullable()),
  /** Why a rejected row was rejected: the file's column, the field it feeds, the raw value and the reason. */
  problems: z.array(z.object({ column: z.string().nullable(), field: z.string().nullable(), rawValue: z.string().nullable(), reason: z.string() })),
});
export type DetailRecord = z.infer<typeof detailRecordSchema>;

/** The largest differences on decimal fields, by the records' currency (one group, currency null, when no currency field is mapped). */
export const largestDeltasSchema = z.object({
  currencyField: z.string().nullable(),
  groups: z.array(
    z.object({
      currency: z.string().nullable(),
      /** Decimal breaks with a delta in this currency. */
      breaks: z.number(),
      top: z.array(z.object({ breakId: z.number(), key: z.string(), field: z.string(), valueA: z.string().nullable(), valueB: z.string().nullable(), delta: z.string() })),
    }),
  ),
});

/** One run's break in a break's history across its series (breaks.history). */
export const seriesBreakSchema = z.object({
  runId: z.string(),
  /** The run's as-of date (YYYY-MM-DD); null for a run without break memory. */
  asOf: z.string().nullable(),
  breakId: z.number(),
  valueA: z.string().nullable(),
  valueB: z.string().nullable(),
  delta: z.string().nullable(),
  lifecycle: z.string().nullable(),
  ageDays: z.number().nullable(),
  /** The reason then: a decision's over the model's. */
  reason: z.string().nullable(),
  /** The status then: the decided one (workflow store) over the model's AUTO/REVIEW. */
  status: z.string().nullable(),
  /** The decision in force on it, from the workflow store; null when undecided. */
  decision: z.object({ status: z.string(), reason: z.string().nullable(), decisionId: z.string(), updatedAt: z.string() }).nullable(),
});
export type SeriesBreak = z.infer<typeof seriesBreakSchema>;

export const breaksCalls = {
  'breaks.page': defineCall({
    summary: "A block of a run's breaks for the grid, sorted and filtered in DuckDB; lastRow is the view's row count.",
    args: breaksPageArgsSchema,
    result: z.object({ rows: z.array(breakRowSchema), lastRow: z.number() }),
  }),
  'breaks.facets': defineCall({
    summary:
      "Distinct fields, diff types, reasons and statuses with counts, for filters and grouping. Given the grid's filters, each facet counts the breaks that pass every filter but its own; also the records' fields for record-context columns.",
    args: z
      .object({
        runId: runIdSchema,
        /** The grid's filters and facet picks; each facet's counts ignore the filter on its own column. */
        filterModel: filterModelSchema.default({}),
        quickFilter: z.string().max(200).optional(),
        /** The record-context columns the quick filter searches (as in breaks.page). */
        context: contextColumnsSchema.default([]),
      })
      .strict(),
    result: z.object({
      total: z.number(),
      hasAttributions: z.boolean(),
      fields: facetSchema,
      diffTypes: facetSchema,
      reasons: facetSchema,
      statuses: facetSchema,
      /** Breaks by lifecycle (NEW, CARRIED, CHANGED); empty for a run without break memory. */
      lifecycles: facetSchema,
      /** The run has break memory (lifecycle, first seen, ages): runs from before it have none. */
      hasMemory: z.boolean(),
      /** The fields of the run's records (views a and b), for record-context columns. */
      recordFields: z.array(recordFieldSchema),
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
      records: z.array(detailRecordSchema),
    }),
  }),
  'breaks.history': defineCall({
    summary:
      "A break across the runs of its series, newest first: this run's break, then the break it continued in each earlier run (values, reason, decided status), following break memory back until a run is missing, the break was new, or after 30 runs.",
    args: z.object({ runId: runIdSchema, breakId: z.number().int().positive() }).strict(),
    result: z.object({
      entries: z.array(seriesBreakSchema),
      /** Why the chain ends: FIRST_SEEN (the break was new there), NO_MEMORY (a run from before break memory), RUN_MISSING (an earlier run's file is not here), LIMIT. */
      end: z.enum(['FIRST_SEEN', 'NO_MEMORY', 'RUN_MISSING', 'LIMIT']),
      /** The run the chain could not read (RUN_MISSING). */
      missingRunId: z.string().nullable(),
    }),
  }),
  'breaks.largest': defineCall({
    summary: "A run's largest differences on decimal fields, grouped by the records' currency when a currency field is mapped.",
    args: z.object({ runId: runIdSchema, perCurrency: z.number().int().min(1).max(20).default(3) }).strict(),
    result: largestDeltasSchema,
  }),
};
