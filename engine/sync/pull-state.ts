/**
 * Pull, part 2: the shared workflow state comes down in server order: team
 * roles, runs made elsewhere, every decision and approval with the server's
 * verdict (APPLIED, SUPERSEDED, REFUSED), the current break statuses, the
 * definition versions other devices saved, and the
 * evidence for proposals waiting for this user. Everything is read in one
 * REPEATABLE READ snapshot, in windows of server order, each applied locally
 * in one transaction with its watermark, so an interrupted pull resumes.
 */
import type pg from 'pg';
import type { Store } from '../store/store.ts';
import { sql } from '../store/sql.ts';
import { inTransaction } from './connection.ts';
import { LOST_BREAKS_SQL } from './lost-breaks.ts';
import type { PulledDefinition } from '../workflow/definitions.ts';
import { getState } from './local-state.ts';
import { pulledRecons } from './pull-scope.ts';
import { MATCH_ACTIONS_SQL, MATCH_VERDICTS_SQL, type RemoteMatchAction, type RemoteMatchVerdict } from './apply-match-actions.ts';
import {
  applyEvidence,
  applyRoles,
  applyWindow,
  type RemoteApproval,
  type RemoteBreak,
  type RemoteCarry,
  type RemoteDecision,
  type RemoteRun,
  type RemoteStatus,
} from './apply-remote.ts';

/** What a pull brought down. */
export interface PullStateResult {
  serverOrder: number;
  runs: number;
  decisions: number;
  approvals: number;
  statuses: number;
  /** Definition versions other devices saved, stored here as new versions. */
  definitions: number;
  evidence: number;
  roleChanges: number;
  /** Manual match actions and verdicts (matching runs) brought down. */
  matchActions: number;
}

/** The team's users and roles, mirrored whole (a small table); returns the role changes recorded here. */
export async function pullRoles(store: Store, client: pg.ClientBase): Promise<number> {
  const users = await client.query<{ user_id: string; display_name: string }>('SELECT user_id, display_name FROM recon.users ORDER BY user_id');
  const roles = await client.query<{ user_id: string; role: string; granted_by: string }>('SELECT user_id, role, granted_by FROM recon.user_roles ORDER BY user_id, role');
  return applyRoles(store, users.rows, roles.rows);
}

/** Pulls shared state changed since the last pull. */
export async function pullState(store: Store, client: pg.PoolClient, window = 5000): Promise<PullStateResult> {
  const me = store.deviceId;
  return inTransaction(
    client,
    async () => {
      const result: PullStateResult = { serverOrder: 0, runs: 0, decisions: 0, approvals: 0, statuses: 0, definitions: 0, evidence: 0, roleChanges: 0, matchActions: 0 };
      result.roleChanges = await pullRoles(store, client);
      const high = Number(
        (
          await client.query<{ high: string | null }>(`SELECT greatest((SELECT max(server_order) FROM recon.runs), (SELECT max(server_order) FROM recon.decisions),
            (SELECT max(server_order) FROM recon.approvals), (SELECT max(changed_order) FROM recon.break_status),
            (SELECT max(server_order) FROM recon.definitions), (SELECT max(server_order) FROM recon.break_carries),
            (SELECT max(server_order) FROM recon.match_actions), (SELECT max(server_order) FROM recon.match_action_verdicts)) AS high`)
        ).rows[0]?.high ?? 0,
      );
      let from = store.read((tx) => getState<number>(tx, 'pull.serverOrder')) ?? 0;
      // A workspace that pulls some recons only (pull-scope.ts): other recons' runs stay on the server, and what hangs on them is skipped by applyWindow.
      const recons = store.read((tx) => pulledRecons(tx));
      while (from < high) {
        const to = Math.min(high, from + window);
        const w = [from, to];
        const runs = await client.query<RemoteRun>(
          `SELECT run_id, device_id, definition_name, status, started_by, started_at, finished_at, summary::text AS summary
             FROM recon.runs WHERE server_order > $1 AND server_order <= $2 AND device_id <> $3 AND ($4::text[] IS NULL OR definition_name = ANY($4)) ORDER BY server_order`,
          [...w, me, recons],
        );
        const decisions = await client.query<RemoteDecision>(
          `SELECT d.decision_id, d.device_id, d.run_id, d.kind, d.reason, d.comment, d.actor, d.decided_at, d.is_proposal, d.bulk_filter::text AS bulk_filter,
                  d.break_count, d.state, coalesce(d.superseded_by, d.refusal_code) AS detail, d.server_order::int AS server_order,
                  (SELECT json_agg(json_build_array(db.break_id, db.from_status, db.to_status, db.reason) ORDER BY db.break_id)
                     FROM recon.decision_breaks db WHERE db.decision_id = d.decision_id) AS breaks,
                  -- The breaks it lost to other devices' earlier decisions (server migration 011), with the winner.
                  ${LOST_BREAKS_SQL} AS lost
             FROM recon.decisions d WHERE d.server_order > $1 AND d.server_order <= $2 ORDER BY d.server_order`,
          w,
        );
        const approvals = await client.query<RemoteApproval>(
          `SELECT approval_id, decision_id, device_id, verdict, approver, comment, decided_at, state, refusal_code AS detail, server_order::int AS server_order
             FROM recon.approvals WHERE server_order > $1 AND server_order <= $2 ORDER BY server_order`,
          w,
        );
        // Changed in this window, plus the current status of every break a
        // decision or approval in this window failed to take: a device that
        // acted on it offline must see who holds it now, however long ago that was.
        const statuses = await client.query<RemoteStatus>(
          `SELECT s.run_id, s.break_id::int AS break_id, s.status, s.reason, s.decision_id, s.approval_id FROM recon.break_status s
            WHERE s.changed_order > $1 AND s.changed_order <= $2
           UNION
           SELECT s.run_id, s.break_id::int, s.status, s.reason, s.decision_id, s.approval_id
             FROM recon.decisions d
             JOIN recon.decision_breaks db ON db.decision_id = d.decision_id
             JOIN recon.break_status s ON s.run_id = d.run_id AND s.break_id = db.break_id
            WHERE d.server_order > $1 AND d.server_order <= $2 AND d.state <> 'APPLIED' AND s.changed_order <= $2
           UNION
           SELECT s.run_id, s.break_id::int, s.status, s.reason, s.decision_id, s.approval_id
             FROM recon.approvals a
             JOIN recon.decisions d ON d.decision_id = a.decision_id
             JOIN recon.decision_breaks db ON db.decision_id = a.decision_id
             JOIN recon.break_status s ON s.run_id = d.run_id AND s.break_id = db.break_id
            WHERE a.server_order > $1 AND a.server_order <= $2 AND a.state <> 'APPLIED' AND s.changed_order <= $2
           UNION
           -- Breaks a decision in this window lost (the rest stands): who holds them now.
           SELECT s.run_id, s.break_id::int, s.status, s.reason, s.decision_id, s.approval_id
             FROM recon.superseded_breaks x
             JOIN recon.decisions d ON d.decision_id = x.decision_id
             JOIN recon.break_status s ON s.run_id = d.run_id AND s.break_id = x.break_id
            WHERE x.server_order > $1 AND x.server_order <= $2 AND s.changed_order <= $2`,
          w,
        );
        const definitions = await client.query<PulledDefinition>(
          `SELECT device_id, seq::int AS seq, name, json, sha256, saved_by, saved_at, comment
             FROM recon.definitions WHERE server_order > $1 AND server_order <= $2 AND device_id <> $3 AND ($4::text[] IS NULL OR name = ANY($4)) ORDER BY server_order`,
          [...w, me, recons],
        );
        // Other devices' carries of decisions to later runs (break memory), for the breaks' history.
        const carries = await client.query<RemoteCarry>(
          `SELECT run_id, break_id::int AS break_id, from_run_id, from_break_id::int AS from_break_id, origin_break_id::int AS origin_break_id,
                  decision_id, kept, status, reason, a.at AS carried_at
             FROM recon.break_carries c JOIN recon.audit_events a USING (device_id, seq)
            WHERE c.server_order > $1 AND c.server_order <= $2 AND c.device_id <> $3 ORDER BY c.server_order, c.run_id, c.break_id`,
          [...w, me],
        );
        // Manual match actions and their verdicts (matching runs), every device's: this one's carry the server's verdict.
        const matchActions = await client.query<RemoteMatchAction>(MATCH_ACTIONS_SQL, w);
        const matchVerdicts = await client.query<RemoteMatchVerdict>(MATCH_VERDICTS_SQL, w);
        result.definitions += applyWindow(
          store,
          {
            runs: runs.rows,
            decisions: decisions.rows,
            approvals: approvals.rows,
            statuses: statuses.rows,
            definitions: definitions.rows,
            carries: carries.rows,
            matchActions: matchActions.rows,
            matchVerdicts: matchVerdicts.rows,
          },
          to,
        );
        result.matchActions += matchActions.rows.length + matchVerdicts.rows.length;
        result.runs += runs.rows.length;
        result.decisions += decisions.rows.length;
        result.approvals += approvals.rows.length;
        result.statuses += statuses.rows.length;
        from = to;
      }
      result.serverOrder = from;
      result.evidence = await pullEvidence(store, client);
      return result;
    },
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
}

// Evidence for remote runs: each run's breaks under review (sent in break id
// order, so a keyset resumes), plus the breaks of remote proposals still
// waiting for a verdict, fetched until they are here (the maker's device
// may push them after its decisions).
export async function pullEvidence(store: Store, client: pg.ClientBase): Promise<number> {
  let stored = 0;
  const runs = store.read((tx) =>
    tx.all<{ run_id: string; after: number }>(sql`SELECT r.run_id, coalesce((SELECT max(break_id) FROM sync_remote_breaks e WHERE e.run_id = r.run_id), 0) AS after
      FROM sync_remote_runs r`),
  );
  for (const run of runs) {
    let after = run.after;
    for (;;) {
      const rows = await client.query<RemoteBreak>(`${EVIDENCE} WHERE rb.run_id = $1 AND rb.break_id > $2 ORDER BY rb.break_id LIMIT 5000`, [run.run_id, after]);
      applyEvidence(store, rows.rows);
      stored += rows.rows.length;
      if (rows.rows.length < 5000) break;
      after = rows.rows.at(-1)!.break_id;
    }
  }
  const missing = store.read((tx) =>
    tx.all<{ run_id: string; break_id: number }>(sql`SELECT DISTINCT d.run_id, db.break_id FROM decisions d
      JOIN decision_breaks db ON db.decision_id = d.decision_id
      JOIN sync_remote_runs r ON r.run_id = d.run_id
      LEFT JOIN approvals a ON a.decision_id = d.decision_id
      LEFT JOIN sync_remote_breaks e ON e.run_id = d.run_id AND e.break_id = db.break_id
      WHERE d.is_proposal = 1 AND a.decision_id IS NULL AND e.break_id IS NULL LIMIT 20000`),
  );
  if (missing.length === 0) return stored;
  const rows = await client.query<RemoteBreak>(`${EVIDENCE} JOIN unnest($1::text[], $2::bigint[]) AS m(run_id, break_id) ON m.run_id = rb.run_id AND m.break_id = rb.break_id`, [
    missing.map((m) => m.run_id),
    missing.map((m) => m.break_id),
  ]);
  applyEvidence(store, rows.rows);
  return stored + rows.rows.length;
}

const EVIDENCE = `SELECT rb.run_id, rb.break_id::int AS break_id, rb.key, rb.field, rb.diff_type, rb.value_a, rb.value_b, rb.delta, rb.base_status, rb.reason, rb.confidence, rb.pushed_by
  FROM recon.review_breaks rb`;
