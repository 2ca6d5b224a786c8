import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The workspace's evidence-signing key: Ed25519, made on first use in
 * `<workspace>/keys/` (folder 0700, private key 0600). The private key never
 * leaves the folder; the public key travels inside every evidence pack, and
 * its fingerprint can be published so auditors know which key to trust.
 */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM of the public key. */
  publicPem: string;
  /** SHA-256 of the public key's DER (SPKI), hex. */
  fingerprint: string;
  created: boolean;
}

const PRIVATE_FILE = 'evidence-ed25519.key';
const PUBLIC_FILE = 'evidence-ed25519.pub';

/** SHA-256 (hex) of a public key's SPKI DER: the key's fingerprint. */
export function fingerprintOf(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** Loads the workspace key, creating it the first time. */
export async function workspaceSigningKey(workspace: string): Promise<SigningKey> {
  const dir = join(workspace, 'keys');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const privPath = join(dir, PRIVATE_FILE);
  let created = false;
  let pem: string;
  try {
    pem = await readFile(privPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const pair = generateKeyPairSync('ed25519');
    pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    try {
      // wx: two processes creating the key at once must not overwrite each other's.
      await writeFile(privPath, pem, { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      pem = await readFile(privPath, 'utf8');
    }
  }
  // The umask may have widened the mode; a private key is for the owner only.
  chmodSync(privPath, 0o600);
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  if (created) await writeFile(join(dir, PUBLIC_FILE), publicPem, { mode: 0o644 });
  return { privateKey, publicKey, publicPem, fingerprint: fingerprintOf(publicKey), created };
}

/** The organisation's pinned public keys (PEM, one or more), in a workspace's keys folder. */
export const TRUSTED_KEYS_FILE = 'trusted-keys.pem';

/**
 * The keys a workspace trusts for evidence packs: its own signing key (when it
 * has made one) and the team's keys pinned in `keys/trusted-keys.pem`. Reading
 * them never makes a key.
 */
export async function workspaceTrustedKeys(workspace: string): Promise<{ pem: string; source: string }[]> {
  const keys: { pem: string; source: string }[] = [];
  for (const file of [PUBLIC_FILE, TRUSTED_KEYS_FILE]) {
    const path = join(workspace, 'keys', file);
    try {
      keys.push({ pem: await readFile(path, 'utf8'), source: path });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return keys;
}
