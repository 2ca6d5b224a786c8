/**
 * Break evidence belongs to the run's device (server migration 013). Before,
 * any team login could insert review_breaks rows for another device's run,
 * and the first row won: a fake "BUY vs BUY, ROUNDING" row was shown to the
 * checker while the maker's real evidence was silently dropped.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBreakSource } from '../run-file/break-source.ts';
import { decide } from '../workflow/decisions.ts';
import { ALICE, seedRun, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { writeRunFile } from '../workflow/testing/run-file.ts';
import { evidencePushedBy, remoteBreakSource } from './remote-breaks.ts';
import { sqlState } from './errors.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { createLogin, grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let maker: Device;
let checker: Device;
const RUN = 'run-ev';

beforeAll(async () => {
  tmp = tempDir('recon-sync-evidence-');
  server = await startTestPg();
  await grantServerRoles(server, { alice: ['analyst'], bob: ['approver'] });
  await createLogin(server, 'mallory');
  maker = openDevice(tmp.dir, 'maker', server, { login: 'alice' });
  checker = openDevice(tmp.dir, 'checker', server, { login: 'bob' });
  const runFile = join(tmp.dir, 'run.duckdb');
  await writeRunFile(runFile, 100);
  seedUsers(maker.store);
  seedRun(maker.store, RUN, runFile);
}, 180_000);

afterAll(async () => {
  await maker?.close();
  await checker?.close();
  await server?.destroy();
  tmp?.cleanup();
});

async function asLogin<T>(login: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...server.settings(undefined, login), password: server.info.sync.password });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const FAKE = `INSERT INTO recon.review_breaks (run_id, break_id, key, field, diff_type, value_a, value_b, base_status, reason, confidence, pushed_by)
  VALUES ($1, $2, 'T000004', 'side', 'MISMATCH', 'BUY', 'BUY', 'REVIEW', 'ROUNDING_DIFF', 0.99, $3)`;

describe('evidence belongs to its run’s device', () => {
  it('refuses evidence for another device’s run, pushed over another login, before the real device sends it', async () => {
    // The run's events reach the server first (evidence off), as they do when evidence is slower than events.
    await maker.sync({ evidence: false });
    const err = await asLogin('mallory', (c) => c.query(FAKE, [RUN, 4, 'alice'])).then(
      () => null,
      (e: unknown) => e,
    );
    expect(sqlState(err)).toBe('RC004');
    expect((err as Error).message).toMatch(/run run-ev refused: the run was made on device .* which pushes over the login alice, not mallory/);
    const c = await server.admin();
    try {
      expect((await c.query('SELECT count(*)::int AS n FROM recon.review_breaks WHERE run_id = $1', [RUN])).rows).toEqual([{ n: 0 }]);
    } finally {
      await c.end();
    }
  });

  it('the real device’s evidence goes up; pushed_by is the session login whatever the client says', async () => {
    // A client cannot claim another pusher either.
    await asLogin('alice', (c) => c.query(FAKE, [RUN, 3, 'bob']));
    const r = await maker.sync({ evidence: openBreakSource });
    expect(r.evidence).toBeGreaterThan(0);
    const c = await server.admin();
    try {
      const rows = (await c.query('SELECT DISTINCT pushed_by FROM recon.review_breaks WHERE run_id = $1', [RUN])).rows;
      expect(rows).toEqual([{ pushed_by: 'alice' }]);
      // Evidence is as permanent as the events it supports, for the owner too.
      const upd = await c.query(`UPDATE recon.review_breaks SET value_b = 'SELL' WHERE run_id = $1`, [RUN]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(sqlState(upd)).toBe('RC003');
    } finally {
      await c.end();
    }
  });

  it('the checker pulls the evidence with who pushed it, and sees it beside the proposal', async () => {
    const source = await openBreakSource(join(tmp.dir, 'run.duckdb'));
    try {
      await decide(maker.store, source, ALICE, { runId: RUN, breakId: 12, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'EUR' });
    } finally {
      source.close();
    }
    await maker.sync({ evidence: openBreakSource });
    await checker.sync({ evidence: openBreakSource });
    const got = await remoteBreakSource(checker.store, RUN).get([12]);
    expect(got.get(12)).toMatchObject({ key: 'T000012', valueA: '100.00', valueB: '100.02' });
    expect(evidencePushedBy(checker.store, RUN)).toEqual([{ login: 'alice', breaks: expect.any(Number) as number }]);
  });
});
