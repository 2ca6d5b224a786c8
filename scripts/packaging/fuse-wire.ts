/** The fuses actually flipped in a packaged Electron binary, against electron-builder.yml's electronFuses. */
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { REQUIRED_FUSES } from './builder-config.ts';

/** 'runAsNode' (electron-builder's key) → FuseV1Options.RunAsNode (the wire index). */
export function fuseIndex(name: string): number {
  const index = (FuseV1Options as unknown as Record<string, number>)[name.charAt(0).toUpperCase() + name.slice(1)];
  if (index === undefined) throw new Error(`@electron/fuses knows no fuse ${name}`);
  return index;
}

/** A fuse's byte on the wire: '1' enabled, '0' disabled ('r' removed); @electron/fuses does not export its enum. */
export const FUSE_ENABLED = 0x31;
export const FUSE_DISABLED = 0x30;

/** Fuse states by wire index (getCurrentFuseWire's shape without its version key). */
export type FuseWire = Record<number, number>;

/** Reads the fuse wire of an Electron binary (Linux/Windows executable, or a macOS .app). */
export async function readFuseWire(binary: string): Promise<FuseWire> {
  const wire: FuseWire = {};
  for (const [key, state] of Object.entries(await getCurrentFuseWire(binary))) if (key !== 'version') wire[Number(key)] = Number(state);
  return wire;
}

/** Every required fuse is in the wanted state in the binary. */
export function checkFuseWire(wire: FuseWire, required: Record<string, boolean> = REQUIRED_FUSES): string[] {
  return Object.entries(required).flatMap(([name, want]) => {
    const state = wire[fuseIndex(name)];
    const expected = want ? FUSE_ENABLED : FUSE_DISABLED;
    return state === expected ? [] : [`fuse ${name} is ${state === undefined ? 'absent' : String.fromCharCode(state)} in the binary; expected ${want ? 'enabled' : 'disabled'}`];
  });
}
