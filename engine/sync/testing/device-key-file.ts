/**
 * The device key for sync tests, as a headless workstation keeps it: a PKCS#8
 * PEM file of mode 0600 named by $RECON_DEVICE_KEY_FILE (device-key.ts). One
 * per test process, so a workspace pushed in-process and through the CLI
 * signs with the same key; tests of the keys themselves pass their own.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVICE_KEY_ENV } from '../device-key.ts';

let file: string | undefined;

/** `{ RECON_DEVICE_KEY_FILE: path }` for a push's options or a CLI's environment. */
export function testDeviceKeyEnv(): { [DEVICE_KEY_ENV]: string } {
  if (!file) {
    const dir = mkdtempSync(join(tmpdir(), 'recon-device-key-'));
    file = join(dir, 'device-ed25519.pem');
    writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return { [DEVICE_KEY_ENV]: file };
}
