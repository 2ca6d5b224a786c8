import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicKeyFromRaw, signEvent, verifyEventSignature } from '../store/event-signature.ts';
import { tempDir } from '../workflow/testing/fixtures.ts';
import type { Keychain } from './credentials.ts';
import { DEVICE_KEY_ENV, deviceKeyAccount, deviceSigner } from './device-key.ts';

const pem = (): string => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

describe('device key', () => {
  it('is made in the keychain on first need and reused after', () => {
    const entries = new Map<string, string>();
    const keychain: Keychain = { set: (a, p) => void entries.set(a, p), get: (a) => entries.get(a) ?? null, delete: (a) => entries.delete(a) };
    const first = deviceSigner('dev-1', { env: {}, keychain });
    expect([...entries.keys()]).toEqual([deviceKeyAccount('dev-1')]);
    const again = deviceSigner('dev-1', { env: {}, keychain });
    expect(again.publicKey).toBe(first.publicKey);
    const sig = signEvent(again.privateKey, 'dev-1', 7, 'a'.repeat(64));
    expect(verifyEventSignature(publicKeyFromRaw(first.publicKey)!, 'dev-1', 7, 'a'.repeat(64), sig)).toBe(true);
    // Domain-separated: the same signature means nothing for another device, seq or hash.
    expect(verifyEventSignature(publicKeyFromRaw(first.publicKey)!, 'dev-2', 7, 'a'.repeat(64), sig)).toBe(false);
    expect(verifyEventSignature(publicKeyFromRaw(first.publicKey)!, 'dev-1', 8, 'a'.repeat(64), sig)).toBe(false);
  });

  it('without a keychain fails clearly and names the key file variable', () => {
    const broken: Keychain = {
      set: () => {
        throw new Error('no Secret Service');
      },
      get: () => {
        throw new Error('no Secret Service');
      },
      delete: () => false,
    };
    expect(() => deviceSigner('dev-1', { env: {}, keychain: broken })).toThrow(expect.objectContaining({ code: 'SYNC_KEYCHAIN_UNAVAILABLE', message: expect.stringContaining(DEVICE_KEY_ENV) }));
  });

  it('reads a key file of mode 0600 and refuses one others can read', () => {
    const tmp = tempDir('recon-device-key-');
    try {
      const file = join(tmp.dir, 'device.pem');
      writeFileSync(file, pem(), { mode: 0o600 });
      expect(deviceSigner('dev-1', { env: { [DEVICE_KEY_ENV]: file } }).source).toBe('file');
      chmodSync(file, 0o644);
      expect(() => deviceSigner('dev-1', { env: { [DEVICE_KEY_ENV]: file } })).toThrow(expect.objectContaining({ code: 'SYNC_DEVICE_KEY', message: expect.stringMatching(/mode 644.*chmod 600/) }));
      const rsa = join(tmp.dir, 'rsa.pem');
      writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      expect(() => deviceSigner('dev-1', { env: { [DEVICE_KEY_ENV]: rsa } })).toThrow(/device keys are Ed25519/);
    } finally {
      tmp.cleanup();
    }
  });
});
