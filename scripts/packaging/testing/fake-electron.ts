/**
 * A stand-in for the Electron binary, which cannot be downloaded here: a file
 * carrying Electron's fuse sentinel and a fuse wire in Electron's default
 * state, so electron-builder can pack a real `dir` app and flip its fuses.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** @electron/fuses finds the wire right after this marker. */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's defaults, by FuseV1Options index: RunAsNode on, cookies unencrypted, NODE_OPTIONS and --inspect on, no asar checks, file:// privileged. */
const DEFAULT_WIRE = '10110001';

/** An unpacked Linux Electron distribution (electron-builder's `electronDist`) in `dir`. */
export function fakeElectronDist(dir: string): string {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const binary = Buffer.concat([Buffer.from('fake electron for packaging tests\n'), Buffer.from(SENTINEL), Buffer.from([1, DEFAULT_WIRE.length]), Buffer.from(DEFAULT_WIRE)]);
  writeFileSync(join(dir, 'electron'), binary, { mode: 0o755 });
  return dir;
}
