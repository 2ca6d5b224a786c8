import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('011_reason_sla', () => {
  it('gives every existing code no SLA, and takes whole days from 0 to 3650', () => {
    const db = new Database(':memory:');
    migrate(db, loadMigrations(), 10);
    db.exec(`INSERT INTO reason_codes (code, description, category, created_at) VALUES ('FX_DIFF', 'fx', 'NOISE', 'now')`);
    expect(migrate(db, loadMigrations(), 11)).toEqual([11]);
    expect(db.prepare("SELECT sla_days FROM reason_codes WHERE code = 'FX_DIFF'").get()).toEqual({ sla_days: null });
    const set = db.prepare("UPDATE reason_codes SET sla_days = ? WHERE code = 'FX_DIFF'");
    set.run(5);
    expect(db.prepare("SELECT sla_days FROM reason_codes WHERE code = 'FX_DIFF'").get()).toEqual({ sla_days: 5 });
    expect(() => set.run(-1)).toThrow(/CHECK/);
    expect(() => set.run(3651)).toThrow(/CHECK/);
    expect(() => set.run('soon')).toThrow(/CHECK|cannot store/);
    set.run(null);
    expect(db.prepare("SELECT sla_days FROM reason_codes WHERE code = 'FX_DIFF'").get()).toEqual({ sla_days: null });
    db.close();
  });
});
