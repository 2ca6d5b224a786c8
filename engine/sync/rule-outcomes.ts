/**
 * The team server's verdict on reason-rule events (server migration 015): the
 * rule events whose effect it refused, as `device_id:seq`, so a pull does not
 * apply them here (engine/rules/sync-apply.ts). The projection tables are
 * small (one row per proposal and verdict), and a server from before 015 has
 * none: nothing was refused there.
 */
import type pg from 'pg';

/** Rule events the server refused. */
export async function refusedRuleEvents(client: pg.ClientBase): Promise<Set<string>> {
  const has = await client.query<{ t: string | null }>("SELECT to_regclass('recon.rule_verdicts')::text AS t");
  if (!has.rows[0]?.t) return new Set();
  const rows = await client.query<{ device_id: string; seq: string }>(
    `SELECT device_id, seq FROM recon.rule_proposals WHERE state = 'REFUSED'
     UNION ALL SELECT device_id, seq FROM recon.rule_verdicts WHERE state = 'REFUSED'`,
  );
  return new Set(rows.rows.map((r) => `${r.device_id}:${Number(r.seq)}`));
}
