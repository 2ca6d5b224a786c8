/**
 * What is matched NOW in a matching run, in SQL on the run file's read-only
 * connection: the run's `matches`, minus the matches undone by UNMATCH
 * actions in force, plus the manual MATCH actions in force (their own 'U…'
 * match ids), with pending actions marked. The store's actions (the workflow's
 * manual-matches.ts) are copied into TEMP tables, as grid/status-overlay.ts
 * copies decided statuses, and three TEMP tables are derived from them, so
 * the lists page, filter and count in SQL:
 *
 *   matching_rows_now       (match_id, side, rid, origin)  every row in a group: RULE, MANUAL or PENDING (a MATCH waiting for approval)
 *   matching_groups_now     one row per group (matching.groups' columns, state, date, label, amount_abs, hay)
 *   matching_unmatched_now  one row per unmatched row (side, rid, id, status, break_id, rule, match_type, amount, date, amount_abs, hay)
 *
 * They are rebuilt only when the run's actions change (a digest of them), checked
 * cheaply through the store's audit heads like the status overlay.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MatchAction } from '../../contract/index.ts';
import type { Store } from '../../store/store.ts';
import { listMatchActions } from '../../workflow/manual-matches.ts';
import { workflowStamp } from '../grid/status-overlay.ts';
import type { RunFile } from '../run-file.ts';
import { RUN_TABLES } from '../schema.ts';
import type { MatchingLayout } from './layout.ts';
import { rowValuesSql } from './row-sql.ts';

export const NOW_TABLES = {
  actions: 'matching_actions',
  actionRows: 'matching_action_rows',
  rows: 'matching_rows_now',
  groups: 'matching_groups_now',
  unmatched: 'matching_unmatched_now',
} as const;

/** Per open run handle: the workflow stamp and the actions' digest its TEMP tables were built from. */
const built = new WeakMap<RunFile, { stamp: string; digest: string }>();

/** Brings the run's TEMP "now" tables up to date with the store's match actions. */
export async function syncMatchingNow(db: RunFile, store: Store, layout: MatchingLayout): Promise<void> {
  const stamp = workflowStamp(store);
  const last = built.get(db);
  if (last?.stamp === stamp) return;
  const actions = listMatchActions(store, { runId: db.runId });
  const digest = createHash('sha256')
    .update(JSON.stringify(actions.map((a) => [a.actionId, a.kind, a.matchId, a.state, a.rows])))
    .digest('hex');
  if (last?.digest === digest) {
    built.set(db, { stamp, digest });
    return;
  }
  await db.run(async (c) => {
    await loadActions(c, actions);
    await buildNow(c, layout);
  });
  built.set(db, { stamp, digest });
}

/** The actions as TEMP tables: one row per action (its state), one per action and row. */
async function loadActions(c: DuckDBConnection, actions: readonly MatchAction[]): Promise<void> {
  await c.run(`CREATE OR REPLACE TEMP TABLE ${NOW_TABLES.actions} (action_id VARCHAR, kind VARCHAR, match_id VARCHAR, state VARCHAR)`);
  await c.run(`CREATE OR REPLACE TEMP TABLE ${NOW_TABLES.actionRows} (action_id VARCHAR, side VARCHAR, rid BIGINT)`);
  if (actions.length === 0) return;
  // One JSON parameter each instead of a statement per action.
  await c.run(
    `INSERT INTO ${NOW_TABLES.actions} SELECT unnest(from_json($1::JSON, '[{"action_id":"VARCHAR","kind":"VARCHAR","match_id":"VARCHAR","state":"VARCHAR"}]'), recursive := true)`,
    [JSON.stringify(actions.map((a) => ({ action_id: a.actionId, kind: a.kind, match_id: a.matchId, state: a.state })))],
  );
  const rows = actions.flatMap((a) => a.rows.map((r) => ({ action_id: a.actionId, side: r.side, rid: r.rid })));
  await c.run(`INSERT INTO ${NOW_TABLES.actionRows} SELECT unnest(from_json($1::JSON, '[{"action_id":"VARCHAR","side":"VARCHAR","rid":"BIGINT"}]'), recursive := true)`, [
    JSON.stringify(rows),
  ]);
}

/** Actions in force: they needed no approval, or were approved (workflow/manual-matches.ts inForce). */
const IN_FORCE = `state IN ('EFFECTIVE', 'APPROVED')`;
const UNDONE = `(SELECT match_id FROM ${NOW_TABLES.actions} WHERE kind = 'UNMATCH' AND ${IN_FORCE})`;
const PENDING_UNMATCH = `(SELECT match_id FROM ${NOW_TABLES.actions} WHERE kind = 'UNMATCH' AND state = 'PENDING')`;

async function buildNow(c: DuckDBConnection, layout: MatchingLayout): Promise<void> {
  const A_FIRST = `CASE WHEN v.side = 'a' THEN 0 ELSE CAST(1000000000000000 AS BIGINT) END + v.rid`;
  await c.run(`CREATE OR REPLACE TEMP TABLE ${NOW_TABLES.rows} AS
    SELECT match_id, side, rid, 'RULE' AS origin FROM ${RUN_TABLES.matches} WHERE match_id NOT IN ${UNDONE}
    UNION ALL
    SELECT x.match_id, r.side, r.rid, CASE WHEN x.state = 'PENDING' THEN 'PENDING' ELSE 'MANUAL' END
      FROM ${NOW_TABLES.actions} x JOIN ${NOW_TABLES.actionRows} r USING (action_id)
     WHERE x.kind = 'MATCH' AND (x.${IN_FORCE} OR x.state = 'PENDING') AND x.match_id NOT IN ${UNDONE}`);

  // A group's date and label are its first A row's (its first B row's when it has no A row).
  await c.run(`CREATE OR REPLACE TEMP TABLE ${NOW_TABLES.groups} AS
    WITH agg AS (
      SELECT n.match_id, any_value(n.origin) AS origin,
             count(*) FILTER (WHERE n.side = 'a') AS rows_a, count(*) FILTER (WHERE n.side = 'b') AS rows_b,
             coalesce(sum(v.amount) FILTER (WHERE n.side = 'a'), 0) AS sum_a, coalesce(sum(v.amount) FILTER (WHERE n.side = 'b'), 0) AS sum_b,
             arg_min(v.date, ${A_FIRST}) AS date, arg_min(v.label, ${A_FIRST}) AS label, string_agg(v.hay, ' ') AS hay
        FROM ${NOW_TABLES.rows} n JOIN ${rowValuesSql(layout)} v ON v.side = n.side AND v.rid = n.rid
       GROUP BY n.match_id)
    SELECT a.match_id, g.rule,
           coalesce(g.match_type, CASE WHEN a.rows_a <= 1 AND a.rows_b <= 1 THEN '1:1' WHEN a.rows_a <= 1 THEN '1:N' WHEN a.rows_b <= 1 THEN 'N:1' ELSE 'N:M' END) AS match_type,
           CAST(a.rows_a AS INTEGER) AS rows_a, CAST(a.rows_b AS INTEGER) AS rows_b,
           -- A rule's group sums its rule's amount field (engine/match): kept as the run wrote them.
           CASE WHEN g.match_id IS NOT NULL THEN CAST(g.sum_a AS VARCHAR) ELSE CAST(a.sum_a AS VARCHAR) END AS sum_a,
           CASE WHEN g.match_id IS NOT NULL THEN CAST(g.sum_b AS VARCHAR) ELSE CAST(a.sum_b AS VARCHAR) END AS sum_b,
           CASE WHEN g.match_id IS NOT NULL THEN CAST(g.difference AS VARCHAR) ELSE CAST(a.sum_b - a.sum_a AS VARCHAR) END AS difference,
           g.score,
           CASE WHEN a.origin = 'PENDING' THEN 'PENDING_MATCH' WHEN a.match_id IN ${PENDING_UNMATCH} THEN 'PENDING_UNMATCH' WHEN a.origin = 'MANUAL' THEN 'MANUAL' ELSE 'RULE' END AS state,
           a.date, a.label,
           TRY_CAST(greatest(abs(coalesce(g.sum_a, a.sum_a)), abs(coalesce(g.sum_b, a.sum_b))) AS DECIMAL(38, 6)) AS amount_abs,
           lower(a.match_id) || ' ' || coalesce(a.hay, '') AS hay,
           -- Manual matches and pending changes first: what people did is what they look for.
           CASE WHEN g.match_id IS NULL OR a.match_id IN ${PENDING_UNMATCH} THEN 0 ELSE 1 END AS list_order
      FROM agg a LEFT JOIN ${RUN_TABLES.matchGroups} g ON g.match_id = a.match_id AND a.origin = 'RULE'`);

  await c.run(`CREATE OR REPLACE TEMP TABLE ${NOW_TABLES.unmatched} AS
    WITH listed AS (
      SELECT CASE diff_type WHEN 'MISSING_IN_B' THEN 'a' WHEN 'MISSING_IN_A' THEN 'b' ELSE side END AS side,
             CASE WHEN diff_type = 'MISSING_IN_B' OR (diff_type = 'AMBIGUOUS' AND side = 'a') THEN rid_a ELSE rid_b END AS rid,
             break_id, diff_type = 'AMBIGUOUS' AS ambiguous, false AS undone, CAST(NULL AS VARCHAR) AS rule, CAST(NULL AS VARCHAR) AS match_type
        FROM ${RUN_TABLES.breaks} WHERE diff_type IN ('MISSING_IN_A', 'MISSING_IN_B', 'AMBIGUOUS')
      UNION ALL
      SELECT side, rid, NULL, false, true, rule, match_type FROM ${RUN_TABLES.matches} WHERE match_id IN ${UNDONE}
      UNION ALL
      SELECT r.side, r.rid, NULL, false, true, NULL, NULL
        FROM ${NOW_TABLES.actions} x JOIN ${NOW_TABLES.actionRows} r USING (action_id)
       WHERE x.kind = 'MATCH' AND x.${IN_FORCE} AND x.match_id IN ${UNDONE}),
    per_row AS (
      SELECT side, rid, max(break_id) AS break_id, bool_or(ambiguous) AS ambiguous, bool_or(undone) AS undone, max(rule) AS rule, max(match_type) AS match_type
        FROM listed GROUP BY side, rid),
    tied AS (SELECT side, rid, min(rule) AS rule FROM ${RUN_TABLES.matchCandidates} GROUP BY side, rid),
    pending AS (SELECT DISTINCT side, rid FROM ${NOW_TABLES.rows} WHERE origin = 'PENDING')
    SELECT p.side, p.rid, v.id,
           CASE WHEN pe.rid IS NOT NULL THEN 'PENDING_MATCH' WHEN p.undone THEN 'UNDONE' WHEN p.ambiguous THEN 'AMBIGUOUS' ELSE 'UNMATCHED' END AS status,
           p.break_id, coalesce(p.rule, t.rule) AS rule, p.match_type,
           CAST(v.amount AS VARCHAR) AS amount, v.date, TRY_CAST(abs(v.amount) AS DECIMAL(38, 6)) AS amount_abs, v.hay
      FROM per_row p JOIN ${rowValuesSql(layout)} v ON v.side = p.side AND v.rid = p.rid
      LEFT JOIN tied t ON t.side = p.side AND t.rid = p.rid
      LEFT JOIN pending pe ON pe.side = p.side AND pe.rid = p.rid
     WHERE NOT EXISTS (SELECT 1 FROM ${NOW_TABLES.rows} n WHERE n.side = p.side AND n.rid = p.rid AND n.origin <> 'PENDING')`);
}
