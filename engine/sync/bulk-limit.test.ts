/**
 * The bulk limit holds on the team server too (server migration 013). A
 * workstation turns a bulk decision over its limit into a proposal, counting
 * the person's recent bulk decisions on the run; a modified client, or a
 * workspace whose admin raised its own limit, could skip that. The server
 * counts again with the team's limit and its own clock.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBreakSource } from '../run-file/break-source.ts';
import { decideBulk } from '../workflow/decisions.ts';
import { setSetting } from '../workflow/settings.ts';
import { ADA, ALICE, seedRun, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { writeRunFile } from '../workflow/testing/run-file.ts';
import { decisionHistory } from './history.ts';
import { readSyncStatus } from './status.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let maker: Device;
let runFile = '';
const RUN = 'run-bulk';

beforeAll(async () => {
  tmp = tempDir('recon-sync-bulk-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'] }, { ada: 'alice' });
  const c = await server.admin();
  try {
    await c.query(`INSERT INTO recon.team_settings (name, value) VALUES ('review.bulkProposalThreshold', '50')`);
  } finally {
    await c.end();
  }
  maker = openDevice(tmp.dir, 'maker', server, { login: 'alice' });
  runFile = join(tmp.dir, 'run.duckdb');
  await writeRunFile(runFile, 400);
  seedUsers(maker.store);
  seedRun(maker.store, RUN, runFile);
  // This workspace's own limit is far above the team's.
  setSetting(maker.store, ADA, 'review.bulkProposalThreshold', 1000);
  await maker.sync();
}, 180_000);

afterAll(async () => {
  await maker?.close();
  await server?.destroy();
  tmp?.cleanup();
});

const ids = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

async function bulk(breakIds: number[], comment: string) {
  const source = await openBreakSource(runFile);
  try {
    return await decideBulk(maker.store, source, ALICE, { runId: RUN, filter: { breakIds }, kind: 'REJECT', comment });
  } finally {
    source.close();
  }
}

const status = (breakId: number) => maker.store.read((tx) => tx.get<{ status: string }>({ text: 'SELECT status FROM break_status WHERE run_id = ? AND break_id = ?', params: [RUN, breakId] }))?.status;

describe('the team server counts the bulk limit', () => {
  it('refuses a direct bulk decision over the team’s limit that the workspace let through; the workstation undoes it', async () => {
    const r = await bulk(ids(1, 60), 'all wrong at source');
    expect(r).toMatchObject({ proposal: false, breakCount: 60 });
    expect(status(1)).toBe('REJECTED');
    await maker.sync();
    expect(decisionHistory(maker.store, RUN, 1)).toMatchObject([{ decisionId: r.decisionId, sync: 'REFUSED', syncDetail: 'BULK_LIMIT' }]);
    expect(status(1)).toBeUndefined();
    expect(readSyncStatus(maker.store).parked).toMatchObject([{ kind: 'REFUSED', code: 'BULK_LIMIT' }]);
  });

  it('counts split decisions together: 30 + 30 under a limit of 50 is one bulk decision of 60', async () => {
    const first = await bulk(ids(101, 30), 'first band');
    const second = await bulk(ids(131, 30), 'second band');
    await maker.sync();
    expect(decisionHistory(maker.store, RUN, 101)).toMatchObject([{ decisionId: first.decisionId, sync: 'APPLIED' }]);
    expect(decisionHistory(maker.store, RUN, 131)).toMatchObject([{ decisionId: second.decisionId, sync: 'REFUSED', syncDetail: 'BULK_LIMIT' }]);
    expect(status(101)).toBe('REJECTED');
    expect(status(131)).toBeUndefined();
  });

  it('a proposal of the same breaks goes through, for an approver to decide', async () => {
    const source = await openBreakSource(runFile);
    try {
      const p = await decideBulk(maker.store, source, ALICE, { runId: RUN, filter: { breakIds: ids(201, 60) }, kind: 'OVERRIDE', reason: 'STATIC_DATA', comment: 'book codes' });
      expect(p.proposal).toBe(true);
      await maker.sync();
      expect(decisionHistory(maker.store, RUN, 201)).toMatchObject([{ decisionId: p.decisionId, sync: 'APPLIED' }]);
    } finally {
      source.close();
    }
  });
});
