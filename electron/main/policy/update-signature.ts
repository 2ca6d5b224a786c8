/**
 * Linux updates are installed only with the release's Ed25519 signature. On
 * Windows and macOS an update must carry the installed app's code signature
 * (electron-updater's NSIS publisher check, Squirrel.Mac); an AppImage or a
 * .deb carries none, and the sha512 electron-updater checks comes from the
 * same feed as the file, so whoever can change the feed could ship anything.
 * The release signs, for each Linux file in latest-linux.yml, the statement
 * below (version and SHA-512 of the file) with a key kept off the build
 * machines, and adds the signature to the file's entry as `reconSignature`;
 * the app checks it against the public keys built into it
 * (update-signing-keys.ts) before it lets the update install. How the release
 * is signed: docs/DESKTOP-SECURITY.md; the signer: build/sign-linux-update.mjs.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The key of a file entry in latest-linux.yml that holds its signature (base64). */
export const SIGNATURE_FIELD = 'reconSignature';

/**
 * What the release signs for one update file: the version (so a signed old
 * file cannot be offered as a new version) and the file's SHA-512 in base64,
 * as electron-builder writes it in latest-linux.yml. build/sign-linux-update.mjs
 * writes the same text; the tests sign with it and verify with this.
 */
export function updateStatement(version: string, sha512: string): string {
  return `recon-workstation update\nversion ${version}\nsha512 ${sha512}\n`;
}

/** SHA-512 of a file in base64, read as a stream (an AppImage is a few hundred MB). */
export async function fileSha512(path: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

/** What update-downloaded hands over: the update's info as the feed wrote it, and where the file was saved. */
export interface DownloadedUpdate {
  version: string;
  files: readonly unknown[];
  downloadedFile: string;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Whether `sha512` (of the downloaded file) is a file the feed lists for `version`, signed by one of `publicKeys` (SPKI PEM). */
export function checkUpdateSignature(update: Omit<DownloadedUpdate, 'downloadedFile'>, sha512: string, publicKeys: readonly string[]): SignatureCheck {
  const keys = publicKeys.map(ed25519Key).filter((k): k is KeyObject => k !== null);
  if (keys.length === 0) return { ok: false, reason: 'this build has no update signing key' };
  const entry = update.files.find((f): f is Record<string, unknown> => typeof f === 'object' && f !== null && (f as Record<string, unknown>)['sha512'] === sha512);
  if (entry === undefined) return { ok: false, reason: 'the downloaded file is not one the update feed lists' };
  const signature = entry[SIGNATURE_FIELD];
  if (typeof signature !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(signature)) return { ok: false, reason: `the file's entry has no ${SIGNATURE_FIELD} (an unsigned release)` };
  const message = Buffer.from(updateStatement(update.version, sha512), 'utf8');
  const sig = Buffer.from(signature, 'base64');
  if (keys.some((key) => verify(null, message, key, sig))) return { ok: true };
  return { ok: false, reason: `the signature of version ${update.version} does not verify with this build's update signing key` };
}

/** Hashes the downloaded file and checks it (checkUpdateSignature); never throws. */
export async function checkDownloadedUpdate(update: DownloadedUpdate, publicKeys: readonly string[]): Promise<SignatureCheck> {
  try {
    return checkUpdateSignature(update, await fileSha512(update.downloadedFile), publicKeys);
  } catch (err) {
    return { ok: false, reason: `could not read the downloaded file: ${(err as Error).message}` };
  }
}

/** An Ed25519 public key from its PEM; null for anything else (an RSA key would verify something else entirely). */
function ed25519Key(pem: string): KeyObject | null {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}
