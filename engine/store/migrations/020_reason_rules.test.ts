import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('020_reason_rules', () => {
  it('holds proposals, one verdict each and the versions approvals made, each row written once', () => {
    const db = new Database(':memory:');
    expect(migrate(db, loadMigrations(), 20)).toContain(20);
    const propose = db.prepare('INSERT INTO reason_rule_proposals (proposal_id, device_id, rule_id, kind, base_version, body, maker, proposed_at, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    propose.run('p1', 'dev', 'r1', 'CREATE', null, '{}', 'alice', 'now', null);
    // A CREATE has no base version, a RETIRE no body; a kind is one of three.
    expect(() => propose.run('p2', 'dev', 'r1', 'CREATE', 1, '{}', 'alice', 'now', null)).toThrow(/CHECK/);
    expect(() => propose.run('p3', 'dev', 'r1', 'RETIRE', 1, '{}', 'alice', 'now', null)).toThrow(/CHECK/);
    expect(() => propose.run('p4', 'dev', 'r1', 'DELETE', 1, null, 'alice', 'now', null)).toThrow(/CHECK/);
    const verdict = db.prepare('INSERT INTO reason_rule_verdicts (verdict_id, proposal_id, device_id, verdict, actor, decided_at, comment) VALUES (?, ?, ?, ?, ?, ?, ?)');
    verdict.run('v1', 'p1', 'dev', 'APPROVED', 'bob', 'now', null);
    expect(() => verdict.run('v2', 'p1', 'dev', 'REJECTED', 'carol', 'now', 'no')).toThrow(/UNIQUE/);
    db.prepare(`INSERT INTO reason_rules (proposal_id, verdict_id, device_id, rule_id, version, name, owner, definition, position, active, retired, reason, body, conditions_sha256, approved_by, approved_at)
                VALUES ('p1', 'v1', 'dev', 'r1', 1, 'n', 'alice', NULL, 10, 1, 0, 'TIMING_DIFF', '{}', 'h', 'bob', 'now')`).run();
    expect(() => db.prepare("UPDATE reason_rules SET reason = 'FX_DIFF'").run()).toThrow(/written once/);
    expect(() => db.prepare('DELETE FROM reason_rule_proposals').run()).toThrow(/written once/);
    expect(() => db.prepare("UPDATE reason_rule_verdicts SET verdict = 'REJECTED'").run()).toThrow(/written once/);
    db.close();
  });
});
