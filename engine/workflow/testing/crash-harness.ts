/**
 * Kill-at-random-moments harness shared by the crash test (200 cycles) and
 * scripts/crash-soak.ts (1,000). Each cycle starts a writer (pre-warmed while
 * the previous one runs, so process start-up does not dominate), lets it
 * write for a random time, SIGKILLs it, then checks the store: integrity,
 * foreign keys, the audit chain, one event per decision and approval, and
 * every id the writer reported as committed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../generate/prng.ts';
import { verifyChain } from '../../store/audit-verify.ts';
import { DEFAULT_MIGRATIONS_DIR } from '../../store/migrate.ts';
import { openStore } from '../../store/open.ts';
import { seedRun, seedUsers, CRASH_RUN_ID } from './fixtures.ts';

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let command: Promise<string[]> | undefined;

/**
 * How to start a writer. Bundled once with esbuild (tsx's own dependency)
 * into node_modules/.cache, a writer starts in ~0.1 s instead of ~0.45 s
 * through the tsx loader, which is what lets hundreds of kill cycles fit in
 * a test run. Falls back to tsx when esbuild cannot be loaded.
 */
export function writerCommand(): Promise<string[]> {
  command ??= (async () => {
    try {
      const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx'));
      const esbuild = fromTsx('esbuild') as { build(options: Record<string, unknown>): Promise<unknown> };
      // Inside the repo, so the bundle resolves better-sqlite3 from node_modules.
      const outDir = join(ROOT, 'node_modules', '.cache', 'recon-crash-writer');
      mkdirSync(outDir, { recursive: true });
      // Built under a private name, then renamed: parallel test files never see a half-written bundle.
      const tmp = join(outDir, `writer.${process.pid}.tmp.mjs`);
      const outfile = join(outDir, 'writer.mjs');
      await esbuild.build({ entryPoints: [WRITER], bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['better-sqlite3'], outfile: tmp, logLevel: 'error' });
      renameSync(tmp, outfile);
      return [outfile, '--migrations', DEFAULT_MIGRATIONS_DIR];
    } catch {
      return ['--import', 'tsx', WRITER];
    }
  })();
  return command;
}

/** A writer process and what it printed. */
export interface Writer {
  proc: ChildProcess;
  lines: string[];
  warm: Promise<void>;
  exited: Promise<void>;
  stderr: string[];
}

/** Starts a crash writer on `workspace`; with `wait`, it loads and waits for "go" on stdin. */
export function startWriter(cmd: readonly string[], workspace: string, seed: number, extra: string[] = [], wait = true): Writer {
  const proc = spawn(process.execPath, [...cmd, workspace, '--seed', String(seed), ...(wait ? ['--wait'] : []), ...extra], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  let buf = '';
  let onWarm: () => void = () => undefined;
  const warm = new Promise<void>((resolve) => (onWarm = resolve));
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      if (line === 'warm') onWarm();
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => stderr.push(c));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return { proc, lines, warm, exited, stderr };
}

/** Creates the workspace the writers act on: users and a completed run. */
export function prepareWorkspace(workspace: string): void {
  const store = openStore(workspace);
  seedUsers(store);
  seedRun(store, CRASH_RUN_ID, '/nowhere/crash-run.duckdb');
  store.close();
}

/** Ids a writer reported committed, by table. */
export function reported(lines: readonly string[]): { decisions: string[]; approvals: string[] } {
  const out = { decisions: [] as string[], approvals: [] as string[] };
  for (const l of lines) {
    const [ok, table, id] = l.split(' ');
    if (ok === 'ok' && id && (table === 'decisions' || table === 'approvals')) out[table].push(id);
  }
  return out;
}

/** Checks the store after a kill; returns a list of problems (empty = consistent). */
export function checkStore(workspace: string, committed: { decisions: readonly string[]; approvals: readonly string[] }): string[] {
  const problems: string[] = [];
  const store = openStore(workspace);
  try {
    const integrity = store.db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    const fk = store.db.pragma('foreign_key_check') as unknown[];
    if (fk.length > 0) problems.push(`foreign_key_check: ${JSON.stringify(fk.slice(0, 3))}`);
    const chain = verifyChain(store);
    if (!chain.ok) problems.push(`audit chain: ${chain.firstBreak?.message}`);
    const n = (q: string): number => (store.db.prepare(q).get() as { n: number }).n;
    if (n('SELECT count(*) AS n FROM decisions') !== n("SELECT count(*) AS n FROM audit_events WHERE action LIKE 'decision.%'")) problems.push('decisions and their audit events differ in number');
    if (n('SELECT count(*) AS n FROM approvals') !== n("SELECT count(*) AS n FROM audit_events WHERE action LIKE 'proposal.%'")) problems.push('approvals and their audit events differ in number');
    if (n('SELECT count(*) AS n FROM outbox') !== n('SELECT count(*) AS n FROM audit_events')) problems.push('outbox and audit events differ in number');
    for (const table of ['decisions', 'approvals'] as const) {
      const has = store.db.prepare(`SELECT 1 FROM ${table} WHERE ${table === 'decisions' ? 'decision_id' : 'approval_id'} = ?`);
      const lost = committed[table].filter((id) => has.get(id) === undefined);
      if (lost.length > 0) problems.push(`${lost.length} reported ${table} missing, e.g. ${lost[0]}`);
    }
  } finally {
    store.close();
  }
  return problems;
}

/** Result of a crash series. */
export interface CrashStats {
  cycles: number;
  committed: number;
  killedBeforeOpen: number;
  problems: string[];
  ms: number;
}

/** Runs `cycles` write-and-SIGKILL cycles on a prepared workspace. */
export async function runCrashCycles(workspace: string, cycles: number, opts: { seed?: number; maxDelayMs?: number; onCycle?: (i: number, s: CrashStats) => void } = {}): Promise<CrashStats> {
  const rng = new Rng(opts.seed ?? 7);
  const maxDelay = opts.maxDelayMs ?? 120;
  const stats: CrashStats = { cycles: 0, committed: 0, killedBeforeOpen: 0, problems: [], ms: 0 };
  const cmd = await writerCommand();
  const t0 = performance.now();
  // Two writers warm up while one writes: start-up overlaps the kill and the checks.
  const spares = [startWriter(cmd, workspace, rng.int(0, 2 ** 30)), startWriter(cmd, workspace, rng.int(0, 2 ** 30))];
  for (let i = 0; i < cycles; i++) {
    const cur = spares.shift()!;
    await Promise.race([cur.warm, cur.exited]);
    spares.push(startWriter(cmd, workspace, rng.int(0, 2 ** 30)));
    cur.proc.stdin!.write('go\n');
    await new Promise((r) => setTimeout(r, rng.int(0, maxDelay)));
    cur.proc.kill('SIGKILL');
    await cur.exited;
    if (cur.stderr.length > 0 && cur.proc.signalCode !== 'SIGKILL') stats.problems.push(`writer failed: ${cur.stderr.join('').slice(0, 500)}`);
    if (!cur.lines.includes('open')) stats.killedBeforeOpen++;
    const ids = reported(cur.lines);
    stats.committed += ids.decisions.length + ids.approvals.length;
    stats.problems.push(...checkStore(workspace, ids).map((p) => `cycle ${i}: ${p}`));
    stats.cycles++;
    opts.onCycle?.(i, stats);
    if (stats.problems.length > 0) break;
  }
  for (const w of spares) w.proc.kill('SIGKILL');
  await Promise.all(spares.map((w) => w.exited));
  stats.ms = Math.round(performance.now() - t0);
  return stats;
}
