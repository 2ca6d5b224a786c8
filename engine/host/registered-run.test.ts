import './testing/fail-on-unhandled.ts';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../definition/load.ts';
import { ALICE } from '../workflow/testing/fixtures.ts';
import { useSeededStore } from '../workflow/testing/seeded-store.ts';
import { getRun } from '../workflow/runs.ts';
import { startRegisteredRun } from './registered-run.ts';
import { startWorker } from '../worker/client.ts';

/** The runs registry gets the inputs' SHA-256 (hashed once, by the run worker) whether the run completes or fails. */
const ws = useSeededStore();
const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const definition = (fields: string[]) =>
  validateDefinition({ name: 'trades', key: ['id'], fields: fields.map((name) => ({ name, type: name === 'amount' ? 'decimal' : 'string', ...(name === 'amount' ? { scale: 2 } : {}) })) });

function files(): { a: string; b: string } {
  const a = join(ws.dir, 'a.csv');
  const b = join(ws.dir, 'b.csv');
  writeFileSync(a, 'id,amount\nT1,1.00\nT2,2.00\n');
  writeFileSync(b, 'id,amount\nT1,1.00\nT3,3.00\n');
  return { a, b };
}

const startedInputs = (runId: string): unknown => {
  const row = ws.store.db.prepare("SELECT after FROM audit_events WHERE action = 'run.started' AND target = ?").get(`run:${runId}`) as { after: string };
  return (JSON.parse(row.after) as { inputs: unknown }).inputs;
};

describe('a registered run', () => {
  it('records the hashes of a completed run, from a worker started early', async () => {
    const { a, b } = files();
    const run = startRegisteredRun(ws.store, ALICE, { aPath: a, bPath: b, definition: definition(['id', 'amount']), workspace: ws.dir }, undefined, startWorker('run'));
    const summary = await run.result;
    const expected = { a: { path: a, sha256: sha(a) }, b: { path: b, sha256: sha(b) } };
    expect(getRun(ws.store, run.runId)).toMatchObject({ status: 'COMPLETED', inputs: expected });
    expect(startedInputs(run.runId)).toEqual(expected);
    expect(summary.inputs.a.sha256).toBe(sha(a));
  });

  it('records the hashes of a run that failed before hashing, and an empty one for a missing file', async () => {
    const { a } = files();
    const missing = join(ws.dir, 'nowhere.csv');
    const run = startRegisteredRun(ws.store, ALICE, { aPath: a, bPath: missing, definition: definition(['id', 'amount']), workspace: ws.dir });
    await expect(run.result).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
    expect(getRun(ws.store, run.runId)).toMatchObject({ status: 'FAILED', inputs: { a: { sha256: sha(a) }, b: { path: missing, sha256: '' } } });
  });

  it('records the hashes of a run whose definition names a column the file lacks', async () => {
    const { a, b } = files();
    const run = startRegisteredRun(ws.store, ALICE, { aPath: a, bPath: b, definition: definition(['id', 'price']), workspace: ws.dir });
    await expect(run.result).rejects.toMatchObject({ code: 'COLUMN_NOT_FOUND' });
    expect(getRun(ws.store, run.runId)).toMatchObject({ status: 'FAILED', inputs: { a: { sha256: sha(a) }, b: { sha256: sha(b) } } });
  });
});
