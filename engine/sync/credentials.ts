/**
 * The team server password lives only in the OS keychain (macOS Keychain,
 * Windows Credential Manager, the Secret Service on Linux) through
 * @napi-rs/keyring, or in $PGPASSWORD for scripted runs, as with libpq. When
 * no keychain is available, storing fails with a clear message: there is no
 * fallback file, ever.
 */
import type { Entry as EntryType } from '@napi-rs/keyring';
import { createRequire } from 'node:module';
import type { ConnectionSettings } from './connection.ts';
import { describeServer } from './connection.ts';
import { SyncError } from './errors.ts';

/** The keychain service name all workspaces share (one entry per server login). */
export const KEYCHAIN_SERVICE = 'recon-workstation.team-sync';

/** What the sync code needs from a keychain (tests may pass their own). */
export interface Keychain {
  set(account: string, password: string): void;
  get(account: string): string | null;
  delete(account: string): boolean;
}

const NO_KEYCHAIN =
  'no OS keychain is available, so the password was not stored (and is never written to disk). ' +
  'On Linux a Secret Service must be running and unlocked (GNOME Keyring or KeePassXC, in a desktop session); ' +
  'for scripted runs set PGPASSWORD instead.';

// Loaded on first use: a platform without the native binary just has no keychain.
let keyringModule: { Entry: typeof EntryType } | undefined;
const loadKeyring = (): { Entry: typeof EntryType } => (keyringModule ??= createRequire(import.meta.url)('@napi-rs/keyring') as { Entry: typeof EntryType });

/** The OS keychain. On Linux it is pinned to the Secret Service, so it never silently uses another store. */
export function osKeychain(): Keychain {
  const entry = (account: string): EntryType => {
    try {
      const { Entry } = loadKeyring();
      return process.platform === 'linux' ? new Entry(KEYCHAIN_SERVICE, account, { linux: { store: 'secret-service' } }) : new Entry(KEYCHAIN_SERVICE, account);
    } catch (err) {
      throw unavailable(err);
    }
  };
  const call = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw unavailable(err);
    }
  };
  return {
    set: (account, password) => call(() => entry(account).setPassword(password)),
    get: (account) => call(() => entry(account).getPassword()),
    delete: (account) => call(() => entry(account).deletePassword()),
  };
}

function unavailable(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new SyncError('SYNC_KEYCHAIN_UNAVAILABLE', `${NO_KEYCHAIN} (keychain: ${why})`, { cause: err });
}

/** The keychain account for a connection: one password per server login. */
export function keychainAccount(s: ConnectionSettings): string {
  return describeServer(s);
}

/** `recon sync login`: stores the password in the keychain (throws SYNC_KEYCHAIN_UNAVAILABLE when there is none). */
export function storePassword(s: ConnectionSettings, password: string, keychain: Keychain = osKeychain()): void {
  if (!password) throw new SyncError('SYNC_NO_PASSWORD', 'an empty password was given; nothing stored');
  keychain.set(keychainAccount(s), password);
}

/** `recon sync logout`: removes the stored password; false when there was none. */
export function forgetPassword(s: ConnectionSettings, keychain: Keychain = osKeychain()): boolean {
  return keychain.delete(keychainAccount(s));
}

/** Where a password came from. */
export type PasswordSource = 'PGPASSWORD' | 'keychain' | 'none';

/**
 * The password to connect with: $PGPASSWORD first (scripted runs), else the
 * keychain. A missing keychain is not an error here: the server may not need
 * a password (e.g. certificate or peer auth), and it will say so if it does.
 */
export function resolvePassword(s: ConnectionSettings, env: NodeJS.ProcessEnv = process.env, keychain: Keychain = osKeychain()): { password: string | undefined; source: PasswordSource; keychainError?: string } {
  const fromEnv = env['PGPASSWORD'];
  if (fromEnv) return { password: fromEnv, source: 'PGPASSWORD' };
  try {
    const stored = keychain.get(keychainAccount(s));
    return stored ? { password: stored, source: 'keychain' } : { password: undefined, source: 'none' };
  } catch (err) {
    return { password: undefined, source: 'none', keychainError: (err as Error).message };
  }
}

/** For the settings screen: is a keychain there, and does it hold this login's password? */
export interface KeychainStatus {
  available: boolean;
  hasPassword: boolean;
  message: string;
}

/** Probes the keychain without changing it. */
export function keychainStatus(s: ConnectionSettings | null, keychain: Keychain = osKeychain()): KeychainStatus {
  try {
    // Without a connection, a read of an account nobody uses still tells whether a keychain answers.
    const has = keychain.get(s ? keychainAccount(s) : 'recon-probe@unconfigured') !== null && s !== null;
    return { available: true, hasPassword: has, message: has ? 'password stored in the OS keychain' : s ? 'no password stored yet (recon sync login)' : 'the OS keychain is available' };
  } catch (err) {
    return { available: false, hasPassword: false, message: (err as Error).message };
  }
}
