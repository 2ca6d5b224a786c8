import './testing/fail-on-unhandled.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../store/audit-verify.ts';
import { ALICE } from '../workflow/testing/fixtures.ts';
import { useSeededStore } from '../workflow/testing/seeded-store.ts';
import { getRun, recordRunStarted, sweepAbandonedRuns } from '../workflow/runs.ts';
import { createService } from './service.ts';

/** Runs left RUNNING by a process that is gone: real processes, started and killed here. */
const ws = useSeededStore();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** A real process that waits until killed. */
function startProcess(): ChildProcess {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(c);
  return c;
}
const exited = (c: ChildProcess): Promise<void> => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

const inputs = { a: { path: '/in/a.csv', sha256: 'a'.repeat(64) }, b: { path: '/in/b.csv', sha256: 'b'.repeat(64) } };
const start = (runId: string, owner: { host: string; pid: number }): void =>
  recordRunStarted(ws.store, ALICE, { runId, definition: { name: 'trades' }, duckdbPath: join(ws.dir, 'runs', `${runId}.duckdb`), inputs, owner });

describe('sweeping abandoned runs', () => {
  it('fails a run whose process is gone, keeps one whose process lives, and leaves other machines alone', async () => {
    const live = startProcess();
    const dead = startProcess();
    start('live', { host: hostname(), pid: live.pid! });
    start('dead', { host: hostname(), pid: dead.pid! });
    start('elsewhere', { host: `not-${hostname()}`, pid: dead.pid! });
    dead.kill('SIGKILL');
    await exited(dead);

    expect(sweepAbandonedRuns(ws.store, ALICE).map((r) => r.runId)).toEqual(['dead']);
    expect(getRun(ws.store, 'dead')).toMatchObject({ status: 'FAILED', error: { code: 'INTERNAL_ERROR', details: { abandoned: true } } });
    expect((getRun(ws.store, 'dead').error as { message: string }).message).toContain(`pid ${dead.pid}`);
    expect(getRun(ws.store, 'live').status).toBe('RUNNING');
    expect(getRun(ws.store, 'elsewhere').status).toBe('RUNNING');
    // Audited, and the chain still verifies.
    const failed = ws.store.db.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'run.failed' AND target = 'run:dead'").get() as { n: number };
    expect(failed.n).toBe(1);
    expect(verifyChain(ws.store).ok).toBe(true);
    // A second sweep finds nothing more.
    expect(sweepAbandonedRuns(ws.store, ALICE)).toEqual([]);
  });

  it('never fails a run of this very process', () => {
    start('mine', { host: hostname(), pid: process.pid });
    expect(sweepAbandonedRuns(ws.store, ALICE)).toEqual([]);
  });

  it('fails a run registered without an owner only after a day', () => {
    start('old', { host: hostname(), pid: process.pid });
    ws.store.db.prepare("UPDATE runs SET owner_host = NULL, owner_pid = NULL WHERE run_id = 'old'").run();
    expect(sweepAbandonedRuns(ws.store, ALICE)).toEqual([]);
    expect(sweepAbandonedRuns(ws.store, ALICE, { now: Date.now() + 25 * 3600 * 1000 }).map((r) => r.runId)).toEqual(['old']);
  });

  it('is done by a host at start, removing the partial run file and scratch', async () => {
    const dead = startProcess();
    start('crashed', { host: hostname(), pid: dead.pid! });
    dead.kill('SIGKILL');
    await exited(dead);
    mkdirSync(join(ws.dir, 'runs'), { recursive: true });
    mkdirSync(join(ws.dir, 'tmp', 'crashed'), { recursive: true });
    writeFileSync(join(ws.dir, 'runs', 'crashed.duckdb'), 'partial');
    writeFileSync(join(ws.dir, 'tmp', 'crashed', 'spill.tmp'), 'x');
    const service = createService({ workspace: ws.dir, host: 'test', version: '0', store: ws.store, user: ALICE, emit: () => undefined });
    try {
      const { runs } = await service.invoke('runs.list', {});
      expect(runs.find((r) => r.runId === 'crashed')).toMatchObject({ status: 'FAILED', error: { code: 'INTERNAL_ERROR' } });
      expect(existsSync(join(ws.dir, 'runs', 'crashed.duckdb'))).toBe(false);
      expect(existsSync(join(ws.dir, 'tmp', 'crashed'))).toBe(false);
    } finally {
      await service.close();
    }
  });
});
