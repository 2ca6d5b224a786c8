import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REASON_CODES } from '../../attribution/catalogue.ts';
import { loadMigrations, migrate } from '../migrate.ts';
import { seedReasonCodes } from '../seed-reason-codes.ts';

describe('003_reason_codes', () => {
  it('holds the catalogue, seeded from the defaults without overwriting edits', () => {
    const db = new Database(':memory:');
    migrate(db, loadMigrations(), 3);
    db.prepare("INSERT INTO reason_codes (code, description, category, created_at, retired_at) VALUES ('FX_DIFF', 'edited', 'ACTION', 'then', 'retired')").run();
    const added = seedReasonCodes(db);
    expect(added).toHaveLength(DEFAULT_REASON_CODES.length - 1);
    expect(seedReasonCodes(db)).toEqual([]);
    expect(db.prepare("SELECT description, retired_at FROM reason_codes WHERE code = 'FX_DIFF'").get()).toEqual({ description: 'edited', retired_at: 'retired' });
    const categories = db.prepare('SELECT DISTINCT category FROM reason_codes ORDER BY 1').all();
    expect(categories).toEqual([{ category: 'ACTION' }, { category: 'NOISE' }]);
    expect(() => db.prepare("INSERT INTO reason_codes (code, description, category, created_at) VALUES ('lower', 'x', 'NOISE', 'now')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO reason_codes (code, description, category, created_at) VALUES ('NEW', 'x', 'MAYBE', 'now')").run()).toThrow(/CHECK/);
    db.close();
  });
});
