/**
 * Pull, for matching runs: the manual match actions and verdicts the team
 * server holds (server migration 008), written into the local tables of
 * store migration 013, so `listMatchActions` shows other devices' actions
 * (a pending one in this approver's queue) and `decideMatchAction` works on
 * them unchanged. The breaks they settled come down as ordinary decisions and
 * statuses (apply-remote.ts). The server's verdict on each is kept in
 * `sync_match_actions`: an action of this device it SUPERSEDED or REFUSED is
 * listed as SUPERSEDED and is never in force here either.
 */
import { sql } from '../store/sql.ts';
import type { WriteTx } from '../store/store.ts';

export interface RemoteMatchAction {
  action_id: string;
  device_id: string;
  run_id: string;
  kind: 'MATCH' | 'UNMATCH';
  match_id: string;
  /** [[side, rid, id], ...] as JSON text. */
  rows: string;
  /** [[break_id, base_status], ...] as JSON text. */
  breaks: string;
  sum_a: string | null;
  sum_b: string | null;
  difference: string | null;
  comment: string | null;
  actor: string;
  decided_at: string;
  needs_approval: boolean;
  state: 'APPLIED' | 'SUPERSEDED' | 'REFUSED';
  detail: string | null;
  server_order: number;
}

export interface RemoteMatchVerdict {
  device_id: string;
  seq: number;
  action_id: string;
  verdict: 'APPROVED' | 'REJECTED' | 'WITHDRAWN';
  approver: string;
  comment: string | null;
  decided_at: string;
  state: 'APPLIED' | 'SUPERSEDED' | 'REFUSED';
  detail: string | null;
  server_order: number;
}

/** The server's columns, as pull-state.ts reads them (JSON as text, orders as numbers). */
export const MATCH_ACTIONS_SQL = `SELECT action_id, device_id, run_id, kind, match_id, rows::text AS rows, breaks::text AS breaks, sum_a, sum_b, difference, comment, actor, decided_at,
         needs_approval, state, detail, server_order::int AS server_order
    FROM recon.match_actions WHERE server_order > $1 AND server_order <= $2 ORDER BY server_order`;
export const MATCH_VERDICTS_SQL = `SELECT device_id, seq::int AS seq, action_id, verdict, approver, comment, decided_at, state, detail, server_order::int AS server_order
    FROM recon.match_action_verdicts WHERE server_order > $1 AND server_order <= $2 ORDER BY server_order`;

const has = (tx: WriteTx, q: ReturnType<typeof sql>): boolean => tx.get(q) !== undefined;

function ensureUser(tx: WriteTx, userId: string): void {
  tx.run(sql`INSERT INTO users (user_id, display_name, created_at) VALUES (${userId}, ${userId}, ${tx.now}) ON CONFLICT DO NOTHING`);
}

function serverVerdict(tx: WriteTx, id: string, kind: 'action' | 'verdict', v: { action_id: string; device_id: string; server_order: number; state: string; detail: string | null }): void {
  tx.run(sql`INSERT INTO sync_match_actions (id, kind, action_id, device_id, server_order, state, detail, synced_at)
    VALUES (${id}, ${kind}, ${v.action_id}, ${v.device_id}, ${v.server_order}, ${v.state}, ${v.detail}, ${tx.now})
    ON CONFLICT (id) DO UPDATE SET server_order = excluded.server_order, state = excluded.state, detail = excluded.detail, synced_at = excluded.synced_at`);
}

/** An action: the server's verdict on it, and another device's action itself (a refused one is not history here). */
export function applyMatchAction(tx: WriteTx, a: RemoteMatchAction): void {
  serverVerdict(tx, a.action_id, 'action', a);
  if (a.state === 'REFUSED' || has(tx, sql`SELECT 1 AS x FROM match_actions WHERE action_id = ${a.action_id}`)) return;
  if (!has(tx, sql`SELECT 1 AS x FROM runs WHERE run_id = ${a.run_id}`)) return;
  ensureUser(tx, a.actor);
  const rows = (JSON.parse(a.rows) as [string, number, string][]).map(([side, rid, id]) => ({ side, rid, id }));
  tx.run(sql`INSERT INTO match_actions (action_id, device_id, run_id, kind, match_id, rows_json, breaks_json, sum_a, sum_b, difference, comment, actor, decided_at, needs_approval)
    VALUES (${a.action_id}, ${a.device_id}, ${a.run_id}, ${a.kind}, ${a.match_id}, ${JSON.stringify(rows)}, ${a.breaks}, ${a.sum_a}, ${a.sum_b}, ${a.difference},
            ${a.comment ?? ''}, ${a.actor}, ${a.decided_at}, ${a.needs_approval ? 1 : 0})`);
}

/** A verdict: the server's verdict on it, and the one that took effect, when this device has none for the action. */
export function applyMatchVerdict(tx: WriteTx, v: RemoteMatchVerdict): void {
  serverVerdict(tx, `verdict:${v.device_id}:${v.seq}`, 'verdict', v);
  if (v.state !== 'APPLIED') return;
  if (!has(tx, sql`SELECT 1 AS x FROM match_actions WHERE action_id = ${v.action_id}`)) return;
  // This device settled the action too and lost on the server: its own row stays, the server's verdict says so.
  if (has(tx, sql`SELECT 1 AS x FROM match_action_verdicts WHERE action_id = ${v.action_id}`)) return;
  ensureUser(tx, v.approver);
  tx.run(sql`INSERT INTO match_action_verdicts (action_id, device_id, verdict, approver, comment, decided_at)
    VALUES (${v.action_id}, ${v.device_id}, ${v.verdict}, ${v.approver}, ${v.comment}, ${v.decided_at})`);
}
