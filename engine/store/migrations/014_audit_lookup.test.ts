import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('014_audit_lookup', () => {
  it("finds a decision's, a verdict's and a target's latest event by index, not by scanning the trail", () => {
    const db = new Database(':memory:');
    expect(migrate(db, loadMigrations(), 14)).toContain(14);
    const plan = (q: string): string => (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan(`SELECT * FROM audit_events WHERE json_extract(after, '$.decision.decision_id') = 'd1' AND action IN ('decision.applied', 'decision.proposed') AND device_id = 'x'`)).toMatch(
      /USING INDEX audit_events_by_decision/,
    );
    expect(plan(`SELECT * FROM audit_events WHERE json_extract(after, '$.approval_id') = 'a1' AND action IN ('proposal.approved', 'proposal.rejected', 'proposal.withdrawn') AND device_id = 'x'`)).toMatch(
      /USING INDEX audit_events_by_approval/,
    );
    expect(plan(`SELECT * FROM audit_events WHERE device_id = 'x' AND target = 'user:ada' ORDER BY seq DESC LIMIT 1`)).toMatch(/USING INDEX audit_events_by_target/);
    db.close();
  });
});
