/**
 * The team's evidence-signing keys travel through sync (server migration 013,
 * sync/team-keys.ts): a pack signed on one workstation verifies on another
 * with `--workspace`, naming who published the key, and nobody can publish a
 * key under another login's name.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { evidenceCommand } from '../cli/commands/evidence.ts';
import { exportRun } from '../report/export.ts';
import { generatedRun, type FixtureRun } from '../report/testing/fixture.ts';
import { ALICE } from '../workflow/testing/fixtures.ts';
import { sqlState } from './errors.ts';
import { teamKeys } from './team-keys.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { createLogin, grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let run: FixtureRun;
let maker: Device;
let auditor: Device;
let packPath = '';

beforeAll(async () => {
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'] }, { ada: 'alice' });
  await createLogin(server, 'mallory');
  run = await generatedRun(300, 5);
  packPath = join(mkdtempSync(join(tmpdir(), 'recon-teamkeys-')), 'pack.json');
  await exportRun({ workspace: run.workspace, runId: run.runId, format: 'evidence', out: packPath, actor: ALICE, store: run.store });
  run.store.close();
  // The run's workspace is the maker's workstation; the auditor's is a fresh one.
  maker = openDevice(dirname(run.workspace), basename(run.workspace), server, { login: 'alice' });
  auditor = openDevice(mkdtempSync(join(tmpdir(), 'recon-teamkeys-auditor-')), 'ws', server, { login: 'bob' });
}, 180_000);

afterAll(async () => {
  await maker?.close();
  await auditor?.close();
  await server?.destroy();
});

async function verify(args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  try {
    const code = await evidenceCommand(['verify', ...args]);
    return { code, out: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('team evidence keys', () => {
  it('before any sync the auditor cannot tell who signed the pack', async () => {
    const r = await verify([packPath, '--workspace', auditor.dir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/NOT VERIFIED/);
    expect(r.out).toMatch(/signer: UNKNOWN/);
  });

  it('the maker’s workspace publishes its key; the auditor pulls it and the pack verifies, naming the publisher', async () => {
    await maker.sync();
    await auditor.sync();
    const keys = teamKeys(auditor.store);
    expect(keys).toEqual([expect.objectContaining({ publishedBy: 'alice', deviceId: maker.store.deviceId, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) as string })]);
    const r = await verify([packPath, '--workspace', auditor.dir]);
    expect(r.out).toMatch(/^VERIFIED/);
    expect(r.out).toContain('team key published by alice');
    expect(r.code).toBe(0);
    // Published once: a second cycle sends nothing new.
    await maker.sync();
    expect(teamKeys(auditor.store)).toHaveLength(1);
  });

  it('a key is published under the session’s login whatever the client claims, and only Ed25519 public keys are taken', async () => {
    const c = new pg.Client({ ...server.settings(undefined, 'mallory'), password: server.info.sync.password });
    c.on('error', () => undefined);
    await c.connect();
    try {
      const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
      await c.query(`INSERT INTO recon.evidence_keys (fingerprint, public_pem, device_id, published_by) VALUES ('x', $1, 'dev-m', 'alice')`, [pem]);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
      const refused = await c.query(`INSERT INTO recon.evidence_keys (fingerprint, public_pem, device_id) VALUES ('y', $1, 'dev-m')`, [rsa]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(sqlState(refused)).toBe('22023');
      const tamper = await c.query(`UPDATE recon.evidence_keys SET published_by = 'alice'`).then(
        () => null,
        (e: unknown) => e,
      );
      expect(sqlState(tamper)).toBe('42501'); // no UPDATE grant, and the append-only trigger behind it
    } finally {
      await c.end();
    }
    await auditor.sync();
    expect(teamKeys(auditor.store).map((k) => k.publishedBy).sort()).toEqual(['alice', 'mallory']);
  });
});
