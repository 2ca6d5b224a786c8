/**
 * Definitions travel between workstations through the team's real
 * PostgreSQL: a version saved on one device is projected on the server in
 * server order, and the other device's pull stores it as a new version of its
 * own, once, with the saving device's actor and time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DefinitionInput } from '../definition/schema.ts';
import { verifyTrail } from '../workflow/chain-state.ts';
import { getDefinition, listDefinitions, saveDefinition } from '../workflow/definitions.ts';
import { ADA, ALICE, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { readSyncStatus } from './status.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let north: Device;
let south: Device;

beforeAll(async () => {
  tmp = tempDir('recon-sync-defs-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'] });
  north = openDevice(tmp.dir, 'north', server, { login: 'alice' });
  south = openDevice(tmp.dir, 'south', server, { login: 'ada' });
  seedUsers(north.store);
  seedUsers(south.store);
}, 180_000);

afterAll(async () => {
  await north?.close();
  await south?.close();
  await server?.destroy();
  tmp?.cleanup();
});

const definition: DefinitionInput = {
  name: 'Trades vs custodian',
  key: ['id'],
  fields: [{ name: 'id' }, { name: 'qty', type: 'decimal', tolerance: { abs: '0.01' } }],
  attribution: { threshold: 0.85, unknownRateLimit: 0.05 },
};

describe('definitions between two devices', () => {
  it("pushes a saved version, and the other device's pull stores it as its own next version, once", async () => {
    saveDefinition(north.store, ALICE, definition);
    saveDefinition(north.store, ALICE, { ...definition, key: ['id', 'qty'] }, { comment: 'composite key' });
    const pushed = await north.sync();
    expect(readSyncStatus(north.store)).toMatchObject({ queueLength: 0, parked: [] });
    expect(pushed.pull.definitions).toBe(0);
    const c = await server.admin();
    try {
      const rows = (await c.query('SELECT name, version, saved_by, comment FROM recon.definitions ORDER BY server_order')).rows;
      expect(rows).toEqual([
        { name: 'Trades vs custodian', version: 1, saved_by: 'alice', comment: null },
        { name: 'Trades vs custodian', version: 2, saved_by: 'alice', comment: 'composite key' },
      ]);
    } finally {
      await c.end();
    }

    const pulled = await south.sync();
    expect(pulled.pull.definitions).toBe(2);
    const latest = getDefinition(south.store, 'Trades vs custodian');
    expect(latest).toMatchObject({ version: 2, savedBy: 'alice', comment: 'composite key', definition: { ...definition, key: ['id', 'qty'] } });
    expect(latest.savedAt).toBe(getDefinition(north.store, 'Trades vs custodian').savedAt);
    // Floats arrive as the definition wrote them.
    expect(getDefinition(south.store, 'Trades vs custodian', 1).definition).toEqual(definition);
    expect((await south.sync()).pull.definitions).toBe(0);
    expect(verifyTrail(south.store)).toMatchObject({ ok: true });
  });

  it('carries a version saved on the second device back to the first; its own versions do not come back', async () => {
    saveDefinition(south.store, ADA, { ...definition, name: 'Cash', key: ['qty'] });
    saveDefinition(south.store, ADA, { ...definition, fields: [{ name: 'id' }] });
    await south.sync();
    const back = await north.sync();
    expect(back.pull.definitions).toBe(2);
    expect(listDefinitions(north.store).map((d) => [d.name, d.version, d.savedBy])).toEqual([
      ['Cash', 1, 'ada'],
      ['Trades vs custodian', 3, 'ada'],
    ]);
    expect(getDefinition(north.store, 'Trades vs custodian').definition).toEqual({ ...definition, fields: [{ name: 'id' }] });
    expect((await south.sync()).pull.definitions).toBe(0);
    expect(listDefinitions(south.store).map((d) => [d.name, d.version])).toEqual([
      ['Cash', 1],
      ['Trades vs custodian', 3],
    ]);
  });
});
