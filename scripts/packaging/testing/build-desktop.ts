/** What the packaging tests share: a fresh electron-vite build of the desktop app, with the bundle probe. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');

/** A scratch folder inside the project (so bundled code resolves the project's node_modules), removed by `dispose`. */
export function scratchDir(label: string): { dir: string; dispose(): void } {
  const parent = join(ROOT, '.scratch', 'packaging');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, `${label}-`));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `electron-vite build --mode bundle-probe --outDir <outDir>` (about 3 s):
 * the release build plus the test-only out/main/bundle-probe.js. Throws with
 * electron-vite's output when the build fails.
 */
export function buildDesktop(outDir: string): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--mode', 'bundle-probe', '--outDir', outDir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`electron-vite build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** Runs the bundle probe (out/main/bundle-probe.js) in its own Node process on an empty work folder; its JSON result. */
export function runProbe(mainDir: string, workDir: string): unknown {
  const r = spawnSync(process.execPath, [join(mainDir, 'bundle-probe.js'), workDir], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`bundle probe failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}
