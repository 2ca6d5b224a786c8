/**
 * Test fixtures: temp workspaces, a run file with breaks and attributions,
 * a seeded store (users with roles, a completed run) and an in-memory break
 * source for the crash writer (which must start fast, so nothing here loads
 * DuckDB: the run file is written by run-file.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../store/store.ts';
import { baseStatusOf, suggestionOf, type Break } from '../../run-file/break.ts';
import type { BreakFilter, BreakSource } from '../breaks.ts';
import type { Identity } from '../identity.ts';
import { addUser } from '../roles.ts';
import { recordRunCompleted, recordRunStarted } from '../runs.ts';

export const ADA: Identity = { userId: 'ada', displayName: 'Ada Admin' };
export const ALICE: Identity = { userId: 'alice', displayName: 'Alice Analyst' };
export const BOB: Identity = { userId: 'bob', displayName: 'Bob Approver' };
export const CAROL: Identity = { userId: 'carol', displayName: 'Carol (analyst and approver)' };
export const MALLORY: Identity = { userId: 'mallory', displayName: 'Mallory (no roles)' };

/** The run and its size that the crash writer decides on. */
export const CRASH_RUN_ID = 'crash-run';
export const CRASH_BREAKS = 20_000;

/** A fresh temp folder; call the returned cleanup when done. */
export function tempDir(prefix = 'recon-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const REASONS = ['ROUNDING_DIFF', 'TIMING_DIFF', 'FX_DIFF', 'SCALE_DIFF', 'STATIC_DATA'] as const;
const FIELDS = ['amount', 'trade_date', 'counterparty'] as const;

/** The synthetic break `id` (1-based): a pure function, shared by the DuckDB file and the in-memory source. */
export function syntheticBreak(id: number): Break {
  const field = FIELDS[id % FIELDS.length]!;
  const auto = id % 4 !== 0;
  const suggestion = id % 11 === 0 ? null : REASONS[id % REASONS.length]!;
  return {
    breakId: id,
    key: `T${String(id).padStart(6, '0')}`,
    field,
    diffType: id % 17 === 0 ? 'MISSING_IN_B' : 'MISMATCH',
    side: null,
    valueA: field === 'amount' ? '100.00' : 'A',
    valueB: field === 'amount' ? `100.0${id % 5}` : 'B',
    delta: field === 'amount' ? `0.0${id % 5}` : null,
    fieldType: field === 'amount' ? 'decimal' : 'string',
    ridA: id,
    ridB: id,
    confidence: auto ? 0.95 : 0.5,
    suggestedReason: suggestion,
    modelReason: auto ? suggestion : 'UNKNOWN',
    modelStatus: auto ? 'AUTO' : 'REVIEW',
  };
}

/** An in-memory BreakSource over syntheticBreak(1..n). */
export function memoryBreakSource(n: number): BreakSource {
  const matches = (b: Break, f: BreakFilter): boolean =>
    (f.field === undefined || b.field === f.field) &&
    (f.diffType === undefined || b.diffType === f.diffType) &&
    (f.reason === undefined || suggestionOf(b) === f.reason) &&
    (f.baseStatus === undefined || baseStatusOf(b) === f.baseStatus) &&
    (f.delta === undefined || b.delta === f.delta) &&
    (f.maxAbsDelta === undefined || (b.delta !== null && Math.abs(Number(b.delta)) <= Number(f.maxAbsDelta))) &&
    (f.breakIds === undefined || f.breakIds.includes(b.breakId));
  return {
    get: async (ids) => new Map(ids.filter((id) => id >= 1 && id <= n).map((id) => [id, syntheticBreak(id)])),
    page: async (filter, afterId, limit) => {
      const out: Break[] = [];
      for (let id = afterId + 1; id <= n && out.length < limit; id++) {
        const b = syntheticBreak(id);
        if (matches(b, filter)) out.push(b);
      }
      return out;
    },
    close: () => undefined,
  };
}

/** Users: ada (admin, first), alice (analyst), bob (approver), carol (analyst + approver); mallory has no roles. */
export function seedUsers(store: Store): void {
  addUser(store, ADA, { userId: ALICE.userId, displayName: ALICE.displayName, roles: ['analyst'] });
  addUser(store, ADA, { userId: BOB.userId, displayName: BOB.displayName, roles: ['approver'] });
  addUser(store, ADA, { userId: CAROL.userId, displayName: CAROL.displayName, roles: ['analyst', 'approver'] });
  addUser(store, ADA, { userId: MALLORY.userId, displayName: MALLORY.displayName });
}

/** Registers a completed run whose file is `duckdbPath`. */
export function seedRun(store: Store, runId: string, duckdbPath: string): void {
  const inputs = { a: { path: '/data/a.csv', sha256: 'a'.repeat(64), bytes: 10 }, b: { path: '/data/b.csv', sha256: 'b'.repeat(64), bytes: 12 } };
  recordRunStarted(store, ADA, { runId, definition: { name: 'trades', key: ['trade_id'], attribution: { threshold: 0.9 } }, duckdbPath, inputs });
  recordRunCompleted(store, ADA, runId, { runId, breaks: { total: 1 }, attribution: { unknownRate: 0.031 } });
}
