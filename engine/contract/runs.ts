import { z } from 'zod';
import { definitionSchema } from '../definition/schema.ts';
import { defineCall } from './call.ts';
import { definitionAsWrittenSchema } from './definitions.ts';
import { errorDataSchema } from './errors.ts';
import { filePathSchema, runIdSchema } from './ids.ts';

export const RUN_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const count = z.number().int().nonnegative();
const countRecord = z.record(z.string(), z.number());

/**
 * Where a query source's rows came from and when (engine/ingest/db): the connection
 * (never a password; `encryption` is the session's TLS version as the server
 * reported it, or "none", absent in older runs), the server, the query and its parameters, the rows read and
 * the SHA-256 of their canonical form, and each column's database type.
 */
export const queryProvenanceSchema = z.object({
  connection: z.object({ name: z.string(), driver: z.string(), host: z.string(), port: z.number(), database: z.string(), user: z.string(), tls: z.string(), encryption: z.string().optional() }),
  server: z.string(),
  sql: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  startedAt: z.string(),
  finishedAt: z.string(),
  rows: count,
  /** The row count the server reported, where its protocol tells one (PostgreSQL's COPY). */
  serverRows: count.optional(),
  rowsSha256: z.string(),
  /** How the rows are written for `rowsSha256`. */
  canonicalForm: z.string(),
  columns: z.array(z.object({ name: z.string(), dbType: z.string(), type: z.string(), scale: z.number().optional() })),
});
export type QueryProvenance = z.infer<typeof queryProvenanceSchema>;

/**
 * Where an HTTP source's records came from (engine/ingest/http): the URL without
 * secrets, the names of the headers sent (never their values), the pages read,
 * the records and the SHA-256 of their canonical form (the same as a query's).
 */
export const httpProvenanceSchema = z.object({
  connection: z.string().optional(),
  url: z.string(),
  headers: z.array(z.string()),
  response: z.string(),
  records: z.string().optional(),
  pagination: z.string(),
  pages: count,
  startedAt: z.string(),
  finishedAt: z.string(),
  rows: count,
  rowsSha256: z.string(),
  canonicalForm: z.string(),
  columns: z.array(z.string()),
});
export type HttpProvenance = z.infer<typeof httpProvenanceSchema>;

/** One input: a file, a query source (format "query") or an HTTP source (format "http"), with its provenance. */
const sourceFileSchema = z.object({
  path: z.string(),
  bytes: z.number(),
  sha256: z.string(),
  format: z.string(),
  query: queryProvenanceSchema.optional(),
  http: httpProvenanceSchema.optional(),
});

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

/** The model's part of a run's summary: counts by reason and status, the unknown rate, the model used. */
export const runAttributionSchema = z.object({
  total: count,
  byReason: countRecord,
  byStatus: z.object({ AUTO: count, REVIEW: count }),
  /** Breaks with reason UNKNOWN / all breaks (0 when there are none). */
  unknownRate: z.number(),
  modelVersion: z.string(),
  threshold: z.number(),
  explained: count,
  /** Feature SQL, then model + explanations + writing, in ms. */
  timings: z.object({ featuresMs: z.number(), predictMs: z.number() }),
  /** FX rates inferred from the breaks when no FX table explained them (engine/attribution/rules.ts): a proposal for attribution.fxRates. */
  fxProposals: z
    .array(z.object({ field: z.string(), groupColumn: z.string().nullable(), group: z.string().nullable(), rate: z.string(), breaks: count }))
    .optional(),
});

/** A run's quality gate as the run records it: every integrity check passes and the unknown rate is within the limit. */
export const qualityGateSchema = z.object({
  passed: z.boolean(),
  checksPassed: z.boolean(),
  unknownRate: z.number(),
  unknownRateLimit: z.number(),
  /** Why it failed, in words; empty when it passed. */
  reasons: z.array(z.string()),
  /** What does not fail it but needs a look (a side's rejected records); absent from runs before it. */
  warnings: z.array(z.string()).optional(),
});

/** Every row of both sides in one bucket (engine/checks/row-accounting.ts), and the matched records' split. */
const runCountsSchema = z.object({
  a: count,
  b: count,
  matched: count,
  matchedExact: count,
  matchedWithinTolerance: count,
  matchedWithBreaks: count,
  /** B records with no A record of their key (MISSING_IN_A breaks). */
  missingInA: count,
  missingInB: count,
  /** B records whose A record was rejected (REJECTED_IN_A breaks). */
  rejectedInA: count,
  rejectedInB: count,
  /** Keys that appear more than once on the side. */
  duplicateKeysA: count,
  duplicateKeysB: count,
  /** Rows of the side whose key is duplicated on either side (DUPLICATE_KEY breaks). */
  duplicateRowsA: count,
  duplicateRowsB: count,
  /** Rows of the side that could not be read or cast. */
  rejectedA: count,
  rejectedB: count,
});

/** Break memory: this run against the previous run of its series (engine/series/link.ts). */
/**
 * Where the diff ran: this workstation's DuckDB, or a ClickHouse cluster
 * (`recon run --engine clickhouse`): the nodes' URLs (no login, no password),
 * the cluster's name and database. Absent in summaries from before 0.2.
 */
export const runEngineSchema = z.object({
  name: z.enum(['duckdb', 'clickhouse']),
  nodes: z.array(z.string()).optional(),
  clusterName: z.string().optional(),
  database: z.string().optional(),
  /** Where a cluster run's rows were normalized: here (the default), or on the nodes (`--cluster-normalize`). */
  normalizedOn: z.enum(['workstation', 'cluster']).optional(),
});

export const runLifecycleSchema = z.object({
  /** The previous completed run of the series, or null for the first. */
  previousRunId: z.string().nullable(),
  /** The run's as-of date (YYYY-MM-DD): breaks age in days by it. */
  asOf: z.string(),
  new: count,
  carried: count,
  changed: count,
  /** Breaks of the previous run that are gone now (resolved.csv, the run file's resolved_breaks). */
  resolved: count,
  /** Decisions kept on carried breaks, and dropped on changed ones (their values moved since). */
  decisionsCarried: count,
  decisionsDropped: count,
});

const MATCH_TYPE_KEYS = ['1:1', '1:N', 'N:1', 'N:M'] as const;
const perSide = z.object({ a: count, b: count });

/**
 * A matching run's results (a definition with a `matching` block, engine/match):
 * match groups per rule and per match type, and where every loaded row went.
 */
export const runMatchingSchema = z.object({
  /** Groups matched, in the definition's rule order, with the rows each rule took on each side. */
  byRule: z.array(z.object({ rule: z.string(), type: z.enum(MATCH_TYPE_KEYS), groups: count, rowsA: count, rowsB: count })),
  /** Groups matched per match type (every type present). */
  byType: z.object({ '1:1': count, '1:N': count, 'N:1': count, 'N:M': count }),
  /** Rows matched, left unmatched (MISSING_IN_B for A, MISSING_IN_A for B), tied under a rule (AMBIGUOUS), with a duplicated id. */
  matchedRows: perSide,
  unmatched: perSide,
  ambiguous: perSide,
  duplicate: perSide,
  /** Matched groups whose amounts differ within the rule's tolerance (a MISMATCH break on the group). */
  groupDifferences: count,
});
export type RunMatching = z.infer<typeof runMatchingSchema>;
export type RunEngine = z.infer<typeof runEngineSchema>;

/** A completed run's summary, as the engine writes it now (`<run-id>.json`, `run_info.summary`, `recon run --out`'s summary.json). */
export const runSummarySchema = z.object({
  runId: z.string(),
  definition: z.string(),
  status: z.literal('COMPLETED'),
  startedAt: z.string(),
  finishedAt: z.string(),
  database: z.string(),
  inputs: z.object({ a: sourceFileSchema, b: sourceFileSchema }),
  counts: runCountsSchema,
  breaks: z.object({ total: count, byField: countRecord, byType: countRecord }),
  withinTolerance: z.object({ byField: countRecord }),
  /** Columns of A with no counterpart in B (bound to no field), and the reverse: compared with nothing. */
  columnsOnlyInA: z.array(z.string()),
  columnsOnlyInB: z.array(z.string()),
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
  /** Reason codes from the model: counts by reason and status, unknown rate, model version. */
  attribution: runAttributionSchema,
  /** Passes when every check passes and the unknown rate is within the definition's limit. */
  gate: qualityGateSchema,
  controlTotals: z.array(z.object({ field: z.string(), currency: z.string(), a: z.string(), b: z.string(), difference: z.string() })),
  warnings: z.object({ a: z.array(z.string()), b: z.array(z.string()) }),
  /** The run in its series (engine/series): the previous run it is linked to, and its breaks by lifecycle. */
  lifecycle: runLifecycleSchema,
  /** Present for a matching run only. */
  matching: runMatchingSchema.optional(),
  /** Where the diff ran (absent before 0.2: this workstation). */
  engine: runEngineSchema.optional(),
  timings: countRecord,
});
/** A run's summary as the engine writes it now. */
export type RunSummary = z.infer<typeof runSummarySchema>;

/**
 * A summary as a run file may hold it: runs from before 0.2 lack the bucket
 * counts and the columns compared with nothing, runs from before attribution
 * (and synthetic ones) the model's part and the gate.
 */
export const storedRunSummarySchema = runSummarySchema.extend({
  counts: runCountsSchema.partial({ rejectedInA: true, rejectedInB: true, duplicateRowsA: true, duplicateRowsB: true }),
  columnsOnlyInA: z.array(z.string()).default([]),
  columnsOnlyInB: z.array(z.string()).default([]),
  attribution: runAttributionSchema.optional(),
  gate: qualityGateSchema.optional(),
  lifecycle: runLifecycleSchema.optional(),
});
export type RunSummaryDto = z.infer<typeof storedRunSummarySchema>;

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

/** Breaks open for so many days (by as-of date), per reason: 0–1, 2–5, 6–30 and over 30 days. */
export const ageBucketsSchema = z.object({ d0to1: count, d2to5: count, d6to30: count, over30: count });

/** A run's break memory at a glance (runs.ageing): lifecycle counts against the previous run, ageing per reason, overdue breaks. */
export const runAgeingSchema = z.object({
  /** The run has break memory; a run from before it has none (every figure 0, previousRunId null). */
  hasMemory: z.boolean(),
  asOf: z.string().nullable(),
  previousRunId: z.string().nullable(),
  lifecycle: z.object({ new: count, carried: count, changed: count, resolved: count }),
  /** Per reason now (a decision's over the model's; null: none), most breaks first; `slaDays` null when the reason has no SLA. */
  byReason: z.array(ageBucketsSchema.extend({ reason: z.string().nullable(), total: count, slaDays: z.number().nullable(), overdue: count })),
  total: ageBucketsSchema,
  /** Breaks older (in days) than their reason's SLA. */
  overdue: count,
});

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
      summary: storedRunSummarySchema,
      /** The definition the run used, as it recorded it; null when it recorded none the definition schema reads. */
      definition: definitionAsWrittenSchema.nullable(),
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
  'runs.ageing': defineCall({
    summary: "A run's break memory: new, carried, changed and resolved breaks against the previous run of its series, age buckets per reason and the breaks past their reason's SLA.",
    args: z.object({ runId: runIdSchema }).strict(),
    result: runAgeingSchema,
  }),
  'runs.start': defineCall({
    summary:
      "Starts a recon on a worker thread; progress and the outcome arrive as run.progress / run.finished events. A side whose definition source is a query or an HTTP API takes no path: it reads through one of the workspace's saved connections.",
    args: z.object({ aPath: filePathSchema.optional(), bPath: filePathSchema.optional(), definition: definitionSchema }).strict(),
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
