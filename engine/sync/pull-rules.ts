/**
 * A windowed first pull's reason rules (engine/rules/sync-window.ts): from the
 * team server's projection (server migration 015), the proposal and approval
 * events of each rule's current version when it is not retired (the rules in
 * force), and the events of every proposal still waiting, whatever their age.
 * Events of this device are its own; a server from before 015 has no rules.
 */
import type pg from 'pg';
import type { PulledRules } from '../rules/sync-apply.ts';
import { applyServerRuleEvents, type ServerRuleEvent } from '../rules/sync-window.ts';
import type { Store } from '../store/store.ts';

const RULE_EVENTS = `
WITH cur AS (
  SELECT DISTINCT ON (rule_id) rule_id, proposal_id, device_id, seq, retired, server_order FROM recon.reason_rules ORDER BY rule_id, version DESC
), wanted AS (
  SELECT p.device_id, p.seq, p.server_order FROM cur JOIN recon.rule_proposals p USING (proposal_id) WHERE NOT cur.retired
  UNION SELECT device_id, seq, server_order FROM cur WHERE NOT retired
  UNION SELECT p.device_id, p.seq, p.server_order FROM recon.rule_proposals p
         WHERE p.state = 'APPLIED' AND NOT EXISTS (SELECT 1 FROM recon.rule_verdicts v WHERE v.proposal_id = p.proposal_id AND v.state = 'APPLIED')
)
SELECT e.event::text AS event, w.server_order::int AS "serverOrder"
  FROM wanted w JOIN recon.audit_events e USING (device_id, seq) WHERE w.device_id <> $1 ORDER BY w.server_order`;

/** Pulls the rules in force and the pending rule proposals; returns the rows written here. */
export async function pullRulesInForce(store: Store, client: pg.ClientBase): Promise<PulledRules> {
  const has = await client.query<{ t: string | null }>("SELECT to_regclass('recon.reason_rules')::text AS t");
  if (!has.rows[0]?.t) return { proposals: 0, verdicts: 0, versions: 0, refused: 0 };
  const rows = await client.query<ServerRuleEvent>(RULE_EVENTS, [store.deviceId]);
  return applyServerRuleEvents(store, rows.rows);
}
