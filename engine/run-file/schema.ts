/**
 * The names in a run's DuckDB file (`<workspace>/runs/<run-id>.duckdb`), in
 * one place: the run writes these tables (run/, diff/, attribution/...), and
 * every reader (the grid, reports, the workflow's break sources) reads them
 * by these names. docs/ARCHITECTURE.md describes each table's content.
 */

/** The run file's tables and views. */
export const RUN_TABLES = {
  /** One row per break (the diff's output). */
  breaks: 'breaks',
  /** The model's reason per break (attribution; absent when it did not run). */
  attributions: 'attributions',
  /** The attribution feature vector of every break (retraining reads it). */
  breakFeatures: 'break_features',
  /** Run id, the definition used and the summary (JSON). */
  runInfo: 'run_info',
  /** Integrity checks. */
  checks: 'checks',
  /** Rejected records and values. */
  rejects: 'rejects',
  /** Where staged rows are in their files. */
  lineMap: 'line_map',
  /** Keys that occur more than once on a side. */
  dupKeys: 'dup_keys',
  /** Views of every loaded record of side A and B. */
  a: 'a',
  b: 'b',
  /** What the views read (stored lean). */
  aRows: 'a_rows',
  bRows: 'b_rows',
  /** The run in its series: run id, series, as-of date, previous run (engine/series). */
  seriesInfo: 'series_info',
  /** Per break: lifecycle (NEW/CARRIED/CHANGED), first seen, age in runs and days, the previous run's break. */
  breakMemory: 'break_memory',
  /** The previous run's breaks that are gone in this one, and how they ended. */
  resolvedBreaks: 'resolved_breaks',
  /** The previous run's decisions on breaks carried (kept) or changed (dropped). */
  carriedDecisions: 'carried_decisions',
  /** Matching (engine/match): every matched row with its match id, rule, match type and score. */
  matches: 'matches',
  /** Matching: one row per matched group: rows and amount sums per side, the exact difference, the score. */
  matchGroups: 'match_groups',
  /** Matching: the candidates of every AMBIGUOUS row, with their scores and why. */
  matchCandidates: 'match_candidates',
  /** The reason rules in force for the run (engine/rules): id, version, name, reason, scope, order, conditions and their hash, breaks matched. */
  reasonRulesInForce: 'reason_rules_in_force',
  /** The run file's layout version (RUN_FILE_VERSION); absent in a version-1 file. */
  runFileVersion: 'run_file_version',
} as const;

/**
 * The run file's layout version. 1: before reason rules (no `run_file_version`
 * table). 2: `attributions` has rule_id, rule_name, rule_version (the reason
 * rule that gave the reason, else NULL) and model_reason, model_confidence,
 * model_status (what the model said of a break a rule took; NULL where no rule
 * applied: the model's is `reason`), and `reason_rules_in_force` lists the
 * rules. Readers check the columns (a version-1 file has none) and read such
 * files as "no rule applied".
 */
export const RUN_FILE_VERSION = 2;

/** The TEMP table of a reader's connection holding the decided statuses from the workflow store (never in the file). */
export const STATUS_OVERLAY = 'status_overlay';

/**
 * The TEMP view of a reader's connection over `break_memory`: the same columns, empty for a run
 * file from before break memory, so every reader joins it alike and such runs' breaks have no memory.
 */
export const GRID_MEMORY = 'grid_memory';

/** The TEMP table of a reader's connection holding each reason code's SLA in days, from the workflow store. */
export const REASON_SLA = 'reason_sla';

/** The `break_memory` columns a reader needs (engine/series/link.ts writes them). */
export const MEMORY_COLUMNS_SQL = ['break_id', 'lifecycle', 'first_seen_run', 'first_seen_as_of', 'age_runs', 'age_days', 'previous_break_id'] as const;

/** The `breaks` table's columns. */
export const BREAK_COLUMNS_SQL = [
  'break_id',
  'key',
  'field',
  'diff_type',
  'side',
  'value_a',
  'value_b',
  'delta',
  'field_type',
  'rid_a',
  'rid_b',
] as const;

/** The `attributions` columns a reader needs to join the model's reasons (`top_features` is optional). */
export const ATTRIBUTION_COLUMNS_SQL = ['break_id', 'reason', 'confidence', 'status', 'suggested_reason'] as const;

/** `breaks b` left-joined to the model's attribution `t` when the run has one. */
export function breaksWithAttributions(hasAttributions: boolean): string {
  return hasAttributions ? `${RUN_TABLES.breaks} b LEFT JOIN ${RUN_TABLES.attributions} t ON t.break_id = b.break_id` : `${RUN_TABLES.breaks} b`;
}
