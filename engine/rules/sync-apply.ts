/**
 * Reason rules through team sync. The rule events travel like every other
 * event: pushed from the outbox, pulled into the local trail with each
 * device's chain checked link by link (sync/pull-events.ts). This step then
 * re-derives the rows from the pulled events, so another workspace holds the
 * same proposals, verdicts and rule versions, each row explained by the very
 * event it came from (chain-check.ts holds pulled rows to their device's
 * chain). The 4-eye rule is checked again here: an approval by the proposal's
 * maker is not applied. When two devices settled the same proposal while
 * apart, the first verdict held here stands. An event whose effect the team
 * server refused (server migration 015: self-approval, a revoked approver, a
 * stale base version…) is named in `refusedByServer` and not applied either.
 */
import { sql, type SqlQuery } from '../store/sql.ts';
import type { Store, WriteTx } from '../store/store.ts';
import { CHAIN_HELPERS } from '../workflow/chain-state.ts';
import { insertVersion } from './governance.ts';
import type { ProposalRecord, RuleEventRow, VerdictRecord } from './chain-check.ts';

/** What a pull applied. */
export interface PulledRules {
  proposals: number;
  verdicts: number;
  versions: number;
  /** Events not applied: an approval by the proposal's maker (4-eye), or an event the team server refused. */
  refused: number;
}

/** Rule events the team server refused, as `device_id:seq` (sync/cycle.ts reads them). */
export interface PulledRulesOptions {
  refusedByServer?: ReadonlySet<string>;
}

/**
 * The pulled rule events still to examine: other devices' rule events with
 * no row here yet, and not set aside before (reason_rule_events_not_applied,
 * store migration 021). Proposals first, whatever the devices' clocks say: a
 * verdict is checked against its proposal's maker. Found through the index
 * of rule events (migration 021), so a cycle does not read the whole trail.
 */
export function pendingRuleEventsSql(ownChains: readonly string[]): SqlQuery {
  const own = JSON.stringify(ownChains);
  // `e.action LIKE 'rule.%'` is spelled as the partial index's own WHERE, which lets SQLite use it.
  return sql`SELECT e.* FROM audit_events e
           WHERE e.action LIKE 'rule.%' AND e.target LIKE 'rule:%' AND e.device_id NOT IN (SELECT value FROM json_each(${own}))
             AND NOT EXISTS (SELECT 1 FROM reason_rule_events_not_applied x WHERE x.device_id = e.device_id AND x.seq = e.seq)
             AND NOT EXISTS (SELECT 1 FROM reason_rule_proposals p WHERE e.action = 'rule.proposed' AND p.proposal_id = json_extract(e.after, '$.proposal.proposal_id'))
             AND NOT EXISTS (SELECT 1 FROM reason_rule_verdicts v WHERE e.action <> 'rule.proposed' AND v.verdict_id = json_extract(e.after, '$.verdict_id'))
           ORDER BY e.action <> 'rule.proposed', e.at, e.device_id, e.seq`;
}

/** Whether a pull brought rule events to examine; without any, the cycle need not ask the team server which it refused. */
export function hasPendingRuleEvents(store: Store): boolean {
  return store.read((tx) => tx.all<RuleEventRow>(pendingRuleEventsSql(CHAIN_HELPERS.ownChains(tx))).length > 0);
}

/** Applies the rule events other devices' chains brought that have no row here yet; one transaction. */
export function applyPulledReasonRules(store: Store, opts: PulledRulesOptions = {}): PulledRules {
  return store.write((tx) => {
    const events = tx.all<RuleEventRow>(pendingRuleEventsSql(CHAIN_HELPERS.ownChains(tx)));
    const done: PulledRules = { proposals: 0, verdicts: 0, versions: 0, refused: 0 };
    for (const e of events) {
      // A damaged event stays pending, unapplied: `recon audit verify` names it, and it is not set aside as settled.
      if (!CHAIN_HELPERS.intact(tx, e)) continue;
      if (opts.refusedByServer?.has(`${e.device_id}:${e.seq}`)) {
        done.refused++;
        setAside(tx, e, 'REFUSED_BY_SERVER');
        continue;
      }
      if (e.action === 'rule.proposed') applyProposal(tx, e, done);
      else applyVerdict(tx, e, done);
    }
    return done;
  });
}

type NotApplied = 'REFUSED_BY_SERVER' | 'SELF_APPROVAL' | 'ALREADY_SETTLED' | 'MALFORMED';

/** Records an examined event that is deliberately not applied, so no later cycle examines it again. */
function setAside(tx: WriteTx, e: RuleEventRow, why: NotApplied): void {
  tx.run(sql`INSERT OR IGNORE INTO reason_rule_events_not_applied (device_id, seq, why, examined_at) VALUES (${e.device_id}, ${e.seq}, ${why}, ${tx.now})`);
}

function applyProposal(tx: WriteTx, e: RuleEventRow, done: PulledRules): void {
  const p = (JSON.parse(e.after) as { proposal?: ProposalRecord }).proposal;
  if (!p || e.target !== `rule:${p.rule_id}`) {
    setAside(tx, e, 'MALFORMED');
    return;
  }
  tx.run(sql`INSERT INTO reason_rule_proposals (proposal_id, device_id, rule_id, kind, base_version, body, maker, proposed_at, comment)
    VALUES (${p.proposal_id}, ${e.device_id}, ${p.rule_id}, ${p.kind}, ${p.base_version}, ${p.body}, ${e.actor}, ${e.at}, ${e.comment})`);
  done.proposals++;
}

function applyVerdict(tx: WriteTx, e: RuleEventRow, done: PulledRules): void {
  const v = JSON.parse(e.after) as VerdictRecord;
  if (!v.verdict_id || !v.proposal_id) {
    setAside(tx, e, 'MALFORMED');
    return;
  }
  const proposal = tx.get<{ maker: string }>(sql`SELECT maker FROM reason_rule_proposals WHERE proposal_id = ${v.proposal_id}`);
  // A verdict on a proposal already settled here (the other device lost the race) is left in its chain only.
  if (tx.get(sql`SELECT 1 AS x FROM reason_rule_verdicts WHERE proposal_id = ${v.proposal_id}`)) {
    setAside(tx, e, 'ALREADY_SETTLED');
    return;
  }
  const approval = e.action === 'rule.approved' || e.action === 'rule.retired';
  if (approval && proposal && proposal.maker === e.actor) {
    done.refused++;
    setAside(tx, e, 'SELF_APPROVAL');
    return;
  }
  // The proposal's event may be before a windowed pull's anchor: the version still applies (its event carries all of it).
  if (proposal) {
    tx.run(sql`INSERT INTO reason_rule_verdicts (verdict_id, proposal_id, device_id, verdict, actor, decided_at, comment)
      VALUES (${v.verdict_id}, ${v.proposal_id}, ${e.device_id}, ${v.verdict}, ${e.actor}, ${e.at}, ${e.comment})`);
    done.verdicts++;
  }
  if (approval && v.version && !tx.get(sql`SELECT 1 AS x FROM reason_rules WHERE proposal_id = ${v.proposal_id}`)) {
    insertVersion(tx, v.version, { proposalId: v.proposal_id, verdictId: v.verdict_id, deviceId: e.device_id, approvedBy: e.actor, approvedAt: e.at });
    done.versions++;
  }
}
