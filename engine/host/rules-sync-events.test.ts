/**
 * Reason rules arriving by team sync refresh open screens: a host whose sync
 * loop pulls another workstation's rule proposal, and then its approval,
 * emits `workflow.changed` with `what: 'rules'` each time, as it does for
 * pulled decisions (service.ts onPulled, sync/workspace-sync.ts pulledWorkflow).
 */
import './testing/fail-on-unhandled.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractEvent } from '../contract/index.ts';
import { approveRuleProposal, proposeReasonRule } from '../rules/governance.ts';
import { openStore, type Store } from '../store/open.ts';
import type { Keychain } from '../sync/credentials.ts';
import { openDevice, type Device } from '../sync/testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from '../sync/testing/pg-server.ts';
import { ALICE, BOB, seedUsers } from '../workflow/testing/fixtures.ts';
import { createService, type Service } from './service.ts';

let server: TestPg;
let dir: string;
let maker: Device;
let checker: Device;
let store: Store;
let service: Service;
const events: ContractEvent[] = [];

function memoryKeychain(): Keychain {
  const entries = new Map<string, string>();
  return { set: (a, p) => void entries.set(a, p), get: (a) => entries.get(a) ?? null, delete: (a) => entries.delete(a) };
}

const rulesChanged = (from: number) => events.slice(from).filter((e) => e.type === 'workflow.changed' && e.what === 'rules').length;

beforeAll(async () => {
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'] });
  dir = await mkdtemp(join(tmpdir(), 'recon-host-rules-sync-'));
  maker = openDevice(dir, 'maker', server, { login: 'alice' });
  checker = openDevice(dir, 'checker', server, { login: 'bob' });
  seedUsers(maker.store);
  seedUsers(checker.store);
  // The watching host: ada's workstation, its loop driven by sync.now (no regular cycle during the test).
  store = openStore(join(dir, 'host'));
  service = createService({
    workspace: join(dir, 'host'),
    host: 'test',
    version: '0',
    store,
    user: { userId: 'ada', displayName: 'Ada' },
    emit: (e) => events.push(e),
    sync: { keychain: memoryKeychain(), env: {}, intervalMs: 60_000, backoff: { baseMs: 100, capMs: 400 }, timeouts: { connectMs: 2000, queryMs: 20_000 }, nudgeDelayMs: 20 },
  });
  await service.invoke('sync.configure', { host: server.info.host, port: server.info.port, database: server.info.database, user: 'ada', tls: 'disable' });
  await service.invoke('sync.login', { password: server.info.sync.password });
  await service.invoke('sync.now', {});
}, 180_000);

afterAll(async () => {
  await service?.close();
  store?.close();
  await maker?.close();
  await checker?.close();
  await server?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('rules pulled from other workstations', () => {
  it('a pulled rule proposal, then its approval, each emit workflow.changed for rules', async () => {
    const p = proposeReasonRule(maker.store, ALICE, { rule: { name: 'Notional is timing', reason: 'TIMING_DIFF', conditions: { field: 'Notional' } } });
    await maker.sync();
    let mark = events.length;
    await service.invoke('sync.now', {});
    expect(rulesChanged(mark)).toBe(1);

    await checker.sync();
    approveRuleProposal(checker.store, BOB, p.proposalId);
    await checker.sync();
    mark = events.length;
    await service.invoke('sync.now', {});
    expect(rulesChanged(mark)).toBe(1);

    // Nothing new: no refresh.
    mark = events.length;
    await service.invoke('sync.now', {});
    expect(rulesChanged(mark)).toBe(0);
  }, 120_000);
});
