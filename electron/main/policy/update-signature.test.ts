/**
 * The Linux update signature end to end, with real keys and files: the
 * release's signer (build/sign-linux-update.mjs) signs a dist folder as
 * electron-builder leaves it, and the app's check accepts exactly that file
 * at that version with that key, and nothing an attacker on the feed can make.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkDownloadedUpdate, checkUpdateSignature, fileSha512, SIGNATURE_FIELD } from './update-signature.ts';
import { UPDATE_SIGNING_KEYS } from './update-signing-keys.ts';

const run = promisify(execFile);
const SIGNER = join(import.meta.dirname, '../../../build/sign-linux-update.mjs');

let dir: string;
let keyFile: string;
let publicPem: string;
let otherPublicPem: string;
let appImage: string;
/** latest-linux.yml after signing, parsed as electron-updater parses it. */
let info: { version: string; files: Record<string, unknown>[] };

const pair = () => generateKeyPairSync('ed25519');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-update-sig-'));
  const release = pair();
  keyFile = join(dir, 'release-key.pem');
  await writeFile(keyFile, release.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  publicPem = release.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  otherPublicPem = pair().publicKey.export({ type: 'spki', format: 'pem' }).toString();
  // A dist folder as `electron-builder --linux` leaves it: the files and latest-linux.yml with their SHA-512.
  const dist = join(dir, 'dist');
  await mkdir(dist);
  appImage = join(dist, 'Recon-Workstation-1.4.0.AppImage');
  const deb = join(dist, 'recon-workstation_1.4.0_amd64.deb');
  await writeFile(appImage, Buffer.alloc(3 * 1024 * 1024 + 17, 7));
  await writeFile(deb, 'a deb');
  const yml = {
    version: '1.4.0',
    files: [
      { url: 'Recon-Workstation-1.4.0.AppImage', sha512: await fileSha512(appImage), size: 3 * 1024 * 1024 + 17 },
      { url: 'recon-workstation_1.4.0_amd64.deb', sha512: await fileSha512(deb), size: 5 },
    ],
    path: 'Recon-Workstation-1.4.0.AppImage',
    sha512: await fileSha512(appImage),
    releaseDate: '2026-12-01T00:00:00.000Z',
  };
  await writeFile(join(dist, 'latest-linux.yml'), stringify(yml));
  const signed = await run(process.execPath, [SIGNER, dist], { env: { ...process.env, RECON_UPDATE_SIGNING_KEY_FILE: keyFile } });
  expect(signed.stdout).toContain('signed Recon-Workstation-1.4.0.AppImage');
  expect(signed.stdout).toContain(publicPem.trim());
  info = parse(await readFile(join(dist, 'latest-linux.yml'), 'utf8')) as typeof info;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a signed Linux release', () => {
  it('verifies: the downloaded file, its version, the release key', async () => {
    expect(info.files.every((f) => typeof f[SIGNATURE_FIELD] === 'string')).toBe(true);
    expect(await checkDownloadedUpdate({ ...info, downloadedFile: appImage }, [publicPem])).toEqual({ ok: true });
    // During a key rotation the app carries both keys.
    expect(await checkDownloadedUpdate({ ...info, downloadedFile: appImage }, [otherPublicPem, publicPem])).toEqual({ ok: true });
  });

  it('refuses a file changed on the feed, even with its SHA-512 changed to match', async () => {
    const tampered = join(dir, 'tampered.AppImage');
    const bytes = await readFile(appImage);
    bytes.writeUInt8(bytes.readUInt8(1000) ^ 1, 1000);
    await writeFile(tampered, bytes);
    const sha = await fileSha512(tampered);
    expect(checkUpdateSignature(info, sha, [publicPem])).toMatchObject({ ok: false, reason: expect.stringMatching(/not one the update feed lists/) });
    const forged = { ...info, files: info.files.map((f, i) => (i === 0 ? { ...f, sha512: sha } : f)) };
    expect(checkUpdateSignature(forged, sha, [publicPem])).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
  });

  it('refuses the signed file offered as another version', async () => {
    const sha = await fileSha512(appImage);
    expect(checkUpdateSignature({ ...info, version: '9.9.9' }, sha, [publicPem])).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
  });

  it('refuses another key, no key, an unsigned entry and a malformed signature, without throwing', async () => {
    const sha = await fileSha512(appImage);
    expect(checkUpdateSignature(info, sha, [otherPublicPem])).toMatchObject({ ok: false });
    expect(checkUpdateSignature(info, sha, [])).toMatchObject({ ok: false, reason: expect.stringMatching(/no update signing key/) });
    expect(checkUpdateSignature(info, sha, ['not a key'])).toMatchObject({ ok: false, reason: expect.stringMatching(/no update signing key/) });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(checkUpdateSignature(info, sha, [rsa])).toMatchObject({ ok: false, reason: expect.stringMatching(/no update signing key/) });
    const strip = (value: unknown) => ({ ...info, files: info.files.map((f) => ({ ...f, [SIGNATURE_FIELD]: value })) });
    for (const bad of [undefined, '', 'abc', 42, 'A'.repeat(86) + '==']) {
      expect(checkUpdateSignature(strip(bad), sha, [publicPem]), String(bad)).toMatchObject({ ok: false });
    }
    expect(await checkDownloadedUpdate({ ...info, downloadedFile: join(dir, 'missing.AppImage') }, [publicPem])).toMatchObject({ ok: false, reason: expect.stringMatching(/could not read/) });
  });

  it('the signer refuses a file whose SHA-512 differs from the yml (a rebuilt file) and a non-Ed25519 key', async () => {
    const dist = join(dir, 'dist');
    await writeFile(appImage, 'rebuilt');
    await expect(run(process.execPath, [SIGNER, dist], { env: { ...process.env, RECON_UPDATE_SIGNING_KEY_FILE: keyFile } })).rejects.toMatchObject({ stderr: expect.stringMatching(/differs/) });
    const rsaKey = join(dir, 'rsa.pem');
    await writeFile(rsaKey, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(run(process.execPath, [SIGNER, dist], { env: { ...process.env, RECON_UPDATE_SIGNING_KEY_FILE: rsaKey } })).rejects.toMatchObject({ stderr: expect.stringMatching(/not Ed25519/) });
  });
});

describe('the keys built into the app', () => {
  it('are Ed25519 public keys in PEM (none yet: Linux builds then do not update themselves)', () => {
    for (const pem of UPDATE_SIGNING_KEYS) expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/);
  });
});
