#!/usr/bin/env node
/**
 * Signs a Linux release for the app's update check (electron/main/policy/update-signature.ts):
 * for each file listed in <dist>/latest-linux.yml, checks the file's SHA-512
 * against the entry, signs the statement "recon-workstation update / version
 * <v> / sha512 <base64>" with the release's Ed25519 private key and writes the
 * signature into the entry as `reconSignature`. Run after
 * `npm run dist:linux`, before the files are uploaded to the update feed:
 *
 *   RECON_UPDATE_SIGNING_KEY_FILE=/secure/recon-update-ed25519.pem node build/sign-linux-update.mjs dist
 *
 * The key file is PKCS#8 PEM (openssl genpkey -algorithm ed25519). It never
 * lives in the repository or on a CI runner's disk beyond this step. Prints
 * the public key, to compare with electron/main/policy/update-signing-keys.ts.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Buffer } from 'node:buffer';
import { basename, join, resolve } from 'node:path';
import process from 'node:process';
import { parseDocument } from 'yaml';

/** The same text as updateStatement() in electron/main/policy/update-signature.ts (a test signs with this and verifies with that). */
const statement = (version, sha512) => `recon-workstation update\nversion ${version}\nsha512 ${sha512}\n`;

async function sha512Of(path) {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('base64');
}

async function main() {
  const dist = resolve(process.argv[2] ?? 'dist');
  const keyFile = process.env.RECON_UPDATE_SIGNING_KEY_FILE;
  if (!keyFile) throw new Error('set RECON_UPDATE_SIGNING_KEY_FILE to the release Ed25519 private key (PKCS#8 PEM)');
  const privateKey = createPrivateKey(await readFile(keyFile));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${keyFile} is a ${privateKey.asymmetricKeyType} key, not Ed25519`);
  const publicKey = createPublicKey(privateKey);

  const ymlPath = join(dist, 'latest-linux.yml');
  const doc = parseDocument(await readFile(ymlPath, 'utf8'));
  const version = doc.get('version');
  const files = doc.get('files');
  if (typeof version !== 'string' || !files || files.items.length === 0) throw new Error(`${ymlPath} has no version or no files`);
  for (const entry of files.items) {
    const url = entry.get('url');
    // The feed's files sit beside the yml; a name with a folder in it is not one electron-builder wrote.
    if (typeof url !== 'string' || basename(url) !== url) throw new Error(`${ymlPath}: unexpected file url ${JSON.stringify(url)}`);
    const sha512 = await sha512Of(join(dist, url));
    if (sha512 !== entry.get('sha512')) throw new Error(`${url}: its SHA-512 differs from latest-linux.yml's: rebuild, do not sign`);
    const message = Buffer.from(statement(version, sha512), 'utf8');
    const signature = sign(null, message, privateKey);
    if (!verify(null, message, publicKey, signature)) throw new Error(`${url}: the signature does not verify`);
    entry.set('reconSignature', signature.toString('base64'));
    process.stdout.write(`signed ${url} (version ${version})\n`);
  }
  await writeFile(ymlPath, doc.toString());
  process.stdout.write(`public key (must be in electron/main/policy/update-signing-keys.ts):\n${publicKey.export({ type: 'spki', format: 'pem' })}`);
}

main().catch((err) => {
  process.stderr.write(`sign-linux-update: ${err.message}\n`);
  process.exit(1);
});
