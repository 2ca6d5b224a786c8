import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundledMain, bundleKey, ensureCliBundle } from '../../bin/cli-bundle.mjs';
import { packageRoot } from '../package-root.ts';
import { ENGINE_WORKER } from '../worker/client.ts';
import type { ToWorker } from '../worker/protocol.ts';

/** The CLI's esbuild bundle (bin/cli-bundle.mjs), built into a scratch cache: it must behave as the TypeScript does through tsx. */

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'recon.mjs');
// Inside the project, so the bundle's imports of npm packages resolve as in the real cache.
const cacheParent = join(ROOT, 'node_modules', '.cache');
mkdirSync(cacheParent, { recursive: true });
const cache = mkdtempSync(join(cacheParent, 'recon-cli-test-'));
const dir = mkdtempSync(join(tmpdir(), 'recon-bundle-'));
afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** What bin/recon.mjs does with a bundle, minus finding it: import its main.js and run. A file, not `-e`: worker threads inherit the flags. */
const RUN_MAIN = join(dir, 'run-main.mjs');
writeFileSync(RUN_MAIN, 'const { main } = await import(process.argv[2]);\nprocess.exitCode = await main(process.argv.slice(3));\n');

/** Starts a worker thread, posts it one message and prints its first reply that is not progress. */
const ASK_WORKER = join(dir, 'ask-worker.mjs');
writeFileSync(
  ASK_WORKER,
  `import { Worker } from 'node:worker_threads';
const worker = new Worker(new URL(process.argv[2]));
worker.on('message', (m) => { if (m.type !== 'progress') { console.log(JSON.stringify(m)); void worker.terminate(); } });
worker.on('error', (err) => { console.error(err); process.exitCode = 1; });
worker.postMessage(JSON.parse(process.argv[3]));
`,
);

let bundle: string;
const viaBundle = (...args: string[]): Promise<Result> => node([RUN_MAIN, pathToFileURL(join(bundle, 'main.js')).href, ...args]);
const viaTsx = (...args: string[]): Promise<Result> => node([BIN, ...args], { RECON_NO_BUNDLE: '1' });

beforeAll(async () => {
  bundle = await ensureCliBundle({ cacheDir: cache });
});

describe('the CLI bundle', () => {
  it('is flat: main.js, the worker under the name its WorkerEntry expects, and the data files beside them', () => {
    expect(bundle).toBe(join(cache, bundleKey()));
    for (const file of ['main.js', ENGINE_WORKER.bundled, 'baseline-model.json', 'migrations/001_device_settings.sql']) {
      expect(existsSync(join(bundle, file)), file).toBe(true);
    }
    expect(readdirSync(join(bundle, 'server-migrations')).length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(bundle, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
  });

  it('is built from engine/ and the bundled npm packages only, so the key (which hashes engine/ and package-lock.json) sees every source change', () => {
    const maps = readdirSync(bundle).filter((f) => f.endsWith('.js.map'));
    const sources = maps.flatMap((m) => (JSON.parse(readFileSync(join(bundle, m), 'utf8')) as { sources: string[] }).sources.map((s) => resolve(bundle, s)));
    expect(sources.length).toBeGreaterThan(100);
    const modules = join(ROOT, 'node_modules') + sep;
    expect(sources.filter((s) => !s.startsWith(join(ROOT, 'engine') + sep) && !s.startsWith(modules))).toEqual([]);
    // zod and DuckDB's JavaScript API are bundled (start-up); native addons never are.
    const packages = new Set(sources.filter((s) => s.startsWith(modules)).map((s) => s.slice(modules.length).split(sep).slice(0, s.slice(modules.length).startsWith('@') ? 2 : 1).join('/')));
    expect(packages).toContain('zod');
    expect(packages).toContain('@duckdb/node-api');
    expect([...packages].filter((p) => p.startsWith('@duckdb/node-bindings') || p === 'better-sqlite3' || p === '@napi-rs/keyring')).toEqual([]);
  });

  it('is reused while the sources are unchanged', async () => {
    const built = statSync(join(bundle, 'main.js')).mtimeMs;
    expect(await ensureCliBundle({ cacheDir: cache })).toBe(bundle);
    expect(statSync(join(bundle, 'main.js')).mtimeMs).toBe(built);
  });

  it('prints the same version as the TypeScript through tsx', async () => {
    const [bundled, tsx] = await Promise.all([viaBundle('--version'), viaTsx('--version')]);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(bundled.stdout).toMatch(/^recon \d+\.\d+\.\d+ \(commit /);
    expect(bundled.stdout).toBe(tsx.stdout);
  });

  it('reconciles (on its run worker) exactly as the TypeScript does through tsx', async () => {
    const gen = join(dir, 'gen');
    const g = await viaBundle('generate', '--rows', '300', '--out', gen, '--seed', '11');
    expect(g.code, g.stderr).toBe(0);
    const run = (via: typeof viaBundle, ws: string): Promise<Result> =>
      via('run', '--a', join(gen, 'a.csv'), '--b', join(gen, 'b.csv'), '--definition', join(gen, 'definition.json'), '--workspace', join(dir, ws), '--json', '--quiet');
    const [bundled, tsx] = await Promise.all([run(viaBundle, 'ws-bundle'), run(viaTsx, 'ws-tsx')]);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(tsx.code, tsx.stderr).toBe(0);
    /** The summary without what differs between any two runs: ids, paths, clocks. */
    const stable = (stdout: string): Record<string, unknown> => {
      const summary = JSON.parse(stdout) as Record<string, unknown> & { attribution: { timings?: unknown } };
      for (const key of ['runId', 'startedAt', 'finishedAt', 'database', 'timings']) delete summary[key];
      delete summary.attribution.timings;
      return summary;
    };
    const summary = stable(bundled.stdout);
    expect(summary).toMatchObject({ status: 'COMPLETED', breaks: { total: expect.any(Number) as number } });
    expect(summary).toEqual(stable(tsx.stdout));
  });


  it('runs inference and retraining on the bundled worker, with the data files they read', async () => {
    const ask = async (message: ToWorker): Promise<{ type: string; result?: unknown; error?: unknown }> => {
      const r = await node([ASK_WORKER, pathToFileURL(join(bundle, ENGINE_WORKER.bundled)).href, JSON.stringify(message)]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { type: string };
    };
    const gen = join(dir, 'gen-workers');
    expect((await viaBundle('generate', '--rows', '200', '--out', gen, '--seed', '3')).code).toBe(0);
    const [inferred, retrained] = await Promise.all([
      ask({ type: 'start', seq: 1, job: { kind: 'infer', request: { aPath: join(gen, 'a.csv'), bPath: join(gen, 'b.csv') } } }),
      // Quick mode: a small synthetic baseline, measured against the shipped model (baseline-model.json beside the bundle).
      ask({
        type: 'start',
        seq: 2,
        job: { kind: 'retrain', request: { scratch: join(dir, 'scratch'), workDir: join(dir, 'retrain'), examples: [], extraCodes: [], threshold: 0.9, quick: true, cacheDir: join(dir, 'cache') } },
      }),
    ]);
    expect(inferred).toMatchObject({ type: 'result', seq: 1, result: { definition: { key: expect.any(Array) as unknown[] } } });
    expect(retrained).toMatchObject({ type: 'result', seq: 2, result: { current: { version: expect.stringMatching(/^baseline-/) as string } } });
  });
});

describe('building the bundle', () => {
  it('lets processes that build at once share one result, and removes key folders unused for an hour', async () => {
    const shared = join(cache, 'race');
    mkdirSync(join(shared, 'old-key'), { recursive: true });
    mkdirSync(join(shared, 'recent-key'), { recursive: true });
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(shared, 'old-key'), twoHoursAgo, twoHoursAgo);
    const build = `const { ensureCliBundle } = await import(process.argv[1]); console.log(await ensureCliBundle({ cacheDir: process.argv[2] }));`;
    const builder = pathToFileURL(join(ROOT, 'bin', 'cli-bundle.mjs')).href;
    const results = await Promise.all([1, 2, 3].map(() => node(['--input-type=module', '-e', build, builder, shared])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(new Set(results.map((r) => r.stdout.trim()))).toEqual(new Set([join(shared, bundleKey())]));
    expect(readdirSync(shared).sort()).toEqual([bundleKey(), 'recent-key']);
  });

  it('fails, leaving nothing behind, when the sources do not build; the CLI then falls back to tsx, saying so only when asked', async () => {
    const root = mkdtempSync(join(dir, 'broken-'));
    writeFileSync(join(root, 'package.json'), '{}');
    mkdirSync(join(root, 'engine/cli'), { recursive: true });
    writeFileSync(join(root, 'engine/cli/main.ts'), 'export const = ;');
    const broken = join(cache, 'broken');
    await expect(ensureCliBundle({ root, cacheDir: broken })).rejects.toThrow();
    expect(readdirSync(broken)).toEqual([]);

    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await bundledMain({}, { root, cacheDir: broken })).toBeUndefined();
      expect(stderr).not.toHaveBeenCalled();
      expect(await bundledMain({ RECON_DEBUG_BUNDLE: '1' }, { root, cacheDir: broken })).toBeUndefined();
      expect(stderr.mock.calls.map(([line]) => String(line))).toEqual([expect.stringMatching(/^recon: no bundle \(.+\), running the TypeScript through tsx\n$/)]);
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('bundleKey', () => {
  it('changes when a file under engine/ changes, is added, or only has its mtime moved', () => {
    const root = mkdtempSync(join(dir, 'key-'));
    writeFileSync(join(root, 'package.json'), '{"name":"x"}');
    mkdirSync(join(root, 'engine/a'), { recursive: true });
    const file = join(root, 'engine/a/b.ts');
    writeFileSync(file, 'export const b = 1;\n');
    const keys = [bundleKey(root)];
    expect(bundleKey(root)).toBe(keys[0]);
    appendFileSync(file, '// edited\n');
    keys.push(bundleKey(root));
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    keys.push(bundleKey(root));
    writeFileSync(join(root, 'engine/c.json'), '{}');
    keys.push(bundleKey(root));
    writeFileSync(join(root, 'package.json'), '{"name":"y"}');
    keys.push(bundleKey(root));
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('bin/recon.mjs', () => {
  it('runs the bundle by default, and the TypeScript through tsx with RECON_NO_BUNDLE=1', async () => {
    const [bundled, tsx] = await Promise.all([
      node([BIN, '--version'], { RECON_DEBUG_BUNDLE: '1' }),
      node([BIN, '--version'], { RECON_DEBUG_BUNDLE: '1', RECON_NO_BUNDLE: '1' }),
    ]);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(bundled.stderr).toBe(`recon: running the bundle in ${join(ROOT, 'node_modules', '.cache', 'recon-cli', bundleKey())}\n`);
    expect(tsx.code, tsx.stderr).toBe(0);
    expect(tsx.stderr).toBe('recon: RECON_NO_BUNDLE=1, running the TypeScript through tsx\n');
    expect(tsx.stdout).toBe(bundled.stdout);
  });
});

describe('packageRoot', () => {
  it('finds the package from any folder below it, where a bundled module may sit', () => {
    expect(packageRoot()).toBe(ROOT);
    expect(packageRoot(bundle)).toBe(ROOT);
    expect(packageRoot(dir)).toBe(dir); // none above: lookups under it fail naming a path
  });
});
