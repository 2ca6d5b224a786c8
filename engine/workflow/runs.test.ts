import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../store/audit-verify.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { recordExportWritten, recordModelPromoted } from './events.ts';
import { addReasonCode, listReasonCodes, retireReasonCode } from './reason-codes.ts';
import { getRun, listRuns, recordRunCompleted, recordRunFailed, recordRunStarted } from './runs.ts';
import { ADA, ALICE, seedUsers, tempDir } from './testing/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
  seedUsers(store);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const inputs = { a: { path: '/in/a.csv', sha256: 'a'.repeat(64), bytes: 10, format: 'csv' }, b: { path: '/in/b.csv', sha256: 'b'.repeat(64), bytes: 11, format: 'csv' } };
const definition = { name: 'trades', key: ['id'], attribution: { threshold: 0.9, unknownRateLimit: 0.05 } };
const lastEvent = (): { action: string; after: string } => store.db.prepare('SELECT action, after FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { action: string; after: string };

describe('runs registry', () => {
  it('records a run from RUNNING to COMPLETED with its snapshot, inputs and summary', () => {
    recordRunStarted(store, ALICE, { runId: 'r1', definition, duckdbPath: '/ws/runs/r1.duckdb', inputs });
    expect(getRun(store, 'r1')).toMatchObject({ status: 'RUNNING', startedBy: 'alice', inputs, definition: { attribution: { threshold: '0.9' } } });
    recordRunCompleted(store, ALICE, 'r1', { breaks: { total: 3 }, attribution: { unknownRate: 0.02 } });
    expect(getRun(store, 'r1')).toMatchObject({ status: 'COMPLETED', summary: { attribution: { unknownRate: '0.02' } } });
    expect(lastEvent().action).toBe('run.completed');
    expect(() => recordRunFailed(store, ALICE, 'r1', { code: 'X', message: 'late' })).toThrow(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }));
  });

  it('records a failed run with its error data', () => {
    recordRunStarted(store, ALICE, { runId: 'r2', definition, duckdbPath: '/ws/runs/r2.duckdb', inputs });
    recordRunFailed(store, ALICE, 'r2', { code: 'INPUT_PARSE_ERROR', message: 'a.csv, line 3: bad', details: { line: 3 } });
    expect(getRun(store, 'r2')).toMatchObject({ status: 'FAILED', error: { code: 'INPUT_PARSE_ERROR', details: { line: 3 } } });
    expect(listRuns(store).map((r) => r.runId)).toEqual(['r2']);
    expect(() => recordRunCompleted(store, ALICE, 'nope', {})).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }));
    expect(() => recordRunStarted(store, ALICE, { runId: 'r2', definition, duckdbPath: '/x', inputs })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('reason codes and other audited actions', () => {
  it('adds and retires codes; retired codes stay listed for history', () => {
    addReasonCode(store, ADA, { code: 'CUTOFF', description: 'Booked after the cut-off', category: 'NOISE' });
    retireReasonCode(store, ADA, 'CUTOFF', 'merged into TIMING_DIFF');
    expect(listReasonCodes(store).map((r) => r.code)).not.toContain('CUTOFF');
    expect(listReasonCodes(store, { includeRetired: true }).at(-1)).toMatchObject({ code: 'CUTOFF' });
    expect(() => addReasonCode(store, ALICE, { code: 'X', description: 'x', category: 'NOISE' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
  });

  it('refuses to retire a system code the engine assigns itself (REASON_CODE_SYSTEM), and lists them as system codes', () => {
    for (const code of ['UNKNOWN', 'MISSING_IN_A', 'MISSING_IN_B', 'DUPLICATE_KEY', 'REJECTED_IN_A', 'REJECTED_IN_B', 'AMBIGUOUS', 'MANUAL_MATCH']) {
      expect(() => retireReasonCode(store, ADA, code, 'tidy up')).toThrow(expect.objectContaining({ code: 'REASON_CODE_SYSTEM' }));
    }
    const listed = listReasonCodes(store);
    expect(listed.filter((r) => r.system).map((r) => r.code).sort()).toEqual(['AMBIGUOUS', 'DUPLICATE_KEY', 'MANUAL_MATCH', 'MISSING_IN_A', 'MISSING_IN_B', 'REJECTED_IN_A', 'REJECTED_IN_B', 'UNKNOWN']);
    expect(listed.find((r) => r.code === 'UNKNOWN')).toMatchObject({ retiredAt: null, system: true });
    expect(listed.find((r) => r.code === 'FX_DIFF')).toMatchObject({ system: false });
    // Nothing was written: no retirement, no audit event.
    expect(lastEvent().action).not.toBe('reason.retired');
    // A system code cannot be added again under another category either.
    expect(() => addReasonCode(store, ADA, { code: 'UNKNOWN', description: 'x', category: 'NOISE' })).toThrow(expect.objectContaining({ code: 'REASON_CODE_SYSTEM' }));
  });

  it('records model promotions and exports', () => {
    recordModelPromoted(store, ADA, { version: 'm2', previousVersion: 'm1', path: 'models/m2.json', trainingSetSize: 1200, metrics: { accuracy: 0.971 } });
    expect(JSON.parse(lastEvent().after)).toMatchObject({ metrics: { accuracy: '0.971' } });
    recordExportWritten(store, ALICE, { kind: 'breaks.xlsx', path: '/out/b.xlsx', runId: 'r1', rows: 10 });
    expect(lastEvent().action).toBe('export.written');
    expect(verifyChain(store).ok).toBe(true);
  });
});
