import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne, queryRows } from '../duckdb/open.ts';
import { literal } from '../sql/quote.ts';
import type { PreviousRun } from './previous-run.ts';

/**
 * Break memory: this run's breaks linked to the previous run of its series,
 * in SQL against the previous run's file (attached read-only for the length
 * of one statement batch). A break is the same break across runs when its
 * (key, field) is the same; several breaks of one (key, field), the rows of
 * a duplicated key, pair up in order. Writes to the run file:
 *
 *   series_info       run_id, series, as_of, previous_run_id
 *   break_memory      per break: lifecycle NEW | CARRIED | CHANGED, first seen
 *                     (run and as-of), age in runs (consecutive, this one
 *                     included) and days, the previous run's break id
 *   resolved_breaks   the previous run's breaks absent now, and how they ended
 *   carried_decisions the previous run's decisions on breaks that are CARRIED
 *                     (kept) or CHANGED (dropped: the values moved since)
 *
 * A previous run file made before break memory has no memory of its own: its
 * breaks count as first seen in it.
 */
export type Lifecycle = 'NEW' | 'CARRIED' | 'CHANGED';

/**
 * How a break of the previous run that is not open now ended:
 * the values now agree, the record is now on both sides, or gone from both;
 * or it is now on one side only, or a duplicate or rejected row (a
 * whole-record break of this run says so).
 */
export type Resolution = 'VALUES_AGREE' | 'RECORD_ON_BOTH_SIDES' | 'RECORD_GONE' | 'RECORD_ON_ONE_SIDE' | 'RECORD_NOT_COMPARED';

/** A decision in force on a break of the previous run, from the workflow store. */
export interface PreviousDecision {
  breakId: number;
  /** The break's status: ACCEPTED, OVERRIDDEN, REJECTED, or PROPOSED (a pending proposal). */
  status: string;
  reason: string | null;
  decisionId: string;
  approvalId: string | null;
}

/** A previous decision as this run links it: carried to one of its breaks (kept), or dropped (the values changed). */
export interface CarriedDecision extends PreviousDecision {
  previousBreakId: number;
  kept: boolean;
}

/** The carries and drops linkToPreviousRun recorded in `carried_decisions`. */
export async function readCarriedDecisions(conn: DuckDBConnection): Promise<CarriedDecision[]> {
  const rows = await queryRows<{ break_id: string; previous_break_id: string; kept: boolean; status: string; reason: string | null; decision_id: string; approval_id: string | null }>(
    conn,
    `SELECT break_id, previous_break_id, kept, status, reason, decision_id, approval_id FROM carried_decisions ORDER BY break_id`,
  );
  return rows.map((r) => ({
    breakId: Number(r.break_id),
    previousBreakId: Number(r.previous_break_id),
    kept: r.kept,
    status: r.status,
    reason: r.reason,
    decisionId: r.decision_id,
    approvalId: r.approval_id,
  }));
}

export interface LifecycleCounts {
  previousRunId: string | null;
  asOf: string;
  new: number;
  carried: number;
  changed: number;
  resolved: number;
  /** Decisions kept on carried breaks, and dropped on changed ones. */
  decisionsCarried: number;
  decisionsDropped: number;
}

export const SERIES_DDL = `
CREATE OR REPLACE TABLE series_info (run_id VARCHAR NOT NULL, series VARCHAR NOT NULL, as_of DATE NOT NULL, previous_run_id VARCHAR);
CREATE OR REPLACE TABLE break_memory (
  break_id BIGINT NOT NULL, lifecycle VARCHAR NOT NULL, first_seen_run VARCHAR NOT NULL, first_seen_as_of DATE NOT NULL,
  age_runs INTEGER NOT NULL, age_days INTEGER NOT NULL, previous_break_id BIGINT);
CREATE OR REPLACE TABLE resolved_breaks (
  key VARCHAR, field VARCHAR, diff_type VARCHAR, value_a VARCHAR, value_b VARCHAR, first_seen_run VARCHAR, first_seen_as_of DATE,
  last_seen_run VARCHAR, resolution VARCHAR, previous_break_id BIGINT);
CREATE OR REPLACE TABLE carried_decisions (
  break_id BIGINT NOT NULL, previous_break_id BIGINT NOT NULL, kept BOOLEAN NOT NULL, status VARCHAR NOT NULL, reason VARCHAR,
  decision_id VARCHAR NOT NULL, approval_id VARCHAR);
`;

export interface LinkOptions {
  runId: string;
  series: string;
  asOf: string;
  previous?: PreviousRun;
  previousDecisions?: readonly PreviousDecision[];
}

const PREV = '__prev_run';
/**
 * The previous run's breaks with their memory, a TEMP table kept for the rest
 * of the run's connection: attribution's "broke last time" features read it.
 */
export const PREVIOUS_BREAKS = '__prev_breaks';
/** Per linked break of this run: lifecycle, age in runs, the previous reason and whether it was decided (TEMP, for attribution). */
export const BREAK_HISTORY = '__break_history';

/** The run's breaks with a per-(key, field) occurrence number, so duplicates pair in order. */
const occurrences = (breaks: string): string =>
  `SELECT break_id, key, field, diff_type, side, value_a, value_b,
          row_number() OVER (PARTITION BY key, field ORDER BY diff_type, side NULLS FIRST, break_id) AS occ
     FROM ${breaks}`;

/**
 * Values compared for CARRIED: a rejected side's value quotes the reject's
 * line, which moves as the file's other lines come and go; the reason stays.
 */
const sameValue = (x: string, y: string, diffType: string): string =>
  `CASE WHEN ${diffType} LIKE 'REJECTED_IN_%'
        THEN regexp_replace(${x}, 'line [0-9]+', 'line', 'g') IS NOT DISTINCT FROM regexp_replace(${y}, 'line [0-9]+', 'line', 'g')
        ELSE ${x} IS NOT DISTINCT FROM ${y} END`;

export async function linkToPreviousRun(conn: DuckDBConnection, opts: LinkOptions): Promise<LifecycleCounts> {
  await conn.run(SERIES_DDL);
  const asOf = `DATE ${literal(opts.asOf)}`;
  await conn.run(
    `INSERT INTO series_info VALUES (${literal(opts.runId)}, ${literal(opts.series)}, ${asOf}, ${opts.previous ? literal(opts.previous.runId) : 'NULL'})`,
  );
  if (!opts.previous) {
    await conn.run(
      `INSERT INTO break_memory SELECT break_id, 'NEW', ${literal(opts.runId)}, ${asOf}, 1, 0, NULL FROM breaks`,
    );
    return counts(conn, null, opts.asOf);
  }

  const prev = opts.previous;
  await conn.run(`ATTACH ${literal(prev.database)} AS ${PREV} (READ_ONLY)`);
  try {
    const tables = new Set(
      (await queryRows<{ t: string }>(conn, `SELECT table_name AS t FROM duckdb_tables() WHERE database_name = ${literal(PREV)}`)).map((r) => r.t),
    );
    // The previous run's as-of: its own, or (made before break memory) the date it started.
    const prevAsOf = tables.has('series_info')
      ? `(SELECT as_of FROM ${PREV}.series_info LIMIT 1)`
      : `DATE ${literal((prev.startedAt || new Date().toISOString()).slice(0, 10))}`;
    const memory = tables.has('break_memory')
      ? `LEFT JOIN ${PREV}.break_memory m USING (break_id)`
      : `LEFT JOIN (SELECT NULL::BIGINT AS break_id, NULL::VARCHAR AS first_seen_run, NULL::DATE AS first_seen_as_of, NULL::INTEGER AS age_runs) m USING (break_id)`;
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${PREVIOUS_BREAKS} AS
       SELECT o.*, coalesce(m.first_seen_run, ${literal(prev.runId)}) AS first_seen_run,
              coalesce(m.first_seen_as_of, ${prevAsOf}) AS first_seen_as_of, coalesce(m.age_runs, 1) AS age_runs
         FROM (${occurrences(`${PREV}.breaks`)}) o ${memory}`,
    );
    await conn.run(
      `INSERT INTO break_memory
       SELECT c.break_id,
              CASE WHEN o.break_id IS NULL THEN 'NEW'
                   WHEN o.diff_type = c.diff_type AND o.side IS NOT DISTINCT FROM c.side
                        AND ${sameValue('o.value_a', 'c.value_a', 'c.diff_type')} AND ${sameValue('o.value_b', 'c.value_b', 'c.diff_type')} THEN 'CARRIED'
                   ELSE 'CHANGED' END,
              coalesce(o.first_seen_run, ${literal(opts.runId)}),
              coalesce(o.first_seen_as_of, ${asOf}),
              coalesce(o.age_runs, 0) + 1,
              greatest(date_diff('day', coalesce(o.first_seen_as_of, ${asOf}), ${asOf}), 0),
              o.break_id
         FROM (${occurrences('breaks')}) c
         LEFT JOIN ${PREVIOUS_BREAKS} o ON o.key = c.key AND o.field = c.field AND o.occ = c.occ`,
    );
    // Gone: no break of this run has the (key, field). Where the record is now says how it ended.
    await conn.run(
      `INSERT INTO resolved_breaks
       WITH gone AS (
              SELECT * FROM ${PREVIOUS_BREAKS} o
               WHERE o.occ = 1 AND NOT EXISTS (SELECT 1 FROM breaks c WHERE c.key = o.key AND c.field = o.field)),
            pa AS (SELECT __key AS key, count(*) AS n, bool_or(__bad) AS bad FROM a WHERE __key IN (SELECT key FROM gone) GROUP BY __key),
            pb AS (SELECT __key AS key, count(*) AS n, bool_or(__bad) AS bad FROM b WHERE __key IN (SELECT key FROM gone) GROUP BY __key)
       SELECT g.key, g.field, g.diff_type, g.value_a, g.value_b, g.first_seen_run, g.first_seen_as_of, ${literal(prev.runId)},
              CASE WHEN pa.key IS NULL AND pb.key IS NULL THEN 'RECORD_GONE'
                   WHEN pa.key IS NULL OR pb.key IS NULL THEN 'RECORD_ON_ONE_SIDE'
                   WHEN pa.bad OR pb.bad OR pa.n > 1 OR pb.n > 1 THEN 'RECORD_NOT_COMPARED'
                   WHEN g.field = '*' THEN 'RECORD_ON_BOTH_SIDES'
                   ELSE 'VALUES_AGREE' END,
              g.break_id
         FROM gone g LEFT JOIN pa ON pa.key = g.key LEFT JOIN pb ON pb.key = g.key
        ORDER BY g.key, g.field`,
    );
    // The previous run's reasons of linked breaks: carried ones keep theirs (after
    // attribution), and every linked break's is a history feature of the model.
    // by_rule: a reason rule gave it (run-file version 2), so it is not carried (keepCarriedReasons).
    const byRule = (
      await queryRows<{ n: string }>(
        conn,
        `SELECT count(*) AS n FROM duckdb_columns() WHERE database_name = ${literal(PREV)} AND table_name = 'attributions' AND column_name = 'rule_id'`,
      )
    )[0];
    await conn.run(
      tables.has('attributions')
        ? `CREATE OR REPLACE TEMP TABLE __linked_reasons AS
           SELECT m.break_id, m.lifecycle, p.reason, p.confidence, p.status, p.suggested_reason, p.top_features,
                  ${Number(byRule?.n ?? 0) > 0 ? 'p.rule_id IS NOT NULL' : 'false'} AS by_rule
             FROM break_memory m JOIN ${PREV}.attributions p ON p.break_id = m.previous_break_id
            WHERE m.lifecycle IN ('CARRIED', 'CHANGED')`
        : `CREATE OR REPLACE TEMP TABLE __linked_reasons (break_id BIGINT, lifecycle VARCHAR, reason VARCHAR, confidence DOUBLE, status VARCHAR, suggested_reason VARCHAR, top_features JSON, by_rule BOOLEAN)`,
    );
  } finally {
    await conn.run(`DETACH ${PREV}`);
  }

  const decisions = opts.previousDecisions ?? [];
  if (decisions.length > 0) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE __prev_decisions (break_id BIGINT, status VARCHAR, reason VARCHAR, decision_id VARCHAR, approval_id VARCHAR)`);
    const BATCH = 2_000;
    for (let i = 0; i < decisions.length; i += BATCH) {
      const batch = decisions.slice(i, i + BATCH);
      await conn.run(
        `INSERT INTO __prev_decisions VALUES ${batch.map((_, j) => `($${j * 5 + 1}, $${j * 5 + 2}, $${j * 5 + 3}, $${j * 5 + 4}, $${j * 5 + 5})`).join(', ')}`,
        batch.flatMap((d) => [d.breakId, d.status, d.reason, d.decisionId, d.approvalId]) as never,
      );
    }
    await conn.run(
      `INSERT INTO carried_decisions
       SELECT m.break_id, m.previous_break_id, m.lifecycle = 'CARRIED', d.status, d.reason, d.decision_id, d.approval_id
         FROM break_memory m JOIN __prev_decisions d ON d.break_id = m.previous_break_id
        WHERE m.lifecycle IN ('CARRIED', 'CHANGED')
        ORDER BY m.break_id`,
    );
    await conn.run(`DROP TABLE __prev_decisions`);
  }
  // What the model's history features read: the previous run's final reason (a
  // decision's, else the model's when it was sure), whether a decision was on it.
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${BREAK_HISTORY} AS
     SELECT m.break_id, m.lifecycle, m.age_runs,
            coalesce(CASE WHEN d.status IN ('ACCEPTED', 'OVERRIDDEN') THEN d.reason END, CASE WHEN p.status = 'AUTO' THEN p.reason END) AS prev_reason,
            d.break_id IS NOT NULL AS prev_decided
       FROM break_memory m LEFT JOIN __linked_reasons p USING (break_id) LEFT JOIN carried_decisions d USING (break_id)
      WHERE m.lifecycle IN ('CARRIED', 'CHANGED')`,
  );
  return counts(conn, prev.runId, opts.asOf);
}

/**
 * A carried break keeps its reason: the previous run's attribution, or the
 * reason its carried decision settled on. Run after attribution. A reason a
 * reason rule gave is not carried: it was the rule's, not a reviewer's, so the
 * model's attribution of this run stands and the rules now in force apply
 * after this (a retired rule's reason would otherwise stay, AUTO, naming no rule).
 * A kept carried decision carries whatever gave the previous reason.
 */
export async function keepCarriedReasons(conn: DuckDBConnection): Promise<void> {
  const [has] = await queryRows<{ n: string }>(conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = '__linked_reasons' AND temporary`);
  if (Number(has?.n ?? 0) === 0) return;
  await conn.run(
    `UPDATE attributions t
        SET reason = coalesce(d.reason, p.reason), confidence = p.confidence, status = p.status,
            suggested_reason = p.suggested_reason, top_features = p.top_features
       FROM (SELECT * FROM __linked_reasons WHERE lifecycle = 'CARRIED') p LEFT JOIN carried_decisions d ON d.break_id = p.break_id AND d.kept
      WHERE t.break_id = p.break_id AND (NOT p.by_rule OR d.break_id IS NOT NULL)`,
  );
  await conn.run(`DROP TABLE __linked_reasons`);
}

async function counts(conn: DuckDBConnection, previousRunId: string | null, asOf: string): Promise<LifecycleCounts> {
  const r = await queryOne<Record<string, string>>(
    conn,
    `SELECT (SELECT count(*) FILTER (WHERE lifecycle = 'NEW') FROM break_memory) AS new,
            (SELECT count(*) FILTER (WHERE lifecycle = 'CARRIED') FROM break_memory) AS carried,
            (SELECT count(*) FILTER (WHERE lifecycle = 'CHANGED') FROM break_memory) AS changed,
            (SELECT count(*) FROM resolved_breaks) AS resolved,
            (SELECT count(*) FILTER (WHERE kept) FROM carried_decisions) AS kept,
            (SELECT count(*) FILTER (WHERE NOT kept) FROM carried_decisions) AS dropped`,
  );
  return {
    previousRunId,
    asOf,
    new: Number(r['new']),
    carried: Number(r['carried']),
    changed: Number(r['changed']),
    resolved: Number(r['resolved']),
    decisionsCarried: Number(r['kept']),
    decisionsDropped: Number(r['dropped']),
  };
}
