/**
 * Each device's Ed25519 signing key (events are signed: event-signatures.ts).
 * The private key lives in the OS keychain, like the team password (service
 * KEYCHAIN_SERVICE, account `device-key:<deviceId>`), made on first need. For
 * scripted runs without a keychain, $RECON_DEVICE_KEY_FILE names a PKCS#8 PEM
 * file readable by its owner only. The key is never written anywhere else: a
 * workstation without either cannot push (it could not sign).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { rawPublicKey } from '../store/event-signature.ts';
import { osKeychain, type Keychain } from './credentials.ts';
import { SyncError } from './errors.ts';

/** The environment variable naming a key file for headless runs (like $PGPASSWORD for the password). */
export const DEVICE_KEY_ENV = 'RECON_DEVICE_KEY_FILE';

/** A device's signing key and its raw public key (base64), as the server registers it. */
export interface DeviceSigner {
  privateKey: KeyObject;
  publicKey: string;
  source: 'keychain' | 'file';
}

/** Where the key is looked up (defaults: process.env, the OS keychain). */
export interface DeviceKeyOptions {
  env?: NodeJS.ProcessEnv;
  keychain?: Keychain;
}

/** The keychain account of a device's key. */
export function deviceKeyAccount(deviceId: string): string {
  return `device-key:${deviceId}`;
}

/** This device's signing key: $RECON_DEVICE_KEY_FILE first, else the keychain (created there on first need). */
export function deviceSigner(deviceId: string, opts: DeviceKeyOptions = {}): DeviceSigner {
  const file = (opts.env ?? process.env)[DEVICE_KEY_ENV];
  if (file) return { ...fromPem(readKeyFile(file), file), source: 'file' };
  const keychain = opts.keychain ?? osKeychain();
  const account = deviceKeyAccount(deviceId);
  let pem = keychainCall(() => keychain.get(account));
  if (!pem) {
    const made = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    keychainCall(() => keychain.set(account, made));
    // Read back: what the keychain holds is what every later push signs with.
    pem = keychainCall(() => keychain.get(account));
    if (pem !== made) throw new SyncError('SYNC_DEVICE_KEY', `the OS keychain did not keep the new device key (${account}); nothing was signed`);
  }
  return { ...fromPem(pem, `the keychain entry ${account}`), source: 'keychain' };
}

function keychainCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new SyncError('SYNC_KEYCHAIN_UNAVAILABLE', `events are signed with a device key kept in the OS keychain, and none is available (${why}); for scripted runs set ${DEVICE_KEY_ENV} to a PKCS#8 PEM key file of mode 0600`, {
      cause: err,
    });
  }
}

// A key file readable by others is a key others may have: refused, never "fixed" silently.
function readKeyFile(file: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw new SyncError('SYNC_DEVICE_KEY', `${DEVICE_KEY_ENV} names ${file}, which cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new SyncError('SYNC_DEVICE_KEY', `${DEVICE_KEY_ENV} names ${file}, which is mode ${(mode & 0o777).toString(8)}: a device key must be readable by its owner only (chmod 600 ${file})`);
  }
  return readFileSync(file, 'utf8');
}

function fromPem(pem: string, where: string): { privateKey: KeyObject; publicKey: string } {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new SyncError('SYNC_DEVICE_KEY', `${where} is not a PKCS#8 PEM private key: ${(err as Error).message}`, { cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new SyncError('SYNC_DEVICE_KEY', `${where} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; device keys are Ed25519`);
  return { privateKey, publicKey: rawPublicKey(createPublicKey(privateKey)) };
}
