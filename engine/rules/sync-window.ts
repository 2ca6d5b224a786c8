/**
 * Reason rules on a windowed first pull (sync/pull-scope.ts). The window
 * brings other devices' events from its start on, so a rule approved before
 * it (and a proposal still waiting from before it) would never arrive, and the
 * new workstation's runs would ignore rules the team has in force. The pull
 * therefore takes the events that made each rule's current version and every
 * pending proposal from the team server whatever their age
 * (sync/pull-rules.ts), and this step writes their rows as sync-apply.ts would.
 *
 * Those events are before the chain's anchor, not held here, so the rows are
 * taken on the team server's word, as open decisions older than the window are
 * (workflow/chain-state.ts `beforeAnchor`): each is named in `sync_decisions`
 * (detail `reason-rule`) and chain-check.ts accepts a row without its event only
 * then, only for another device whose chain is held from an anchor. The server
 * checked their governance itself (server migration 015), and
 * `recon sync pull --history` brings the events to check them here.
 */
import { canonicalJson } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { Store, WriteTx } from '../store/store.ts';
import { RULE_ON_SERVER_WORD, type ProposalRecord, type VerdictRecord } from './chain-check.ts';
import { insertVersion } from './governance.ts';
import type { PulledRules } from './sync-apply.ts';

/** A rule event as the team server holds it (its JSON text), with its server order. */
export interface ServerRuleEvent {
  event: string;
  serverOrder: number;
}

interface EventJson {
  device_id: string;
  seq: number;
  actor: string;
  at: string;
  action: string;
  target: string;
  after: unknown;
  comment: string | null;
}

/** Writes the rows of server rule events not held here (proposals first); returns what it wrote. */
export function applyServerRuleEvents(store: Store, events: readonly ServerRuleEvent[]): PulledRules {
  const parsed = events.map((x) => ({ e: JSON.parse(x.event) as EventJson, order: x.serverOrder }));
  parsed.sort((a, b) => Number(a.e.action !== 'rule.proposed') - Number(b.e.action !== 'rule.proposed'));
  return store.write((tx) => {
    const done: PulledRules = { proposals: 0, verdicts: 0, versions: 0, refused: 0 };
    for (const { e, order } of parsed) {
      if (e.device_id === tx.deviceId) continue;
      const after = JSON.parse(canonicalJson(e.after)) as { proposal?: ProposalRecord } & Partial<VerdictRecord>;
      if (e.action === 'rule.proposed') {
        const p = after.proposal;
        if (!p || e.target !== `rule:${p.rule_id}` || tx.get(sql`SELECT 1 AS x FROM reason_rule_proposals WHERE proposal_id = ${p.proposal_id}`)) continue;
        tx.run(sql`INSERT INTO reason_rule_proposals (proposal_id, device_id, rule_id, kind, base_version, body, maker, proposed_at, comment)
          VALUES (${p.proposal_id}, ${e.device_id}, ${p.rule_id}, ${p.kind}, ${p.base_version}, ${p.body}, ${e.actor}, ${e.at}, ${e.comment})`);
        mark(tx, p.proposal_id, p.proposal_id, e.device_id, order);
        done.proposals++;
        continue;
      }
      const v = after as VerdictRecord;
      if (!v.verdict_id || !v.proposal_id || !tx.get(sql`SELECT 1 AS x FROM reason_rule_proposals WHERE proposal_id = ${v.proposal_id}`)) continue;
      if (!tx.get(sql`SELECT 1 AS x FROM reason_rule_verdicts WHERE proposal_id = ${v.proposal_id}`)) {
        tx.run(sql`INSERT INTO reason_rule_verdicts (verdict_id, proposal_id, device_id, verdict, actor, decided_at, comment)
          VALUES (${v.verdict_id}, ${v.proposal_id}, ${e.device_id}, ${v.verdict}, ${e.actor}, ${e.at}, ${e.comment})`);
        mark(tx, v.verdict_id, v.proposal_id, e.device_id, order);
        done.verdicts++;
      }
      if (v.version && !tx.get(sql`SELECT 1 AS x FROM reason_rules WHERE proposal_id = ${v.proposal_id}`)) {
        insertVersion(tx, v.version, { proposalId: v.proposal_id, verdictId: v.verdict_id, deviceId: e.device_id, approvedBy: e.actor, approvedAt: e.at });
        mark(tx, v.verdict_id, v.proposal_id, e.device_id, order);
        done.versions++;
      }
    }
    return done;
  });
}

function mark(tx: WriteTx, id: string, proposalId: string, deviceId: string, serverOrder: number): void {
  tx.run(sql`INSERT INTO sync_decisions (id, kind, decision_id, device_id, server_order, state, detail, synced_at)
    VALUES (${id}, 'approval', ${proposalId}, ${deviceId}, ${serverOrder}, 'APPLIED', ${RULE_ON_SERVER_WORD}, ${tx.now}) ON CONFLICT (id) DO NOTHING`);
}
