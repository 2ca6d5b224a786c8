/**
 * What the benchmark scripts share: timing a Node child process with its peak
 * RSS and CPU time (bench/report-rss.mjs is preloaded into it), medians,
 * units, and replacing one marked section of docs/BENCHMARKS.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateExtracts } from '../engine/generate/generate-extracts.ts';

export const ROOT = resolve(import.meta.dirname, '..');

export interface Measured {
  ms: number;
  rss: number;
  /** CPU time of the process (user + system, all threads): less sensitive than wall time to other work on the machine. */
  cpuMs: number;
  stdout: string;
}

/** Runs `node args…` with the RSS reporter preloaded; resolves with wall time, peak RSS, CPU time and stdout. */
export function measure(args: string[], scratchDir: string, env: NodeJS.ProcessEnv = {}): Promise<Measured> {
  const rssFile = join(scratchDir, `rss-${process.pid}-${Date.now()}.txt`);
  const cpuFile = `${rssFile}.cpu`;
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', join(ROOT, 'bench/report-rss.mjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, RECON_RSS_FILE: rssFile, RECON_CPU_FILE: cpuFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited with ${code}`));
      const rss = Number(readFileSync(rssFile, 'utf8'));
      const cpuMs = Number(readFileSync(cpuFile, 'utf8'));
      rmSync(rssFile, { force: true });
      rmSync(cpuFile, { force: true });
      resolvePromise({ ms, rss, cpuMs, stdout });
    });
  });
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const mb = (b: number): string => `${Math.round(b / 1024 / 1024)} MB`;
export const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Puts `body` between `<!-- bench:marker:start/end -->` in docs/BENCHMARKS.md, replacing an earlier one or appending. */
export function writeDocsSection(marker: string, body: string[]): void {
  const file = join(ROOT, 'docs/BENCHMARKS.md');
  const section = [`<!-- bench:${marker}:start -->`, ...body, `<!-- bench:${marker}:end -->`].join('\n');
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nAll figures are ratios against a reference measured in the same run, because timings on shared machines are noisy.\n';
  const re = new RegExp(`<!-- bench:${marker}:start -->[\\s\\S]*?<!-- bench:${marker}:end -->`);
  doc = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, doc);
}

/** The generated pair every benchmark uses (`recon generate --seed 42`), made once per row count under `dataDir`; returns the two files. */
export async function ensureGenerated(rows: number, dataDir: string): Promise<{ a: string; b: string; definition: string }> {
  mkdirSync(dataDir, { recursive: true });
  const definition = join(dataDir, 'definition.json');
  if (!existsSync(definition)) {
    process.stderr.write(`generating ${rows.toLocaleString('en-US')} rows into ${dataDir}\n`);
    await generateExtracts({ rows, outDir: dataDir, seed: 42 });
  }
  return { a: join(dataDir, 'a.csv'), b: join(dataDir, 'b.csv'), definition };
}
