/**
 * The breaks grid's SQL, in one place. Requests name columns by their grid id
 * (BREAK_COLUMNS); each maps to a fixed expression over `breaks b`,
 * `attributions t` (read through the TEMP view `grid_attributions`, which adds
 * the reason rule and the explanation in words, run-file.ts), the TEMP `status_overlay d` (decided statuses from the
 * workflow store, see status-overlay.ts), the TEMP view `grid_memory m`
 * (break memory) and the TEMP `reason_sla s` (the SLA of the break's reason
 * now), so no name from a request reaches SQL text. Values always travel as
 * parameters (`Params`).
 */
import type { BreakColumn, BreakRow } from '../../contract/index.ts';
import { toBreak } from '../break.ts';
import { GRID_ATTRIBUTIONS } from '../run-file.ts';
import { GRID_MEMORY, REASON_SLA, RUN_TABLES, STATUS_OVERLAY } from '../schema.ts';
import { ratioSql } from './ratio-sql.ts';

/** Collects positional parameters; `add` returns the placeholder to write in SQL. */
export class Params {
  readonly values: (string | number | boolean | null)[] = [];
  add(value: string | number | boolean | null): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export type ColumnKind = 'text' | 'number';

interface ColumnSql {
  /** The value as the grid shows it. */
  expr: (attr: boolean) => string;
  /** The expression to sort and compare numbers by, when it differs from `expr`. */
  numeric?: (attr: boolean) => string;
  kind: ColumnKind;
}

const fromAttr = (col: string, type: string) => (attr: boolean): string => (attr ? `t.${col}` : `NULL::${type}`);

/** The allowlist: grid column id → SQL. */
export const COLUMN_SQL: Record<BreakColumn, ColumnSql> = {
  breakId: { expr: () => 'b.break_id', kind: 'number' },
  key: { expr: () => 'b.key', kind: 'text' },
  field: { expr: () => 'b.field', kind: 'text' },
  diffType: { expr: () => 'b.diff_type', kind: 'text' },
  side: { expr: () => 'b.side', kind: 'text' },
  valueA: { expr: () => 'b.value_a', kind: 'text' },
  valueB: { expr: () => 'b.value_b', kind: 'text' },
  // The delta stays exact text for display. Its sort and filter key is a DOUBLE:
  // parsing a million DECIMAL(38,10) takes seconds, a DOUBLE ~0.3 s, and rows
  // could only swap where deltas agree to 15 significant digits (finer than
  // any bound a person types into the grid's number filter).
  delta: { expr: () => 'b.delta', numeric: () => 'TRY_CAST(b.delta AS DOUBLE)', kind: 'number' },
  fieldType: { expr: () => 'b.field_type', kind: 'text' },
  // B/A of a number break, exact text (ratio-sql.ts); sorted and filtered as a DOUBLE of that text, like the delta.
  ratio: { expr: () => ratioSql(), numeric: () => `TRY_CAST((${ratioSql()}) AS DOUBLE)`, kind: 'number' },
  // A decision's status and reason win over the model's; a break without one shows the model's.
  reason: { expr: (attr) => (attr ? 'coalesce(d.reason, t.reason)' : 'd.reason'), kind: 'text' },
  confidence: { expr: fromAttr('confidence', 'DOUBLE'), kind: 'number' },
  status: { expr: (attr) => (attr ? 'coalesce(d.status, t.status)' : 'd.status'), kind: 'text' },
  suggestedReason: { expr: fromAttr('suggested_reason', 'VARCHAR'), kind: 'text' },
  // Break memory: NULL for a run without it (grid_memory is then empty).
  lifecycle: { expr: () => 'm.lifecycle', kind: 'text' },
  // As-of date then run id, so it sorts by date and a text filter finds either.
  firstSeen: { expr: () => `(strftime(m.first_seen_as_of, '%Y-%m-%d') || ' ' || m.first_seen_run)`, kind: 'text' },
  ageRuns: { expr: () => 'm.age_runs', kind: 'number' },
  ageDays: { expr: () => 'm.age_days', kind: 'number' },
  // Above 0: overdue by that many days; the SLA is the one of the reason shown (a decision's over the model's).
  pastSla: { expr: () => '(m.age_days - s.sla_days)', kind: 'number' },
  // The reason rule that gave the reason (issue 20), by name; NULL where the model's stands or in a file from before rules.
  rule: { expr: fromAttr('rule_name', 'VARCHAR'), kind: 'text' },
  // The explanation in words: the first sentence of the attribution's top features (a rule's own for a rule's break).
  explanation: { expr: fromAttr('explanation', 'VARCHAR'), kind: 'text' },
};

/** Columns that live in `attributions`: a view joins it only when one of them is sorted or filtered on. */
export const ATTRIBUTION_COLUMNS: ReadonlySet<BreakColumn> = new Set<BreakColumn>(['reason', 'confidence', 'status', 'suggestedReason', 'pastSla', 'rule', 'explanation']);

/** Columns of break memory (and the SLA): a view or facet joins `grid_memory` (and `reason_sla`) only when it sorts or filters on one. */
export const MEMORY_COLUMNS: ReadonlySet<BreakColumn> = new Set<BreakColumn>(['lifecycle', 'firstSeen', 'ageRuns', 'ageDays', 'pastSla']);

/** Whether any of `cols` (grid column ids) needs the break-memory joins. */
export function needsMemory(cols: Iterable<string>): boolean {
  for (const c of cols) if (MEMORY_COLUMNS.has(c as BreakColumn)) return true;
  return false;
}

/**
 * Break memory `m` and the SLA `s` of the reason shown, to follow breaksFrom() (the SLA's join reads
 * `d` and `t`). `range`: the default order's page, which reads memory rows by the same id range.
 */
export function memoryJoins(attr: boolean, range = false): string {
  const m = range ? `(SELECT * FROM ${GRID_MEMORY} WHERE break_id BETWEEN $1 AND $2)` : GRID_MEMORY;
  return `LEFT JOIN ${m} m ON m.break_id = b.break_id LEFT JOIN ${REASON_SLA} s ON s.reason = ${COLUMN_SQL.reason.expr(attr)}`;
}

/** The expression used to sort or compare a column. */
export function orderExpr(col: BreakColumn, attr: boolean): string {
  const c = COLUMN_SQL[col];
  return (c.numeric ?? c.expr)(attr);
}

/**
 * The select list of a grid row. A window table leaves out the B/A ratio
 * (`ratio: false`): its page computes it for its 100 rows, as building a
 * 10,000-row window with it took several times as long.
 */
export function rowSelect(attr: boolean, ratio = true): string {
  return `b.break_id, b.key, b.field, b.diff_type, b.side, b.value_a, b.value_b, b.delta, b.field_type, b.rid_a, b.rid_b,
          ${COLUMN_SQL.reason.expr(attr)} AS reason, ${COLUMN_SQL.confidence.expr(attr)} AS confidence,
          ${COLUMN_SQL.status.expr(attr)} AS status, ${COLUMN_SQL.suggestedReason.expr(attr)} AS suggested_reason,
          ${fromAttr('reason', 'VARCHAR')(attr)} AS model_reason, ${fromAttr('status', 'VARCHAR')(attr)} AS model_status,
          ${fromAttr('rule_id', 'VARCHAR')(attr)} AS rule_id, ${fromAttr('rule_name', 'VARCHAR')(attr)} AS rule_name, ${fromAttr('rule_version', 'INTEGER')(attr)} AS rule_version,
          ${fromAttr('rule_model_reason', 'VARCHAR')(attr)} AS rule_model_reason, ${fromAttr('rule_model_confidence', 'DOUBLE')(attr)} AS rule_model_confidence,
          ${fromAttr('rule_model_status', 'VARCHAR')(attr)} AS rule_model_status, ${fromAttr('explanation', 'VARCHAR')(attr)} AS explanation,
          m.lifecycle, m.first_seen_run, strftime(m.first_seen_as_of, '%Y-%m-%d') AS first_seen_as_of, m.age_runs, m.age_days,
          s.sla_days, ${COLUMN_SQL.pastSla.expr(attr)} AS past_sla${
            ratio ? `, ${COLUMN_SQL.ratio.expr(attr)} AS ratio` : ''
          }`;
}

/** The model's attribution of `b`, for a query that starts from another table. */
const ATTRIBUTIONS_JOIN = `LEFT JOIN ${GRID_ATTRIBUTIONS} t ON t.break_id = b.break_id`;

/** The decided statuses: a small TEMP table, so joining it costs one hash probe per row. */
export const OVERLAY_JOIN = `LEFT JOIN ${STATUS_OVERLAY} d ON d.break_id = b.break_id`;

/** `breaks b`, joined to its attributions when the run has them, and to the decided statuses. */
export function breaksFrom(attr: boolean): string {
  const from = attr ? `${RUN_TABLES.breaks} b ${ATTRIBUTIONS_JOIN}` : `${RUN_TABLES.breaks} b`;
  return `${from} ${OVERLAY_JOIN}`;
}

/** Rows [first, last] (1-based break ids) of the default order: a range on both tables, no scan of the join. */
export function rangePageSql(attr: boolean): string {
  const t = attr ? `LEFT JOIN (SELECT * FROM ${GRID_ATTRIBUTIONS} WHERE break_id BETWEEN $1 AND $2) t ON t.break_id = b.break_id` : '';
  return `SELECT ${rowSelect(attr)} FROM (SELECT * FROM ${RUN_TABLES.breaks} WHERE break_id BETWEEN $1 AND $2) b ${t} ${OVERLAY_JOIN} ${memoryJoins(attr, true)} ORDER BY b.break_id`;
}

/** Rows [first, last] (1-based positions) of a view table `(rn, break_id)`. */
export function viewPageSql(viewTable: string, attr: boolean): string {
  const t = attr ? ATTRIBUTIONS_JOIN : '';
  return `WITH p AS (SELECT rn, break_id FROM ${viewTable} WHERE rn BETWEEN $1 AND $2)
          SELECT ${rowSelect(attr)} FROM p JOIN ${RUN_TABLES.breaks} b ON b.break_id = p.break_id ${t} ${OVERLAY_JOIN} ${memoryJoins(attr)} ORDER BY p.rn`;
}

/** Rows of a view's window [first, last] as a table of whole rows (rn first), stored in rn order. */
export function createWindowSql(windowTable: string, viewTable: string, attr: boolean): string {
  const t = attr ? ATTRIBUTIONS_JOIN : '';
  return `CREATE OR REPLACE TEMP TABLE ${windowTable} AS
          WITH p AS (SELECT rn, break_id FROM ${viewTable} WHERE rn BETWEEN $1 AND $2)
          SELECT p.rn, ${rowSelect(attr, false)} FROM p JOIN ${RUN_TABLES.breaks} b ON b.break_id = p.break_id ${t} ${OVERLAY_JOIN} ${memoryJoins(attr)} ORDER BY p.rn`;
}

/** Rows [first, last] of a window table. */
export function windowPageSql(windowTable: string): string {
  return `SELECT * EXCLUDE (rn), ${ratioSql()} AS ratio FROM ${windowTable} b WHERE rn BETWEEN $1 AND $2 ORDER BY rn`;
}

/** A view: the break ids in the asked order, numbered from 1, stored sorted so pages read a narrow range. `joins`: the records, for record-context columns (context.ts). */
export function createViewSql(viewTable: string, attr: boolean, where: string, orderBy: string, joins = ''): string {
  return `CREATE OR REPLACE TEMP TABLE ${viewTable} AS
          SELECT row_number() OVER (ORDER BY ${orderBy}) AS rn, b.break_id
            FROM ${breaksFrom(attr)} ${joins} ${where === '' ? '' : `WHERE ${where}`}
           ORDER BY rn`;
}

/** A break and the other breaks of its key. */
export function breakByIdSql(attr: boolean): string {
  return `SELECT ${rowSelect(attr)} FROM ${breaksFrom(attr)} ${memoryJoins(attr)} WHERE b.break_id = $1`;
}
export function breaksOfKeySql(attr: boolean): string {
  return `SELECT ${rowSelect(attr)} FROM ${breaksFrom(attr)} ${memoryJoins(attr)} WHERE b.key = $1 ORDER BY b.break_id LIMIT 200`;
}
/** Breaks by id; the ids travel as one text parameter "1,5,9". */
export function breaksByIdsSql(attr: boolean): string {
  return `SELECT ${rowSelect(attr)} FROM ${breaksFrom(attr)} ${memoryJoins(attr)} WHERE b.break_id IN (SELECT CAST(unnest(string_split($1, ',')) AS BIGINT)) ORDER BY b.break_id`;
}

/** A DuckDB row (JSON form: BIGINT as text) of rowSelect() as a grid row: the Break with its decided status and reason and its ratio. */
export function toBreakRow(r: Record<string, unknown>): BreakRow {
  const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    ...toBreak(r),
    reason: str(r['reason']),
    status: str(r['status']),
    ratio: str(r['ratio']),
    lifecycle: str(r['lifecycle']),
    firstSeenRun: str(r['first_seen_run']),
    firstSeenAsOf: str(r['first_seen_as_of']),
    ageRuns: num(r['age_runs']),
    ageDays: num(r['age_days']),
    slaDays: num(r['sla_days']),
    pastSla: num(r['past_sla']),
    ruleId: str(r['rule_id']),
    ruleName: str(r['rule_name']),
    ruleVersion: num(r['rule_version']),
    ruleModelReason: str(r['rule_model_reason']),
    ruleModelConfidence: num(r['rule_model_confidence']),
    ruleModelStatus: str(r['rule_model_status']),
    explanation: str(r['explanation']),
  };
}
