import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPreviousRunDb } from './previous-run.ts';
import { qualityGate } from './quality-gate.ts';

const dir = mkdtempSync(join(tmpdir(), 'recon-wiring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quality gate', () => {
  it('passes when every check passes and the unknown rate is at or below the limit', () => {
    expect(qualityGate({ checksPassed: true, unknownRate: 0.05, unknownRateLimit: 0.05 })).toMatchObject({ passed: true, reasons: [] });
    expect(qualityGate({ checksPassed: true, unknownRate: 0.0501, unknownRateLimit: 0.05 }).reasons).toEqual(['unknown rate 5.01% is above the limit of 5.00%']);
    expect(qualityGate({ checksPassed: false, unknownRate: 0, unknownRateLimit: 0.05 })).toMatchObject({ passed: false, reasons: ['an integrity check failed'] });
  });
});

describe('previous run of a definition', () => {
  it('is the latest earlier completed run of the same definition whose database exists', async () => {
    const runs = join(dir, 'runs');
    mkdirSync(runs, { recursive: true });
    const run = (id: string, definition: string, withDb = true): void => {
      const database = join(runs, `${id}.duckdb`);
      if (withDb) writeFileSync(database, '');
      writeFileSync(join(runs, `${id}.json`), JSON.stringify({ runId: id, definition, status: 'COMPLETED', database }));
    };
    run('20240101-000000-aaaaaa', 'trades');
    run('20240102-000000-bbbbbb', 'other');
    run('20240103-000000-cccccc', 'trades', false);
    run('20240105-000000-eeeeee', 'trades');
    expect(await findPreviousRunDb(dir, 'trades', '20240104-000000-dddddd')).toBe(join(runs, '20240101-000000-aaaaaa.duckdb'));
    expect(await findPreviousRunDb(dir, 'trades', '20240101-000000-aaaaaa')).toBeUndefined();
    expect(await findPreviousRunDb(join(dir, 'nowhere'), 'trades', 'z')).toBeUndefined();
  });
});
