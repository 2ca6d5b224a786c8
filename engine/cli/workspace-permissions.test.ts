import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../package-root.ts';
import { openStore } from '../store/open.ts';

/**
 * A workspace holds a firm's positions and its audit trail: whatever umask the
 * process runs with (022 is the usual default, leaving files readable to every
 * account on the machine), the workspace folder and what `recon` creates in it
 * are the owner's only: folders 0700, files 0600. A workspace made before this
 * is tightened when it is opened.
 */
const RECON = join(packageRoot(), 'bin', 'recon.mjs');

let dir: string;
let ws: string;
let runId: string;

/** Runs `recon ARGS` under umask 022, as a shell started from a default login would. */
function recon(...args: string[]): string {
  const r = spawnSync('sh', ['-c', 'umask 022 && exec "$0" "$@"', process.execPath, RECON, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RECON_USER: 'tester' },
  });
  if (r.status !== 0) throw new Error(`recon ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-perms-'));
  ws = join(dir, 'ws');
  recon('generate', '--rows', '200', '--out', join(dir, 'gen'), '--seed', '7');
  const gen = join(dir, 'gen');
  const summary = JSON.parse(
    recon('run', '--a', join(gen, 'a.csv'), '--b', join(gen, 'b.csv'), '--definition', join(gen, 'definition.json'), '--workspace', ws, '--json'),
  ) as { runId: string };
  runId = summary.runId;
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('workspace files are private to their owner (umask 022)', () => {
  it('the workspace folder, the store and its WAL files are 0700 / 0600', () => {
    expect(mode(ws)).toBe('0700');
    expect(mode(join(ws, 'workspace.sqlite'))).toBe('0600');
    for (const suffix of ['-wal', '-shm']) {
      const p = join(ws, `workspace.sqlite${suffix}`);
      if (existsSync(p)) expect(mode(p), p).toBe('0600');
    }
  });

  it('runs/ and its run files, and the scratch folder, are 0700 / 0600', () => {
    expect(mode(join(ws, 'runs'))).toBe('0700');
    expect(readdirSync(join(ws, 'runs')).sort()).toEqual([`${runId}.duckdb`, `${runId}.json`]);
    expect(mode(join(ws, 'runs', `${runId}.duckdb`))).toBe('0600');
    expect(mode(join(ws, 'runs', `${runId}.json`))).toBe('0600');
    expect(mode(join(ws, 'tmp'))).toBe('0700');
  });

  it('an export written into the workspace is 0600 in a 0700 folder; one written elsewhere is left to the umask', () => {
    recon('export', runId, '--format', 'csv', '--out', join(ws, 'exports', `${runId}.csv`), '--workspace', ws);
    expect(mode(join(ws, 'exports'))).toBe('0700');
    expect(mode(join(ws, 'exports', `${runId}.csv`))).toBe('0600');
    recon('export', runId, '--format', 'summary', '--out', join(dir, 'shared', `${runId}.txt`), '--workspace', ws);
    expect(mode(join(dir, 'shared', `${runId}.txt`))).toBe('0644');
  }, 60_000);

  it('a store opened by a process under umask 022 creates its WAL files 0600', () => {
    const previous = process.umask(0o022);
    const fresh = join(dir, 'fresh');
    const store = openStore(fresh);
    try {
      expect(mode(fresh)).toBe('0700');
      for (const name of ['workspace.sqlite', 'workspace.sqlite-wal', 'workspace.sqlite-shm']) expect(mode(join(fresh, name)), name).toBe('0600');
    } finally {
      store.close();
      process.umask(previous);
    }
  });

  it('a workspace made with loose modes is tightened when it is opened', () => {
    // Held open here, so its -wal and -shm stay while the CLI opens the workspace too.
    const held = openStore(ws);
    try {
      chmodSync(ws, 0o755);
      for (const name of ['workspace.sqlite', 'workspace.sqlite-wal', 'workspace.sqlite-shm']) chmodSync(join(ws, name), 0o644);
      recon('audit', 'verify', '--workspace', ws);
      expect(mode(ws)).toBe('0700');
      for (const name of ['workspace.sqlite', 'workspace.sqlite-wal', 'workspace.sqlite-shm']) expect(mode(join(ws, name)), name).toBe('0600');
    } finally {
      held.close();
    }
  }, 60_000);
});
