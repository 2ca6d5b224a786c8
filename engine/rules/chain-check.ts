/**
 * The reason-rule tables bound to the audit chain, as workflow/chain-state.ts
 * binds decisions and approvals: every proposal, verdict and rule version row
 * must be exactly what its (intact) event recorded, and every rule event of
 * this workspace's own chains must have its row. A rule row edited in
 * workspace.sqlite would silently change every later run's attributions, so a
 * run refuses rules the chain does not explain (reasonRulesInForce) and
 * `recon audit verify` lists them.
 *
 * The event checks (intact, own chains) are chain-state.ts's, handed in, so
 * this module imports only its types (erased: no import cycle at run time).
 */
import { sql } from '../store/sql.ts';
import type { ReadTx } from '../store/store.ts';
import type { EventRow } from '../workflow/chain-state.ts';

/** A stored audit event, as chain-state.ts reads it (its own type: one shape for both). */
export type RuleEventRow = EventRow;

/** chain-state.ts's event checks. */
export interface ChainHelpers {
  intact(tx: ReadTx, e: RuleEventRow): boolean;
  ownChains(tx: ReadTx): string[];
}

/** The actions of verdicts; an approved retirement is rule.retired. */
export const RULE_VERDICT_ACTIONS = ['rule.approved', 'rule.rejected', 'rule.withdrawn', 'rule.retired'] as const;

export interface ProposalRow {
  proposal_id: string;
  device_id: string;
  rule_id: string;
  kind: 'CREATE' | 'CHANGE' | 'RETIRE';
  base_version: number | null;
  body: string | null;
  maker: string;
  proposed_at: string;
  comment: string | null;
}

export interface VerdictRow {
  verdict_id: string;
  proposal_id: string;
  device_id: string;
  verdict: 'APPROVED' | 'REJECTED' | 'WITHDRAWN';
  actor: string;
  decided_at: string;
  comment: string | null;
}

export interface RuleVersionRow {
  proposal_id: string;
  verdict_id: string;
  device_id: string;
  rule_id: string;
  version: number;
  name: string;
  owner: string;
  definition: string | null;
  position: number;
  active: number;
  retired: number;
  reason: string;
  body: string;
  conditions_sha256: string;
  approved_by: string;
  approved_at: string;
}

/** The rule.proposed event's `after.proposal`. */
export interface ProposalRecord {
  proposal_id: string;
  rule_id: string;
  kind: ProposalRow['kind'];
  base_version: number | null;
  body: string | null;
}

/** A verdict event's `after`; `version` for an approval (rule.approved, rule.retired). */
export interface VerdictRecord {
  verdict_id: string;
  proposal_id: string;
  verdict: VerdictRow['verdict'];
  version?: {
    rule_id: string;
    version: number;
    name: string;
    owner: string;
    definition: string | null;
    position: number;
    active: number;
    retired: number;
    reason: string;
    body: string;
    conditions_sha256: string;
  };
}

const afterOf = <T>(e: RuleEventRow): T => JSON.parse(e.after) as T;

/** The rule events of one device on one rule (the by-target index). */
function ruleEvents(tx: ReadTx, deviceId: string, ruleId: string, actions: readonly string[]): RuleEventRow[] {
  return tx.all<RuleEventRow>(
    sql`SELECT * FROM audit_events WHERE device_id = ${deviceId} AND target = ${`rule:${ruleId}`}
          AND action IN (SELECT value FROM json_each(${JSON.stringify(actions)})) ORDER BY seq`,
  );
}

/** The rule.proposed event of a proposal, in its device's chain. */
export function proposalEvent(tx: ReadTx, deviceId: string, ruleId: string, proposalId: string): RuleEventRow | undefined {
  return ruleEvents(tx, deviceId, ruleId, ['rule.proposed']).find((e) => afterOf<{ proposal?: ProposalRecord }>(e).proposal?.proposal_id === proposalId);
}

/** The verdict event with this verdict id, in its device's chain. */
export function verdictEvent(tx: ReadTx, deviceId: string, ruleId: string, verdictId: string): RuleEventRow | undefined {
  return ruleEvents(tx, deviceId, ruleId, RULE_VERDICT_ACTIONS).find((e) => afterOf<VerdictRecord>(e).verdict_id === verdictId);
}

const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);

/**
 * A row a windowed first pull took on the team server's word (sync-window.ts): its event is
 * before the anchor of another device's chain, not pulled. Only then may a row lack its event.
 */
/** sync_decisions.detail of a rule row taken on the server's word. */
export const RULE_ON_SERVER_WORD = 'reason-rule';

function onServerWord(tx: ReadTx, deviceId: string, id: string): boolean {
  return (
    deviceId !== tx.deviceId &&
    tx.get(sql`SELECT 1 AS x FROM chain_anchors WHERE device_id = ${deviceId}`) !== undefined &&
    tx.get(sql`SELECT 1 AS x FROM sync_decisions WHERE id = ${id} AND detail = ${RULE_ON_SERVER_WORD}`) !== undefined
  );
}

/** What is wrong with a proposal row against its event, or null. */
export function proposalProblem(tx: ReadTx, p: ProposalRow, h: ChainHelpers): string | null {
  const e = proposalEvent(tx, p.device_id, p.rule_id, p.proposal_id);
  if (!e && onServerWord(tx, p.device_id, p.proposal_id)) return null;
  if (!e) return `rule proposal ${p.proposal_id} has no rule.proposed event in device ${p.device_id}'s chain`;
  if (!h.intact(tx, e)) return `the event of rule proposal ${p.proposal_id} was edited`;
  const r = afterOf<{ proposal: ProposalRecord }>(e).proposal;
  const want = [r.rule_id, r.kind, r.base_version, r.body, e.actor, e.at, e.comment];
  const have = [p.rule_id, p.kind, p.base_version, p.body, p.maker, p.proposed_at, p.comment];
  return same(want, have) ? null : `rule proposal ${p.proposal_id} reads ${JSON.stringify(have)} but its event says ${JSON.stringify(want)}`;
}

/** What is wrong with a verdict row against its event, or null. */
export function verdictProblem(tx: ReadTx, v: VerdictRow, ruleId: string, h: ChainHelpers): string | null {
  const e = verdictEvent(tx, v.device_id, ruleId, v.verdict_id);
  if (!e && onServerWord(tx, v.device_id, v.verdict_id)) return null;
  if (!e) return `rule verdict ${v.verdict_id} has no event in device ${v.device_id}'s chain`;
  if (!h.intact(tx, e)) return `the event of rule verdict ${v.verdict_id} was edited`;
  const r = afterOf<VerdictRecord>(e);
  const want = [r.proposal_id, r.verdict, e.actor, e.at, e.comment];
  const have = [v.proposal_id, v.verdict, v.actor, v.decided_at, v.comment];
  return same(want, have) ? null : `rule verdict ${v.verdict_id} reads ${JSON.stringify(have)} but its event says ${JSON.stringify(want)}`;
}

/** What is wrong with a rule version row against the approval event that made it, or null. */
export function ruleVersionProblem(tx: ReadTx, r: RuleVersionRow, h: ChainHelpers): string | null {
  const e = verdictEvent(tx, r.device_id, r.rule_id, r.verdict_id);
  if (!e && onServerWord(tx, r.device_id, r.verdict_id)) return null;
  if (!e || (e.action !== 'rule.approved' && e.action !== 'rule.retired')) return `rule ${r.rule_id} version ${r.version} has no approval event in device ${r.device_id}'s chain`;
  if (!h.intact(tx, e)) return `the approval event of rule ${r.rule_id} version ${r.version} was edited`;
  const rec = afterOf<VerdictRecord>(e);
  const v = rec.version;
  if (!v) return `the approval event of rule ${r.rule_id} version ${r.version} records no version`;
  const want = [rec.proposal_id, v.rule_id, v.version, v.name, v.owner, v.definition, v.position, v.active, v.retired, v.reason, v.body, v.conditions_sha256, e.actor, e.at];
  const have = [r.proposal_id, r.rule_id, r.version, r.name, r.owner, r.definition, r.position, r.active, r.retired, r.reason, r.body, r.conditions_sha256, r.approved_by, r.approved_at];
  return same(want, have) ? null : `rule ${r.rule_id} version ${r.version} reads ${JSON.stringify(have)} but its approval event says ${JSON.stringify(want)}`;
}

/** One row the chain does not explain (chain-state.ts's StateProblem). */
export interface RuleStateProblem {
  table: string;
  key: string;
  message: string;
}

/**
 * Every reason-rule row against its event, and every rule event of the
 * workspace's own chains against its row (a deleted row shows too).
 */
export function reasonRuleProblems(tx: ReadTx, h: ChainHelpers, limit = 50): RuleStateProblem[] {
  const problems: RuleStateProblem[] = [];
  const add = (table: string, key: string, message: string | null): boolean => {
    if (message !== null) problems.push({ table, key, message });
    return problems.length >= limit;
  };
  for (const p of tx.iterate<ProposalRow>(sql`SELECT * FROM reason_rule_proposals ORDER BY proposed_at, proposal_id`)) {
    if (add('reason_rule_proposals', p.proposal_id, proposalProblem(tx, p, h))) return problems;
  }
  for (const v of tx.iterate<VerdictRow & { rule_id: string | null }>(
    sql`SELECT v.*, p.rule_id FROM reason_rule_verdicts v LEFT JOIN reason_rule_proposals p USING (proposal_id) ORDER BY v.decided_at, v.verdict_id`,
  )) {
    const problem = v.rule_id === null ? `rule verdict ${v.verdict_id} is on no proposal` : verdictProblem(tx, v, v.rule_id, h);
    if (add('reason_rule_verdicts', v.verdict_id, problem)) return problems;
  }
  for (const r of tx.iterate<RuleVersionRow>(sql`SELECT * FROM reason_rules ORDER BY approved_at, proposal_id`)) {
    if (add('reason_rules', `${r.rule_id}@${r.version}`, ruleVersionProblem(tx, r, h))) return problems;
  }
  const own = JSON.stringify(h.ownChains(tx));
  for (const e of tx.iterate<{ seq: number; action: string; proposal_id: string | null; verdict_id: string | null }>(
    sql`SELECT seq, action, json_extract(after, '$.proposal.proposal_id') AS proposal_id, json_extract(after, '$.verdict_id') AS verdict_id
          FROM audit_events WHERE device_id IN (SELECT value FROM json_each(${own})) AND target LIKE 'rule:%' AND action LIKE 'rule.%' ORDER BY device_id, seq`,
  )) {
    if (e.action === 'rule.proposed') {
      if (e.proposal_id !== null && !tx.get(sql`SELECT 1 AS x FROM reason_rule_proposals WHERE proposal_id = ${e.proposal_id}`)) {
        if (add('reason_rule_proposals', e.proposal_id, `rule proposal ${e.proposal_id} (event seq ${e.seq}) has no row: deleted`)) return problems;
      }
      continue;
    }
    if (e.verdict_id === null) continue;
    if (!tx.get(sql`SELECT 1 AS x FROM reason_rule_verdicts WHERE verdict_id = ${e.verdict_id}`)) {
      if (add('reason_rule_verdicts', e.verdict_id, `rule verdict ${e.verdict_id} (event seq ${e.seq}) has no row: deleted`)) return problems;
    }
    if ((e.action === 'rule.approved' || e.action === 'rule.retired') && !tx.get(sql`SELECT 1 AS x FROM reason_rules WHERE verdict_id = ${e.verdict_id}`)) {
      if (add('reason_rules', e.verdict_id, `the rule version approved by ${e.verdict_id} (event seq ${e.seq}) has no row: deleted`)) return problems;
    }
  }
  return problems;
}
