/**
 * A forged client, for tests of the team server's own rule checks: approves a
 * rule proposal as its maker, writing the rows and the rule.approved event
 * with the low-level append, so governance.ts's 4-eye check never runs (as a
 * modified client, or someone with file access, could).
 */
import { randomUUID } from 'node:crypto';
import { appendAuditEvent } from '../../store/audit-log.ts';
import { sql } from '../../store/sql.ts';
import type { Store } from '../../store/store.ts';
import type { ProposalRow, VerdictRecord } from '../chain-check.ts';
import { conditionsSha256, insertVersion } from '../governance.ts';
import type { ReasonRuleBody } from '../schema.ts';

/** Approves a CREATE proposal as `approver` (its maker, in the tests), bypassing every local check; returns the verdict id. */
export function forgeRuleApproval(store: Store, approver: string, proposalId: string): string {
  const verdictId = randomUUID();
  store.write((tx) => {
    const p = tx.get<ProposalRow>(sql`SELECT * FROM reason_rule_proposals WHERE proposal_id = ${proposalId}`)!;
    const body = JSON.parse(p.body!) as ReasonRuleBody;
    const version: NonNullable<VerdictRecord['version']> = {
      rule_id: p.rule_id,
      version: 1,
      name: body.name,
      owner: body.owner,
      definition: body.definition,
      position: body.order,
      active: body.active ? 1 : 0,
      retired: 0,
      reason: body.reason,
      body: p.body!,
      conditions_sha256: conditionsSha256(body),
    };
    tx.run(sql`INSERT INTO reason_rule_verdicts (verdict_id, proposal_id, device_id, verdict, actor, decided_at, comment)
      VALUES (${verdictId}, ${proposalId}, ${tx.deviceId}, 'APPROVED', ${approver}, ${tx.now}, NULL)`);
    insertVersion(tx, version, { proposalId, verdictId, deviceId: tx.deviceId, approvedBy: approver, approvedAt: tx.now });
    appendAuditEvent(tx, {
      actor: approver,
      action: 'rule.approved',
      target: `rule:${p.rule_id}`,
      before: { maker: p.maker, kind: p.kind, base_version: p.base_version },
      after: { verdict_id: verdictId, proposal_id: proposalId, verdict: 'APPROVED', version },
      comment: null,
    });
  });
  return verdictId;
}
