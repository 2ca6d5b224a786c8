/**
 * The shared state a windowed pull brings (pull-scope.ts): instead of every
 * window of server order since the team began (pull-state.ts), the runs in
 * scope come down whole (the run, its decisions and verdicts, statuses,
 * carries, match actions), in one REPEATABLE READ snapshot:
 *   - runs started, decided on or approved in the window;
 *   - every open item, whatever its age: the latest run of each recon (where
 *     break memory keeps the open breaks), runs with a proposal waiting for an
 *     approver (PROPOSED breaks), runs with a manual match waiting for one;
 *   - the runs of the decisions carried to those runs (break memory: a
 *     status held by an older run's decision), so every status is explained;
 * each limited to the chosen recons. Definitions: every version of those
 * recons. Each query is a range or key lookup (server migration 012).
 * `recon sync pull --history` uses the same with an older start.
 */
import type pg from 'pg';
import type { PulledDefinition } from '../workflow/definitions.ts';
import type { Store } from '../store/store.ts';
import type { RemoteMatchAction, RemoteMatchVerdict } from './apply-match-actions.ts';
import { applyWindow, type RemoteApproval, type RemoteCarry, type RemoteDecision, type RemoteRun, type RemoteStatus } from './apply-remote.ts';
import { inTransaction } from './connection.ts';
import { LOST_BREAKS_SQL } from './lost-breaks.ts';
import { getState, setState } from './local-state.ts';
import { setWindow, type PullWindow } from './pull-scope.ts';
import { pullEvidence, pullRoles, type PullStateResult } from './pull-state.ts';

/**
 * Runs in scope: $1 the window's start, $2 the recons (NULL: all). Written so each part is an index
 * range or key lookup at a million events (server migration 012): the latest run of each recon by a
 * skip scan over runs_by_definition (one probe per recon, not a scan of every run); the runs of
 * approvals in the window by key (= ANY(ARRAY(…)), not a hash join over every decision); a status
 * held by a decision of another run exists only for a carry (server migration 007), so the closure
 * reads the scope's carries.
 */
export const SCOPE_RUNS_SQL = `
WITH RECURSIVE recons AS (
  (SELECT definition_name AS name FROM recon.runs ORDER BY definition_name LIMIT 1)
  UNION ALL
  SELECT (SELECT r.definition_name FROM recon.runs r WHERE r.definition_name > recons.name ORDER BY r.definition_name LIMIT 1) FROM recons WHERE recons.name IS NOT NULL
), base AS (
  SELECT run_id FROM recon.runs WHERE started_at >= $1
  UNION SELECT run_id FROM recon.decisions WHERE decided_at >= $1
  UNION SELECT d.run_id FROM recon.decisions d WHERE d.decision_id = ANY (ARRAY(SELECT decision_id FROM recon.approvals WHERE decided_at >= $1))
  UNION SELECT (SELECT r.run_id FROM recon.runs r WHERE r.definition_name = recons.name ORDER BY r.started_at DESC LIMIT 1) FROM recons WHERE recons.name IS NOT NULL
  UNION SELECT run_id FROM recon.break_status WHERE status = 'PROPOSED'
  UNION SELECT m.run_id FROM recon.match_actions m WHERE m.needs_approval AND m.state = 'APPLIED'
           AND NOT EXISTS (SELECT 1 FROM recon.match_action_verdicts v WHERE v.action_id = m.action_id AND v.state = 'APPLIED')
), scoped AS (
  SELECT r.run_id FROM base JOIN recon.runs r ON r.run_id = base.run_id WHERE $2::text[] IS NULL OR r.definition_name = ANY($2)
)
SELECT run_id FROM scoped
UNION SELECT d.run_id FROM recon.break_carries c JOIN scoped ON scoped.run_id = c.run_id JOIN recon.decisions d ON d.decision_id = c.decision_id`;

const RUNS = `SELECT run_id, device_id, definition_name, status, started_by, started_at, finished_at, summary::text AS summary
  FROM recon.runs WHERE run_id = ANY($1) AND device_id <> $2 ORDER BY server_order`;
const DECISIONS = `SELECT d.decision_id, d.device_id, d.run_id, d.kind, d.reason, d.comment, d.actor, d.decided_at, d.is_proposal, d.bulk_filter::text AS bulk_filter,
         d.break_count, d.state, coalesce(d.superseded_by, d.refusal_code) AS detail, d.server_order::int AS server_order,
         (SELECT json_agg(json_build_array(db.break_id, db.from_status, db.to_status, db.reason) ORDER BY db.break_id)
            FROM recon.decision_breaks db WHERE db.decision_id = d.decision_id) AS breaks,
         ${LOST_BREAKS_SQL} AS lost
    FROM recon.decisions d WHERE d.run_id = ANY($1) ORDER BY d.server_order`;
const APPROVALS = `SELECT a.approval_id, a.decision_id, a.device_id, a.verdict, a.approver, a.comment, a.decided_at, a.state, a.refusal_code AS detail, a.server_order::int AS server_order
    FROM recon.approvals a JOIN recon.decisions d ON d.decision_id = a.decision_id WHERE d.run_id = ANY($1) ORDER BY a.server_order`;
const STATUSES = `SELECT run_id, break_id::int AS break_id, status, reason, decision_id, approval_id FROM recon.break_status WHERE run_id = ANY($1) ORDER BY changed_order`;
const CARRIES = `SELECT run_id, break_id::int AS break_id, from_run_id, from_break_id::int AS from_break_id, origin_break_id::int AS origin_break_id,
         decision_id, kept, status, reason, a.at AS carried_at
    FROM recon.break_carries c JOIN recon.audit_events a USING (device_id, seq)
   WHERE c.run_id = ANY($1) AND c.device_id <> $2 ORDER BY c.server_order, c.run_id, c.break_id`;
const MATCH_ACTIONS = `SELECT action_id, device_id, run_id, kind, match_id, rows::text AS rows, breaks::text AS breaks, sum_a, sum_b, difference, comment, actor, decided_at,
         needs_approval, state, detail, server_order::int AS server_order
    FROM recon.match_actions WHERE run_id = ANY($1) ORDER BY server_order`;
const MATCH_VERDICTS = `SELECT device_id, seq::int AS seq, action_id, verdict, approver, comment, decided_at, state, detail, server_order::int AS server_order
    FROM recon.match_action_verdicts WHERE action_id IN (SELECT action_id FROM recon.match_actions WHERE run_id = ANY($1)) ORDER BY server_order`;
const DEFINITIONS = `SELECT device_id, seq::int AS seq, name, json, sha256, saved_by, saved_at, comment
    FROM recon.definitions WHERE device_id <> $1 AND ($2::text[] IS NULL OR name = ANY($2)) ORDER BY server_order`;
const HIGH = `SELECT greatest((SELECT max(server_order) FROM recon.runs), (SELECT max(server_order) FROM recon.decisions),
    (SELECT max(server_order) FROM recon.approvals), (SELECT max(changed_order) FROM recon.break_status),
    (SELECT max(server_order) FROM recon.definitions), (SELECT max(server_order) FROM recon.break_carries),
    (SELECT max(server_order) FROM recon.match_actions), (SELECT max(server_order) FROM recon.match_action_verdicts)) AS high`;

/** Options: `first` completes a first pull's window (its watermark becomes the snapshot's high); otherwise a history pull. */
export interface ScopedPullOptions {
  first: boolean;
  chunk?: number;
  /** Called once the open items and window's runs are in (benchmarks time it). */
  onRunsApplied?: () => void;
}

/** Pulls the runs in scope of `window` and what hangs on them; for a first pull, then sets the watermark. */
export async function pullScopedState(store: Store, client: pg.PoolClient, window: Pick<PullWindow, 'since' | 'recons'>, opts: ScopedPullOptions): Promise<PullStateResult> {
  const me = store.deviceId;
  const chunk = opts.chunk ?? 500;
  return inTransaction(
    client,
    async () => {
      const result: PullStateResult = { serverOrder: 0, runs: 0, decisions: 0, approvals: 0, statuses: 0, definitions: 0, evidence: 0, roleChanges: 0, matchActions: 0 };
      result.roleChanges = await pullRoles(store, client);
      const high = Number((await client.query<{ high: string | null }>(HIGH)).rows[0]?.high ?? 0);
      // A history pull keeps the incremental watermark where it is.
      const mark = opts.first ? 0 : (store.read((tx) => getState<number>(tx, 'pull.serverOrder')) ?? 0);
      const empty = { runs: [], decisions: [], approvals: [], statuses: [], definitions: [] };
      const definitions = await client.query<PulledDefinition>(DEFINITIONS, [me, window.recons]);
      result.definitions = applyWindow(store, { ...empty, definitions: definitions.rows }, mark);
      const runIds = (await client.query<{ run_id: string }>(SCOPE_RUNS_SQL, [window.since, window.recons])).rows.map((r) => r.run_id).sort();
      const chunks: string[][] = [];
      for (let i = 0; i < runIds.length; i += chunk) chunks.push(runIds.slice(i, i + chunk));
      // Runs, decisions and verdicts of every chunk first: a status is kept only when its
      // decision is here, and a carried status's decision may be on a run of a later chunk.
      for (const ids of chunks) {
        const runs = await client.query<RemoteRun>(RUNS, [ids, me]);
        const decisions = await client.query<RemoteDecision>(DECISIONS, [ids]);
        const approvals = await client.query<RemoteApproval>(APPROVALS, [ids]);
        const carries = await client.query<RemoteCarry>(CARRIES, [ids, me]);
        const matchActions = await client.query<RemoteMatchAction>(MATCH_ACTIONS, [ids]);
        const matchVerdicts = await client.query<RemoteMatchVerdict>(MATCH_VERDICTS, [ids]);
        applyWindow(
          store,
          { ...empty, runs: runs.rows, decisions: decisions.rows, approvals: approvals.rows, carries: carries.rows, matchActions: matchActions.rows, matchVerdicts: matchVerdicts.rows },
          mark,
        );
        result.runs += runs.rows.length;
        result.decisions += decisions.rows.length;
        result.approvals += approvals.rows.length;
        result.matchActions += matchActions.rows.length + matchVerdicts.rows.length;
      }
      for (const ids of chunks) {
        const statuses = await client.query<RemoteStatus>(STATUSES, [ids]);
        applyWindow(store, { ...empty, statuses: statuses.rows }, mark);
        result.statuses += statuses.rows.length;
      }
      opts.onRunsApplied?.();
      result.evidence = await pullEvidence(store, client);
      if (opts.first) {
        store.write((tx) => {
          setState(tx, 'pull.serverOrder', high);
          setWindow(tx, { since: window.since, recons: window.recons, done: true });
        });
      }
      result.serverOrder = opts.first ? high : mark;
      return result;
    },
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
}
