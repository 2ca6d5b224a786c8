import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, statSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../store/audit-verify.ts';
import { ALICE } from '../workflow/testing/fixtures.ts';
import { exportRun } from './export.ts';
import { verifyEvidencePack } from './evidence-verify.ts';
import { fingerprintOf, workspaceSigningKey, workspaceTrustedKeys } from './keys.ts';
import { canonicalJson, type JsonValue } from '../store/canonical-json.ts';
import { generatedRun, type FixtureRun } from './testing/fixture.ts';

/**
 * The evidence pack: signed with the workspace key (made once, 0600), holding
 * the input hashes, definition, model, counts, checks and audit chain head;
 * verifiable from the file alone, and any edit or a different input shows.
 */

let run: FixtureRun;
let packPath: string;
let pack: Record<string, unknown>;

beforeAll(async () => {
  run = await generatedRun(800, 21);
  const headBefore = verifyChain(run.store).devices[0]!;
  packPath = join(mkdtempSync(join(tmpdir(), 'recon-evidence-')), 'pack.json');
  await exportRun({ workspace: run.workspace, runId: run.runId, format: 'evidence', out: packPath, actor: ALICE, store: run.store });
  pack = JSON.parse(readFileSync(packPath, 'utf8')) as Record<string, unknown>;
  expect(pack['auditChainHead']).toMatchObject({ verified: true, devices: [{ deviceId: headBefore.deviceId, seq: headBefore.headSeq, hash: headBefore.headHash }] });
});
afterAll(() => run.store.close());

describe('evidence pack', () => {
  it('holds what an auditor needs, computed from the run', () => {
    expect(pack).toMatchObject({
      format: 'recon-evidence/1',
      createdBy: 'alice',
      run: { runId: run.runId },
      inputs: { a: { sha256: run.summary.inputs.a.sha256 }, b: { sha256: run.summary.inputs.b.sha256 } },
      model: { version: run.summary.attribution.modelVersion },
      counts: run.summary.counts,
      checksPassed: run.summary.checksPassed,
    });
    expect((pack['breaks'] as { total: number }).total).toBe(run.summary.breaks.total);
    expect((pack['checks'] as unknown[]).length).toBe(run.summary.checks.length);
    expect(pack['definitionSha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(String(pack['summaryText'])).toContain(`Run ${run.runId}`);
  });

  it('verifies with the file, the key the auditor trusts and the input files', async () => {
    const trusted = join(run.workspace, 'keys', 'evidence-ed25519.pub');
    const r = await verifyEvidencePack(packPath, { aPath: run.aPath, bPath: run.bPath, trustedKeyPath: trusted });
    expect(r).toMatchObject({ ok: true, signatureValid: true, trustedKey: true, signer: trusted, runId: run.runId, problems: [] });
    expect(r.inputs.a?.ok && r.inputs.b?.ok).toBe(true);
    // Without a trusted key the signature is valid but its signer unknown: not verified.
    expect(await verifyEvidencePack(packPath)).toMatchObject({ ok: false, signatureValid: true, trustedKey: false, signer: null, problems: [expect.stringMatching(/^signature valid, signer unknown/)] });
  });

  it("a pack edited and re-signed with an attacker's key inside it is not verified: signature valid, signer unknown", async () => {
    const attacker = generateKeyPairSync('ed25519');
    const { signature: _sig, ...body } = pack;
    void _sig;
    const forgedBody = { ...body, counts: { ...(pack['counts'] as object), missingInB: 0 } };
    const publicKey = attacker.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const forged = {
      ...forgedBody,
      signature: {
        algorithm: 'Ed25519',
        publicKey,
        keyFingerprint: fingerprintOf(attacker.publicKey),
        value: sign(null, Buffer.from(canonicalJson(forgedBody as JsonValue), 'utf8'), attacker.privateKey).toString('base64'),
      },
    };
    const forgedPath = join(run.workspace, 'forged.json');
    writeFileSync(forgedPath, JSON.stringify(forged));
    const alone = await verifyEvidencePack(forgedPath);
    expect(alone).toMatchObject({ ok: false, signatureValid: true, trustedKey: false, signer: null });
    expect(alone.problems).toEqual([expect.stringMatching(/^signature valid, signer unknown/)]);
    const team = await verifyEvidencePack(forgedPath, { trustedKeys: await workspaceTrustedKeys(run.workspace) });
    expect(team).toMatchObject({ ok: false, signatureValid: true, trustedKey: false, trustedKeys: 1 });
  });

  it("trusts the organisation's pinned keys (a PEM bundle in keys/trusted-keys.pem) and the workspace's own", async () => {
    const team = mkdtempSync(join(tmpdir(), 'recon-team-'));
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const own = readFileSync(join(run.workspace, 'keys', 'evidence-ed25519.pub'), 'utf8');
    mkdirSync(join(team, 'keys'));
    writeFileSync(join(team, 'keys', 'trusted-keys.pem'), `${other}${own}`);
    const r = await verifyEvidencePack(packPath, { trustedKeys: await workspaceTrustedKeys(team) });
    expect(r).toMatchObject({ ok: true, trustedKey: true, trustedKeys: 2, signer: join(team, 'keys', 'trusted-keys.pem') });
    writeFileSync(join(team, 'keys', 'trusted-keys.pem'), 'not a key');
    await expect(verifyEvidencePack(packPath, { trustedKeys: await workspaceTrustedKeys(team) })).rejects.toMatchObject({ code: 'INPUT_PARSE_ERROR' });
  });

  it('shows any edit, a different input file and an untrusted key', async () => {
    const edited = join(run.workspace, 'edited.json');
    writeFileSync(edited, JSON.stringify({ ...pack, counts: { ...(pack['counts'] as object), missingInB: 0 } }));
    const r1 = await verifyEvidencePack(edited);
    expect(r1.ok).toBe(false);
    expect(r1.signatureValid).toBe(false);
    const r2 = await verifyEvidencePack(packPath, { aPath: run.bPath });
    expect(r2.ok).toBe(false);
    expect(r2.problems).toContainEqual(expect.stringMatching(/source A .*SHA-256/));
    const other = mkdtempSync(join(tmpdir(), 'recon-otherkey-'));
    await workspaceSigningKey(other);
    const r3 = await verifyEvidencePack(packPath, { trustedKeyPath: join(other, 'keys', 'evidence-ed25519.pub') });
    expect([r3.ok, r3.trustedKey]).toEqual([false, false]);
    const r4 = await verifyEvidencePack(packPath, { trustedKeyPath: join(run.workspace, 'keys', 'evidence-ed25519.pub') });
    expect([r4.ok, r4.trustedKey]).toEqual([true, true]);
  });

  it('keeps one private key per workspace, readable by the owner only', async () => {
    const key = await workspaceSigningKey(run.workspace);
    expect(key.created).toBe(false);
    expect(key.fingerprint).toBe((pack['signature'] as { keyFingerprint: string }).keyFingerprint);
    if (process.platform !== 'win32') {
      expect(statSync(join(run.workspace, 'keys', 'evidence-ed25519.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(run.workspace, 'keys')).mode & 0o777).toBe(0o700);
    }
  });

  it('rejects a file that is not a pack', async () => {
    const junk = join(run.workspace, 'junk.json');
    writeFileSync(junk, '{"format":"other"}');
    await expect(verifyEvidencePack(junk)).rejects.toMatchObject({ code: 'INPUT_PARSE_ERROR' });
    await expect(verifyEvidencePack(join(run.workspace, 'missing.json'))).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
  });
});
