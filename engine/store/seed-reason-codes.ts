/**
 * Seeds the default reason codes (engine/attribution/catalogue.ts) into the
 * store's editable catalogue. Only missing codes are added: an admin's edits
 * and retirements are never overwritten, and a code added to the defaults
 * later reaches existing workspaces. Defaults are code, not a user's action,
 * so seeding writes no audit event.
 */
import type Database from 'better-sqlite3';
import { DEFAULT_REASON_CODES } from '../attribution/catalogue.ts';
import { allRows, runSql, sql } from './sql.ts';

/** Adds any default code the catalogue lacks; returns the codes added. */
export function seedReasonCodes(db: Database.Database): string[] {
  const have = (): Set<string> => new Set(allRows<{ code: string }>(db, sql`SELECT code FROM reason_codes`).map((r) => r.code));
  // Read first, so opening a seeded workspace never takes the write lock.
  if (DEFAULT_REASON_CODES.every((r) => have().has(r.code))) return [];
  return db
    .transaction(() => {
      const existing = have();
      const now = new Date().toISOString();
      const added: string[] = [];
      for (const r of DEFAULT_REASON_CODES) {
        if (existing.has(r.code)) continue;
        runSql(db, sql`INSERT INTO reason_codes (code, description, category, created_at) VALUES (${r.code}, ${r.description}, ${r.category}, ${now})`);
        added.push(r.code);
      }
      return added;
    })
    .immediate();
}
