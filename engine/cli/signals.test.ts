import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * `recon run` stopped by a signal, as a user, a closed terminal or a process
 * supervisor stops it: real CLI processes on a pair big enough to still be
 * running when the signal arrives. Nothing here depends on wall-clock time:
 * every wait polls with a bounded timeout.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'recon.mjs');
const dir = mkdtempSync(join(tmpdir(), 'recon-signals-'));
const gen = join(dir, 'gen');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function recon(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A `recon run` in the background: the process, its output so far, and its exit. */
interface Background {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startRun(workspace: string): Background {
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--a', join(gen, 'a.csv'), '--b', join(gen, 'b.csv'), '--definition', join(gen, 'definition.json'), '--workspace', workspace],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, exited };
}

/** Polls `probe` until it returns a value, or fails after `ms`. */
async function waitFor<T>(what: string, probe: () => T | undefined, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface RunRow {
  run_id: string;
  status: string;
  error: string | null;
}

/** The workspace store read as another process reads it (read-only, never migrating). */
function readStore<T>(workspace: string, fn: (db: Database.Database) => T): T | undefined {
  const path = join(workspace, 'workspace.sqlite');
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } catch {
    return undefined; // not migrated yet
  } finally {
    db.close();
  }
}

const runsOf = (workspace: string): RunRow[] => readStore(workspace, (db) => db.prepare('SELECT run_id, status, error FROM runs ORDER BY started_at, run_id').all() as RunRow[]) ?? [];
const runRow = (workspace: string, runId: string): RunRow | undefined => runsOf(workspace).find((r) => r.run_id === runId);
const auditActions = (workspace: string, runId: string): string[] =>
  readStore(workspace, (db) => (db.prepare('SELECT action FROM audit_events WHERE target = ? ORDER BY rowid').all(`run:${runId}`) as { action: string }[]).map((r) => r.action)) ?? [];

const partialFiles = (workspace: string, runId: string): string[] =>
  [join('runs', `${runId}.duckdb`), join('runs', `${runId}.duckdb.wal`), join('tmp', runId)].filter((p) => existsSync(join(workspace, p)));

/** Waits until a run of the workspace other than `except` is RUNNING with its run file and scratch folder on disk: well inside the work. */
function waitRunning(workspace: string, except: string[] = []): Promise<string> {
  return waitFor('a RUNNING run with its partial files', () => {
    const run = runsOf(workspace).find((r) => r.status === 'RUNNING' && !except.includes(r.run_id));
    if (!run) return undefined;
    return existsSync(join(workspace, 'runs', `${run.run_id}.duckdb`)) && existsSync(join(workspace, 'tmp', run.run_id)) ? run.run_id : undefined;
  });
}

beforeAll(async () => {
  // ~6 s of work per run on a laptop: the signals below arrive well before the end.
  const g = await recon('generate', '--rows', '300000', '--out', gen, '--seed', '11');
  expect(g.code, g.stderr).toBe(0);
}, 120_000);

describe('recon run stopped by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('on %s cancels the run, records it FAILED (audited), removes its partial files and exits %i', async (signal, code) => {
    const ws = join(dir, `ws-${signal}`);
    const run = startRun(ws);
    const runId = await waitRunning(ws);
    expect(partialFiles(ws, runId).length).toBeGreaterThan(0);
    run.child.kill(signal);
    const exit = await run.exited;

    expect({ ...exit, stderr: run.stderr() }).toMatchObject({ code, signal: null });
    expect(run.stderr()).toContain(`${signal}`);
    const row = runRow(ws, runId);
    expect(row?.status).toBe('FAILED');
    expect(JSON.parse(row?.error ?? 'null')).toMatchObject({ code: 'RUN_CANCELLED' });
    expect(auditActions(ws, runId)).toEqual(['run.started', 'run.failed']);
    expect(partialFiles(ws, runId)).toEqual([]);
    expect(existsSync(join(ws, 'tmp')) ? readdirSync(join(ws, 'tmp')) : []).toEqual([]);
  }, 120_000);

  it('on a second signal stops at once, and the next recon command cleans up what it left', async () => {
    const ws = join(dir, 'ws-twice');
    const run = startRun(ws);
    const runId = await waitRunning(ws);
    run.child.kill('SIGTERM');
    await waitFor('the first signal handled', () => {
      if (run.stderr().includes('cancelling')) return true;
      if (run.child.exitCode !== null || run.child.signalCode !== null) throw new Error(`recon run ended without handling the signal: ${run.child.signalCode ?? run.child.exitCode}`);
      return undefined;
    });
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    // Killed by the second signal, or (if the clean stop won the race) exited 143 after it: the shell sees 143 either way.
    expect(exit.signal === 'SIGTERM' || exit.code === 143, JSON.stringify(exit)).toBe(true);

    const next = await recon('users', 'list', '--workspace', ws);
    expect(next.code, next.stderr).toBe(0);
    expect(runRow(ws, runId)?.status).toBe('FAILED');
    expect(auditActions(ws, runId)).toEqual(['run.started', 'run.failed']);
    expect(partialFiles(ws, runId)).toEqual([]);
  }, 120_000);
});

describe('a run left RUNNING by a killed recon run', () => {
  it('is swept by the next recon command on the workspace, and a run whose process lives is left alone', async () => {
    const ws = join(dir, 'ws-killed');
    // kill -9 cannot be caught: the run stays RUNNING with its partial files.
    const killed = startRun(ws);
    const deadId = await waitRunning(ws);
    killed.child.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    expect(runRow(ws, deadId)?.status).toBe('RUNNING');
    expect(partialFiles(ws, deadId).length).toBeGreaterThan(0);

    // The next `recon run` sweeps it as it starts.
    const live = startRun(ws);
    const liveId = await waitRunning(ws, [deadId]);
    const swept = runRow(ws, deadId);
    expect(swept?.status).toBe('FAILED');
    expect(JSON.parse(swept?.error ?? 'null')).toMatchObject({ code: 'INTERNAL_ERROR', details: { abandoned: true } });
    expect(auditActions(ws, deadId)).toEqual(['run.started', 'run.failed']);
    expect(partialFiles(ws, deadId)).toEqual([]);
    await waitFor('the sweep reported on stderr', () => (live.stderr().includes(deadId) ? true : undefined));

    // Another command meanwhile leaves the live run alone: its process is still there.
    const other = await recon('users', 'list', '--workspace', ws);
    expect(other.code, other.stderr).toBe(0);
    expect(runRow(ws, liveId)?.status).toBe('RUNNING');
    expect(existsSync(join(ws, 'runs', `${liveId}.duckdb`))).toBe(true);

    live.child.kill('SIGTERM');
    expect((await live.exited).code).toBe(143);
    expect(runRow(ws, liveId)?.status).toBe('FAILED');
    expect(partialFiles(ws, liveId)).toEqual([]);
  }, 180_000);

  it('is swept by other commands that open the workspace store', async () => {
    const ws = join(dir, 'ws-killed-2');
    const killed = startRun(ws);
    const deadId = await waitRunning(ws);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(partialFiles(ws, deadId).length).toBeGreaterThan(0);

    const r = await recon('audit', 'verify', '--workspace', ws);
    expect(r.stderr).toContain(deadId);
    expect(runRow(ws, deadId)?.status).toBe('FAILED');
    expect(auditActions(ws, deadId)).toEqual(['run.started', 'run.failed']);
    expect(partialFiles(ws, deadId)).toEqual([]);
    // The sweep is audited like any change: the chain still verifies.
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
});
