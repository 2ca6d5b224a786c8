import { DEFAULT_UNKNOWN_RATE_LIMIT, qualityGate } from '../attribution/quality-gate.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb/open.ts';
import type { CheckResult } from '../checks/integrity.ts';
import type { ControlTotal } from '../checks/control-totals.ts';
import type { RunCounts } from '../checks/row-accounting.ts';
import type { RunEngine, RunMatching } from '../contract/index.ts';
import { ident } from '../sql/quote.ts';
import type { DecisionReader } from './decisions.ts';
import { readRunMemory, type RunMemory } from './memory.ts';
import { attachStatusOverlay, reviewFigures, type ReviewFigures } from './review-figures.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';
import { breaksWithAttributions, RUN_TABLES, STATUS_OVERLAY } from '../run-file/schema.ts';
import { readRulesInForce, type RecordedRule } from '../rules/apply-run.ts';

/**
 * The run summary as a report: counts, checks, the quality gate, breaks by
 * reason and by field, the largest breaks by amount, reviewers' progress and
 * the run's place in its series (break memory).
 * Every number is read from the run file (and the workflow store); nothing
 * is typed in. Reasons are the reasons now (a decision's over the model's);
 * review progress is reviewFigures(), the figures the run overview shows.
 */
export interface ExportSummary {
  runId: string;
  definition: string;
  startedAt: string;
  finishedAt: string;
  inputs: FinishedRun['summary']['inputs'];
  /** Where the diff ran; a run from before 0.2 ran on this workstation. */
  engine: RunEngine;
  counts: RunCounts;
  columnsOnlyInA: string[];
  columnsOnlyInB: string[];
  checks: CheckResult[];
  checksPassed: boolean;
  gate: { passed: boolean; reasons: string[]; unknownRate: number; unknownRateLimit: number; warnings: string[] };
  /** `fxProposals`: FX rates attribution inferred from the breaks when no FX table explained them (engine/attribution/rules.ts). */
  model: { version: string | null; threshold: number | null; fxProposals?: { field: string; groupColumn: string | null; group: string | null; rate: string; breaks: number }[] };
  breaks: {
    total: number;
    byType: Record<string, number>;
    byField: Record<string, number>;
    /** Every break by its reason now: a decision's reason over the model's. */
    byReason: Record<string, number>;
    /** The model's own reasons, before any decision. */
    byModelReason: Record<string, number>;
    byReasonAndField: { reason: string; field: string; n: number }[];
    /** Breaks the model attributed at or above the threshold (status AUTO). */
    autoExplained: number;
  };
  topBreaks: { breakId: number; key: string; field: string; valueA: string | null; valueB: string | null; delta: string; currency: string | null; reason: string | null }[];
  controlTotals: ControlTotal[];
  /** Reviewers' progress (review-figures.ts); all zero without a workspace store. */
  review: ReviewFigures;
  /** The run in its series (memory.ts); null for a run from before break memory. */
  memory: RunMemory | null;
  /** A matching run's results as the run recorded them (engine/match); null for a keyed run. */
  matching: RunMatching | null;
  /** The reason rules in force for the run (engine/rules), as its file recorded them; absent when there were none. */
  reasonRules?: RecordedRule[];
  generatedAt: string;
}

const TOP_BREAKS = 10;
const CURRENCY_NAME = /^(ccy|currency|curr|cur|currency_code|ccy_code)$/i;

/** Reads the summary of a run. */
export async function buildSummary(run: FinishedRun, decisions: DecisionReader, now = new Date()): Promise<ExportSummary> {
  const c = run.conn;
  const s = run.summary;
  // The store's decided statuses join the breaks in SQL, as in the grid.
  await attachStatusOverlay(c, decisions.statuses());
  const review = await reviewFigures(c, { hasAttributions: run.hasAttributions }, decisions.proposals());
  const reasonExpr = run.hasAttributions ? `coalesce(d.reason, t.reason, 'UNATTRIBUTED')` : `coalesce(d.reason, 'UNATTRIBUTED')`;
  const from = `${breaksWithAttributions(run.hasAttributions)} LEFT JOIN ${STATUS_OVERLAY} d ON d.break_id = b.break_id`;
  const grouped = await queryRows<{ reason: string; model_reason: string; field: string; diff_type: string; n: string; auto: string }>(
    c,
    `SELECT ${reasonExpr} AS reason, ${run.hasAttributions ? `coalesce(t.reason, 'UNATTRIBUTED')` : `'UNATTRIBUTED'`} AS model_reason, b.field, b.diff_type, count(*) AS n,
            ${run.hasAttributions ? `count(*) FILTER (WHERE t.status = 'AUTO')` : '0'} AS auto
       FROM ${from} GROUP BY ALL ORDER BY n DESC, reason, field`,
  );
  const add = (m: Record<string, number>, k: string, n: number): void => {
    m[k] = (m[k] ?? 0) + n;
  };
  const byType: Record<string, number> = {};
  const byField: Record<string, number> = {};
  const byReason: Record<string, number> = {};
  const byModelReason: Record<string, number> = {};
  const cross = new Map<string, { reason: string; field: string; n: number }>();
  let total = 0;
  let autoExplained = 0;
  for (const g of grouped) {
    const n = Number(g.n);
    total += n;
    autoExplained += Number(g.auto);
    add(byType, g.diff_type, n);
    add(byField, g.field, n);
    add(byReason, g.reason, n);
    add(byModelReason, g.model_reason, n);
    const k = `${g.reason}\u0000${g.field}`;
    cross.set(k, { reason: g.reason, field: g.field, n: (cross.get(k)?.n ?? 0) + n });
  }
  const checks = await queryRows<CheckResult>(c, `SELECT name, type, side, expected, actual, passed, discrepancy, message FROM ${RUN_TABLES.checks} ORDER BY side, name`);
  const checksPassed = checks.every((x) => x.passed);
  // The gate is the model's (the run recorded it); runs from before attribution recompute it from the model's reasons.
  const unknownRate = total === 0 ? 0 : (byModelReason['UNKNOWN'] ?? 0) / total;
  const unknownRateLimit = Number((run.definition.attribution as { unknownRateLimit?: number } | undefined)?.unknownRateLimit ?? s.gate?.unknownRateLimit ?? DEFAULT_UNKNOWN_RATE_LIMIT);
  const recomputed = qualityGate({ checksPassed, unknownRate, unknownRateLimit, rejected: { a: s.counts.rejectedA, b: s.counts.rejectedB } });
  return {
    runId: run.runId,
    definition: s.definition,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    inputs: s.inputs,
    engine: s.engine ?? { name: 'duckdb' },
    // Runs from before 0.2 have no bucket counts beyond these; their absent ones read 0.
    counts: {
      ...s.counts,
      rejectedInA: s.counts.rejectedInA ?? 0,
      rejectedInB: s.counts.rejectedInB ?? 0,
      duplicateRowsA: s.counts.duplicateRowsA ?? 0,
      duplicateRowsB: s.counts.duplicateRowsB ?? 0,
    },
    columnsOnlyInA: s.columnsOnlyInA ?? [],
    columnsOnlyInB: s.columnsOnlyInB ?? [],
    checks,
    checksPassed,
    // The gate the run itself recorded wins; runs from before attribution get it recomputed the same way.
    // Runs from before the gate's warnings get them from their counts.
    gate: s.gate
      ? { passed: s.gate.passed, reasons: s.gate.reasons, unknownRate: s.gate.unknownRate, unknownRateLimit: s.gate.unknownRateLimit, warnings: s.gate.warnings ?? recomputed.warnings ?? [] }
      : { passed: recomputed.passed, reasons: recomputed.reasons, unknownRate, unknownRateLimit, warnings: recomputed.warnings ?? [] },
    model: {
      version: s.attribution?.modelVersion ?? null,
      threshold: s.attribution?.threshold ?? null,
      ...(s.attribution?.fxProposals?.length ? { fxProposals: s.attribution.fxProposals } : {}),
    },
    breaks: { total, byType, byField, byReason, byModelReason, byReasonAndField: [...cross.values()].sort((x, y) => y.n - x.n), autoExplained },
    topBreaks: await topBreaks(c, run),
    controlTotals: s.controlTotals ?? [],
    review,
    // After the status overlay is attached: the age buckets and overdue breaks go by the reason now.
    memory: await readRunMemory(run, decisions.reasonSlas()),
    matching: s.matching ?? null,
    ...((rules) => (rules.length > 0 ? { reasonRules: rules } : {}))(await readRulesInForce(c)),
    generatedAt: now.toISOString(),
  };
}

/** The largest differences on decimal fields, with the record's currency when the definition has one. */
async function topBreaks(c: DuckDBConnection, run: FinishedRun): Promise<ExportSummary['topBreaks']> {
  const currency = await currencyColumn(c, run);
  const ccy = currency ? `coalesce(ra.${ident(currency)}, rb.${ident(currency)})` : 'NULL';
  const joins = currency ? 'LEFT JOIN a ra ON ra.__rid = b.rid_a LEFT JOIN b rb ON rb.__rid = b.rid_b' : '';
  // The reason now (status_overlay is attached by buildSummary before this runs).
  const model = run.hasAttributions ? `(SELECT reason FROM ${RUN_TABLES.attributions} t WHERE t.break_id = b.break_id)` : 'NULL';
  const reason = `coalesce((SELECT reason FROM ${STATUS_OVERLAY} d WHERE d.break_id = b.break_id), ${model})`;
  const rows = await queryRows<{ break_id: string; key: string; field: string; value_a: string | null; value_b: string | null; delta: string; ccy: string | null; reason: string | null }>(
    c,
    `SELECT b.break_id, b.key, b.field, b.value_a, b.value_b, b.delta, CAST(${ccy} AS VARCHAR) AS ccy, ${reason} AS reason
       FROM (SELECT * FROM ${RUN_TABLES.breaks} WHERE field_type = 'decimal' AND delta IS NOT NULL
              ORDER BY abs(TRY_CAST(delta AS DOUBLE)) DESC, break_id LIMIT ${TOP_BREAKS}) b ${joins}
      ORDER BY abs(TRY_CAST(b.delta AS DOUBLE)) DESC, b.break_id`,
  );
  return rows.map((r) => ({ breakId: Number(r.break_id), key: r.key, field: r.field, valueA: r.value_a, valueB: r.value_b, delta: r.delta, currency: r.ccy, reason: r.reason }));
}

/** The currency field's column in the staged tables, if the run has both tables and the column. */
async function currencyColumn(c: DuckDBConnection, run: FinishedRun): Promise<string | undefined> {
  const cols = await queryRows<{ t: string; col: string }>(c, `SELECT table_name AS t, column_name AS col FROM duckdb_columns() WHERE table_name IN ('${RUN_TABLES.a}', '${RUN_TABLES.b}')`);
  const inA = cols.filter((x) => x.t === 'a').map((x) => x.col);
  const inB = new Set(cols.filter((x) => x.t === 'b').map((x) => x.col));
  const wanted = run.definition.currencyField;
  const found = inA.find((col) => (wanted ? col.toLowerCase() === wanted.toLowerCase() : CURRENCY_NAME.test(col)));
  return found !== undefined && inB.has(found) ? found : undefined;
}
