import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../generate/prng.ts';
import { tempDir } from '../workflow/testing/fixtures.ts';
import { buildTrail } from '../workflow/testing/scenario.ts';
import { dropAuditTriggers, MUTATIONS, mutate, type Mutation } from '../workflow/testing/tamper.ts';
import { verifyInTx } from './audit-verify.ts';
import { openStore } from './open.ts';
import { makeStore } from './store.ts';

const MUTATION_COUNT = 1000;
const SEED = Number(process.env['TAMPER_SEED'] ?? 20261122);

let tmp: ReturnType<typeof tempDir>;
let copy: Database.Database;

beforeAll(async () => {
  tmp = tempDir();
  // Two devices' chains: this workspace's and one pulled from another device.
  const store = openStore(join(tmp.dir, 'ws'));
  await buildTrail(store, 30);
  const other = openStore(join(tmp.dir, 'other'), { device: 'device-b' });
  await buildTrail(other, 8);
  other.close();
  store.db.exec(`ATTACH DATABASE '${join(tmp.dir, 'other', 'workspace.sqlite').replaceAll("'", "''")}' AS other`);
  store.db.exec("INSERT INTO audit_events SELECT * FROM other.audit_events; INSERT INTO audit_heads SELECT * FROM other.audit_heads; DETACH DATABASE other");
  store.close();
  const path = join(tmp.dir, 'copy.sqlite');
  copyFileSync(join(tmp.dir, 'ws', 'workspace.sqlite'), path);
  copy = new Database(path);
  dropAuditTriggers(copy);
});

afterAll(() => {
  copy.close();
  tmp.cleanup();
});

describe(`tamper detection (${MUTATION_COUNT} random mutations, seed ${SEED})`, () => {
  it('the untouched copy verifies', () => {
    const report = makeStore(copy, tmp.dir, 'copy', 'n/a').read(verifyInTx);
    expect(report.ok).toBe(true);
    expect(report.devices).toHaveLength(2);
    expect(report.events).toBeGreaterThan(120);
  });

  it('every mutation is detected by verify', () => {
    const rng = new Rng(SEED);
    const store = makeStore(copy, tmp.dir, 'copy', 'n/a');
    const counts = Object.fromEntries(MUTATIONS.map((m) => [m, 0])) as Record<Mutation, number>;
    const missed: string[] = [];
    let done = 0;
    while (done < MUTATION_COUNT) {
      const kind = rng.pick(MUTATIONS);
      // Each mutation runs inside a savepoint on the copy and is rolled back after verifying.
      copy.exec('SAVEPOINT tamper');
      try {
        let what: string;
        try {
          what = mutate(copy, rng, kind);
        } catch {
          continue; // the schema refused it (e.g. a duplicate seq): not a mutation, draw another
        }
        done++;
        counts[kind]++;
        const report = store.read(verifyInTx);
        if (report.ok) missed.push(what);
      } finally {
        copy.exec('ROLLBACK TO tamper; RELEASE tamper');
      }
    }
    expect(missed).toEqual([]);
    expect(Object.values(counts).every((n) => n > 100)).toBe(true);
    expect(store.read(verifyInTx).ok).toBe(true);
  });
});
