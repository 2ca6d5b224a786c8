/**
 * Reason rules are standing decisions, so every change is a proposal under the
 * 4-eye rule, as a break override is (workflow/approvals.ts): an analyst (or
 * admin) proposes to create, change or retire a rule; a different user with the
 * approver role approves or rejects it; the maker may withdraw it while it
 * waits. Each step is one row and one audit event in the same transaction
 * (rule.proposed, rule.approved, rule.retired, rule.rejected, rule.withdrawn),
 * and team sync carries the events to other workspaces (sync-apply.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { ReconError } from '../errors/recon-error.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store, WriteTx } from '../store/store.ts';
import { approverVetting } from '../workflow/approvals.ts';
import { CHAIN_HELPERS } from '../workflow/chain-state.ts';
import type { Identity } from '../workflow/identity.ts';
import { requireActiveReason } from '../workflow/reason-codes.ts';
import { requireAnyRole, requireRole } from '../workflow/roles.ts';
import { proposalProblem, ruleVersionProblem, type ProposalRow, type RuleVersionRow, type VerdictRecord, type VerdictRow } from './chain-check.ts';
import { parseReasonRule, stableJson, type ReasonRuleBody } from './schema.ts';

/** A rule version as a run applies it: what the host hands the run, and what the run file records. */
export interface ReasonRuleInForce {
  ruleId: string;
  version: number;
  name: string;
  reason: string;
  /** Scope: a definition's name, or null for every definition. */
  definition: string | null;
  order: number;
  conditions: ReasonRuleBody['conditions'];
  /** SHA-256 over the reason and the conditions (stable JSON). */
  conditionsSha256: string;
}

/** A rule's current version, for lists. */
export interface ReasonRuleInfo extends ReasonRuleInForce {
  owner: string;
  active: boolean;
  retired: boolean;
  description: string | null;
  approvedBy: string;
  approvedAt: string;
  /** The proposal that made this version. */
  proposalId: string;
}

/** A proposal and its outcome. */
export interface RuleProposalInfo {
  proposalId: string;
  ruleId: string;
  kind: 'CREATE' | 'CHANGE' | 'RETIRE';
  /** The version changed or retired (null for CREATE). */
  baseVersion: number | null;
  /** The rule proposed (null for RETIRE). */
  rule: ReasonRuleBody | null;
  maker: string;
  proposedAt: string;
  comment: string | null;
  state: 'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN';
  verdictBy: string | null;
  verdictAt: string | null;
  verdictComment: string | null;
}

/** What a verdict did. */
export interface RuleVerdictResult {
  verdictId: string;
  proposalId: string;
  ruleId: string;
  verdict: 'APPROVED' | 'REJECTED' | 'WITHDRAWN';
  /** The version an approval made (null otherwise). */
  version: number | null;
}

/** SHA-256 over the reason and the conditions: two versions with the same hash attribute alike. */
export function conditionsSha256(rule: Pick<ReasonRuleBody, 'reason' | 'conditions'>): string {
  return createHash('sha256').update(stableJson({ reason: rule.reason, conditions: rule.conditions })).digest('hex');
}

const MAKER_ROLES = ['analyst', 'admin'] as const;

/** The version in force of a rule (its highest), or undefined. */
function currentVersion(tx: ReadTx, ruleId: string): RuleVersionRow | undefined {
  return tx.get<RuleVersionRow>(sql`SELECT * FROM reason_rules WHERE rule_id = ${ruleId} ORDER BY version DESC, approved_at DESC, proposal_id DESC LIMIT 1`);
}

function requireCurrent(tx: ReadTx, ruleId: string): RuleVersionRow {
  const cur = currentVersion(tx, ruleId);
  if (!cur) throw new ReconError('NOT_FOUND', `no reason rule ${ruleId} (recon rules list shows them)`, { ruleId });
  if (cur.retired === 1) throw new ReconError('ILLEGAL_TRANSITION', `reason rule ${ruleId} ("${cur.name}") was retired on ${cur.approved_at}`, { ruleId });
  return cur;
}

/**
 * Proposes a new rule, or (with `ruleId`) a new version of one. The rule is
 * validated (INVALID_ARGUMENT names each field) and its reason must be an
 * active code. Audit: rule.proposed.
 */
export function proposeReasonRule(store: Store, actor: Identity, input: { rule: unknown; ruleId?: string; comment?: string | null }): RuleProposalInfo {
  const body = parseReasonRule(input.rule, { owner: actor.userId });
  return store.write((tx) => {
    requireAnyRole(tx, actor, MAKER_ROLES, 'propose reason rules');
    requireActiveReason(tx, body.reason);
    const base = input.ruleId === undefined ? null : requireCurrent(tx, input.ruleId);
    if (base) requireVersionExplained(tx, base);
    return insertProposal(tx, actor, {
      ruleId: input.ruleId ?? randomUUID(),
      kind: base ? 'CHANGE' : 'CREATE',
      baseVersion: base?.version ?? null,
      body,
      comment: input.comment ?? null,
    });
  });
}

/** Proposes to retire a rule (a comment saying why is required). Audit: rule.proposed (kind RETIRE). */
export function proposeRuleRetirement(store: Store, actor: Identity, ruleId: string, comment: string): RuleProposalInfo {
  if (!comment?.trim()) throw new ReconError('COMMENT_REQUIRED', 'retiring a reason rule needs a comment (--comment) saying why');
  return store.write((tx) => {
    requireAnyRole(tx, actor, MAKER_ROLES, 'propose reason rules');
    const base = requireCurrent(tx, ruleId);
    requireVersionExplained(tx, base);
    return insertProposal(tx, actor, { ruleId, kind: 'RETIRE', baseVersion: base.version, body: null, comment });
  });
}

function insertProposal(
  tx: WriteTx,
  actor: Identity,
  p: { ruleId: string; kind: ProposalRow['kind']; baseVersion: number | null; body: ReasonRuleBody | null; comment: string | null },
): RuleProposalInfo {
  const proposalId = randomUUID();
  const bodyText = p.body === null ? null : stableJson(p.body);
  const comment = p.comment?.trim() || null;
  tx.run(sql`INSERT INTO reason_rule_proposals (proposal_id, device_id, rule_id, kind, base_version, body, maker, proposed_at, comment)
    VALUES (${proposalId}, ${tx.deviceId}, ${p.ruleId}, ${p.kind}, ${p.baseVersion}, ${bodyText}, ${actor.userId}, ${tx.now}, ${comment})`);
  appendAuditEvent(tx, {
    actor: actor.userId,
    action: 'rule.proposed',
    target: `rule:${p.ruleId}`,
    before: p.baseVersion === null ? null : { version: p.baseVersion },
    after: { proposal: { proposal_id: proposalId, rule_id: p.ruleId, kind: p.kind, base_version: p.baseVersion, body: bodyText } },
    comment,
  });
  return {
    proposalId,
    ruleId: p.ruleId,
    kind: p.kind,
    baseVersion: p.baseVersion,
    rule: p.body,
    maker: actor.userId,
    proposedAt: tx.now,
    comment,
    state: 'PENDING',
    verdictBy: null,
    verdictAt: null,
    verdictComment: null,
  };
}

/** Approver (not the maker): the proposal takes effect. Audit: rule.approved, or rule.retired for a retirement. */
export function approveRuleProposal(store: Store, actor: Identity, proposalId: string, comment?: string | null): RuleVerdictResult {
  return settle(store, actor, proposalId, 'APPROVED', comment ?? null);
}

/** Approver (not the maker): the proposal is refused; a comment is required. Audit: rule.rejected. */
export function rejectRuleProposal(store: Store, actor: Identity, proposalId: string, comment: string): RuleVerdictResult {
  if (!comment?.trim()) throw new ReconError('COMMENT_REQUIRED', 'rejecting a rule proposal needs a comment (--comment) saying why');
  return settle(store, actor, proposalId, 'REJECTED', comment);
}

/** The maker takes back their own proposal while it waits. Audit: rule.withdrawn. */
export function withdrawRuleProposal(store: Store, actor: Identity, proposalId: string, comment?: string | null): RuleVerdictResult {
  return settle(store, actor, proposalId, 'WITHDRAWN', comment ?? null);
}

const VERDICT_ACTION = { REJECTED: 'rule.rejected', WITHDRAWN: 'rule.withdrawn' } as const;

function settle(store: Store, actor: Identity, proposalId: string, verdict: VerdictRow['verdict'], comment: string | null): RuleVerdictResult {
  return store.write((tx) => {
    const p = tx.get<ProposalRow>(sql`SELECT * FROM reason_rule_proposals WHERE proposal_id = ${proposalId}`);
    if (!p) throw new ReconError('NOT_FOUND', `no reason-rule proposal ${proposalId} (recon rules proposals lists them)`, { proposalId });
    // The maker, kind and body are the ones the proposal's event recorded (an edited maker would let them approve their own).
    const problem = proposalProblem(tx, p, CHAIN_HELPERS);
    if (problem) throw chainBroken(`rule proposal ${proposalId}`, problem);
    if (verdict === 'WITHDRAWN') {
      if (p.maker !== actor.userId) throw new ReconError('FORBIDDEN_ROLE', `only ${p.maker}, who made rule proposal ${proposalId}, can withdraw it; an approver rejects it instead`, { proposalId, maker: p.maker });
    } else {
      // The maker is refused even with the approver role: that is the 4-eye rule.
      if (p.maker === actor.userId) throw new ReconError('FORBIDDEN_SELF_APPROVAL', `${actor.userId} made rule proposal ${proposalId} and cannot approve or reject it: another approver must (the maker may withdraw it)`, { proposalId });
      requireRole(tx, actor, 'approver', 'approve reason rules');
    }
    const done = tx.get<{ verdict: string; actor: string }>(sql`SELECT verdict, actor FROM reason_rule_verdicts WHERE proposal_id = ${proposalId}`);
    if (done) throw new ReconError('ILLEGAL_TRANSITION', `rule proposal ${proposalId} was already ${done.verdict.toLowerCase()} by ${done.actor}`, { proposalId });
    const verdictId = randomUUID();
    let version: NonNullable<VerdictRecord['version']> | undefined;
    if (verdict === 'APPROVED') version = nextVersion(tx, p);
    tx.run(sql`INSERT INTO reason_rule_verdicts (verdict_id, proposal_id, device_id, verdict, actor, decided_at, comment)
      VALUES (${verdictId}, ${proposalId}, ${tx.deviceId}, ${verdict}, ${actor.userId}, ${tx.now}, ${comment?.trim() || null})`);
    if (version) insertVersion(tx, version, { proposalId, verdictId, deviceId: tx.deviceId, approvedBy: actor.userId, approvedAt: tx.now });
    appendAuditEvent(tx, {
      actor: actor.userId,
      action: verdict === 'APPROVED' ? (p.kind === 'RETIRE' ? 'rule.retired' : 'rule.approved') : VERDICT_ACTION[verdict],
      target: `rule:${p.rule_id}`,
      before: { maker: p.maker, kind: p.kind, base_version: p.base_version },
      after: {
        verdict_id: verdictId,
        proposal_id: proposalId,
        verdict,
        ...(version ? { version } : {}),
        // Where the approver's identity and roles came from, for whoever reads the trail.
        ...(verdict === 'WITHDRAWN' ? {} : { approver_vetting: { ...approverVetting(tx, actor.userId) } }),
      },
      comment: comment?.trim() || null,
    });
    return { verdictId, proposalId, ruleId: p.rule_id, verdict, version: version?.version ?? null };
  });
}

/** The version an approval makes: checked against the rule as it is now (it may have changed since the proposal). */
function nextVersion(tx: WriteTx, p: ProposalRow): NonNullable<VerdictRecord['version']> {
  const cur = currentVersion(tx, p.rule_id);
  if (p.kind === 'CREATE') {
    if (cur) throw new ReconError('ILLEGAL_TRANSITION', `reason rule ${p.rule_id} exists already`, { ruleId: p.rule_id });
  } else {
    if (!cur || cur.version !== p.base_version || cur.retired === 1) {
      throw new ReconError(
        'ILLEGAL_TRANSITION',
        `rule proposal ${p.proposal_id} was made on version ${p.base_version} of rule ${p.rule_id}, which is now ${cur ? `version ${cur.version}${cur.retired ? ' (retired)' : ''}` : 'gone'}: reject it and propose again`,
        { proposalId: p.proposal_id },
      );
    }
    requireVersionExplained(tx, cur);
  }
  const body = p.kind === 'RETIRE' ? (JSON.parse(cur!.body) as ReasonRuleBody) : (JSON.parse(p.body!) as ReasonRuleBody);
  if (p.kind !== 'RETIRE') requireActiveReason(tx, body.reason);
  return {
    rule_id: p.rule_id,
    version: (cur?.version ?? 0) + 1,
    name: body.name,
    owner: body.owner,
    definition: body.definition,
    position: body.order,
    active: body.active ? 1 : 0,
    retired: p.kind === 'RETIRE' ? 1 : 0,
    reason: body.reason,
    body: p.kind === 'RETIRE' ? cur!.body : p.body!,
    conditions_sha256: conditionsSha256(body),
  };
}

/** Writes a rule version row (also used for versions pulled from other devices: sync-apply.ts). */
export function insertVersion(
  tx: WriteTx,
  v: NonNullable<VerdictRecord['version']>,
  by: { proposalId: string; verdictId: string; deviceId: string; approvedBy: string; approvedAt: string },
): void {
  tx.run(sql`INSERT INTO reason_rules (proposal_id, verdict_id, device_id, rule_id, version, name, owner, definition, position, active, retired, reason, body, conditions_sha256, approved_by, approved_at)
    VALUES (${by.proposalId}, ${by.verdictId}, ${by.deviceId}, ${v.rule_id}, ${v.version}, ${v.name}, ${v.owner}, ${v.definition}, ${v.position}, ${v.active}, ${v.retired},
            ${v.reason}, ${v.body}, ${v.conditions_sha256}, ${by.approvedBy}, ${by.approvedAt})`);
}

function chainBroken(what: string, problem: string): ReconError {
  return new ReconError(
    'AUDIT_CHAIN_BROKEN',
    `${what} does not agree with the audit trail (workspace.sqlite was edited outside the app): refused. Run "recon audit verify" to see every such row.`,
    { problem },
  );
}

function requireVersionExplained(tx: ReadTx, r: RuleVersionRow): void {
  const problem = ruleVersionProblem(tx, r, CHAIN_HELPERS);
  if (problem) throw chainBroken(`reason rule ${r.rule_id} version ${r.version}`, problem);
}

const toInfo = (r: RuleVersionRow): ReasonRuleInfo => {
  const body = JSON.parse(r.body) as ReasonRuleBody;
  return {
    ruleId: r.rule_id,
    version: r.version,
    name: r.name,
    reason: r.reason,
    definition: r.definition,
    order: r.position,
    conditions: body.conditions,
    conditionsSha256: r.conditions_sha256,
    owner: r.owner,
    active: r.active === 1,
    retired: r.retired === 1,
    description: body.description ?? null,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    proposalId: r.proposal_id,
  };
};

/** The current version of every rule in its order; `definition` keeps those in force for it (its own and the workspace's). */
export function listReasonRules(store: Store, opts: { definition?: string; includeRetired?: boolean } = {}): ReasonRuleInfo[] {
  return store.read((tx) => currentRows(tx))
    .filter((r) => (opts.includeRetired || r.retired === 0) && (opts.definition === undefined || r.definition === null || r.definition === opts.definition))
    .map(toInfo);
}

/** Every version of one rule, oldest first (its history). */
export function reasonRuleVersions(store: Store, ruleId: string): ReasonRuleInfo[] {
  const rows = store.read((tx) => tx.all<RuleVersionRow>(sql`SELECT * FROM reason_rules WHERE rule_id = ${ruleId} ORDER BY version, approved_at, proposal_id`));
  if (rows.length === 0) throw new ReconError('NOT_FOUND', `no reason rule ${ruleId} (recon rules list shows them)`, { ruleId });
  return rows.map(toInfo);
}

function currentRows(tx: ReadTx): RuleVersionRow[] {
  return tx.all<RuleVersionRow>(
    sql`SELECT r.* FROM reason_rules r
         WHERE NOT EXISTS (SELECT 1 FROM reason_rules x WHERE x.rule_id = r.rule_id
                             AND (x.version > r.version OR (x.version = r.version AND (x.approved_at > r.approved_at OR (x.approved_at = r.approved_at AND x.proposal_id > r.proposal_id)))))
         ORDER BY r.position, r.rule_id`,
  );
}

/**
 * The rules a run of `definitionName` applies, in order (lower order first,
 * then rule id): active, not retired, scoped to the definition or the whole
 * workspace. Each is checked against its approval event first: a rule edited
 * in workspace.sqlite would re-attribute breaks no one approved
 * (AUDIT_CHAIN_BROKEN).
 */
export function reasonRulesInForce(tx: ReadTx, definitionName: string): ReasonRuleInForce[] {
  return currentRows(tx)
    .filter((r) => r.retired === 0 && r.active === 1 && (r.definition === null || r.definition === definitionName))
    .map((r) => {
      requireVersionExplained(tx, r);
      const { ruleId, version, name, reason, definition, order, conditions, conditionsSha256: sha } = toInfo(r);
      return { ruleId, version, name, reason, definition, order, conditions, conditionsSha256: sha };
    });
}

/** Rule proposals, newest first; `pendingOnly` for the approver's queue. */
export function listRuleProposals(store: Store, opts: { pendingOnly?: boolean; ruleId?: string } = {}): RuleProposalInfo[] {
  const rows = store.read((tx) =>
    tx.all<ProposalRow & { verdict: VerdictRow['verdict'] | null; verdict_by: string | null; verdict_at: string | null; verdict_comment: string | null }>(
      sql`SELECT p.*, v.verdict, v.actor AS verdict_by, v.decided_at AS verdict_at, v.comment AS verdict_comment
            FROM reason_rule_proposals p LEFT JOIN reason_rule_verdicts v USING (proposal_id)
           WHERE (${opts.pendingOnly ? 1 : 0} = 0 OR v.verdict_id IS NULL) AND (${opts.ruleId ?? null} IS NULL OR p.rule_id = ${opts.ruleId ?? null})
           ORDER BY p.proposed_at DESC, p.proposal_id`,
    ),
  );
  return rows.map((r) => ({
    proposalId: r.proposal_id,
    ruleId: r.rule_id,
    kind: r.kind,
    baseVersion: r.base_version,
    rule: r.body === null ? null : (JSON.parse(r.body) as ReasonRuleBody),
    maker: r.maker,
    proposedAt: r.proposed_at,
    comment: r.comment,
    state: r.verdict ?? 'PENDING',
    verdictBy: r.verdict_by,
    verdictAt: r.verdict_at,
    verdictComment: r.verdict_comment,
  }));
}

/** One proposal (NOT_FOUND when there is none). */
export function getRuleProposal(store: Store, proposalId: string): RuleProposalInfo {
  const p = listRuleProposals(store).find((x) => x.proposalId === proposalId);
  if (!p) throw new ReconError('NOT_FOUND', `no reason-rule proposal ${proposalId} (recon rules proposals lists them)`, { proposalId });
  return p;
}
