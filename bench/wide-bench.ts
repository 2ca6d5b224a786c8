/**
 * `npx tsx bench/wide-bench.ts`: wide files through the CLI, as users run them.
 * For each column count, a generated A/B pair (engine/run/testing/wide-files.ts)
 * is reconciled twice — with every field listed and typed, and with only the
 * key and `compareUnlisted` — and `recon definition infer` proposes a
 * definition for it. Prints wall time, peak RSS and the run's stage timings.
 *
 *   npx tsx bench/wide-bench.ts --columns 250,1000,5000 --rows 1000
 *   npx tsx bench/wide-bench.ts --columns 5000 --only infer --timeout 900
 *   npx tsx bench/wide-bench.ts --docs     # also into docs/BENCHMARKS.md (section "wide")
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeWidePair } from '../engine/run/testing/wide-files.ts';
import { loadavg } from 'node:os';
import { mb, ROOT, sec, writeDocsSection } from './measure.ts';

const { values } = parseArgs({
  options: {
    columns: { type: 'string', default: '250,1000,5000' },
    rows: { type: 'string', default: '1000' },
    only: { type: 'string' },
    timeout: { type: 'string', default: '600' },
    docs: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: join(ROOT, 'bench-data', 'wide') },
  },
});
const rows = Number(values.rows);
const timeoutMs = Number(values.timeout) * 1000;
const dataDir = resolve(values['data-dir']);

interface Result {
  ok: boolean;
  ms: number;
  rss: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Result> {
  const rssFile = join(dataDir, `rss-${process.pid}-${Date.now()}.txt`);
  return new Promise((done, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', join(ROOT, 'bench/report-rss.mjs'), join(ROOT, 'bin/recon.mjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, RECON_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      let rss = 0;
      try {
        rss = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        // killed: no report
      }
      rmSync(rssFile, { force: true });
      done({ ok: code === 0, ms, rss, stdout, stderr });
    });
  });
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const table: string[] = [];
  const rowsMd: string[] = [];
  for (const columns of values.columns.split(',').map(Number)) {
    const dir = join(dataDir, `c${columns}-r${rows}`);
    const pair = writeWidePair(dir, columns, rows);
    const listedPath = join(dir, 'listed.json');
    const unlistedPath = join(dir, 'unlisted.json');
    writeFileSync(listedPath, JSON.stringify(pair.listed));
    writeFileSync(unlistedPath, JSON.stringify(pair.unlisted));
    const jobs: [string, string[]][] = [
      ['run listed', ['run', '--a', pair.aPath, '--b', pair.bPath, '--definition', listedPath, '--workspace', join(dir, 'ws'), '--json', '--quiet']],
      ['run unlisted', ['run', '--a', pair.aPath, '--b', pair.bPath, '--definition', unlistedPath, '--workspace', join(dir, 'ws'), '--json', '--quiet']],
      ['infer', ['definition', 'infer', '--a', pair.aPath, '--b', pair.bPath, '--out', join(dir, 'inferred.json'), '--json']],
    ];
    for (const [label, args] of jobs) {
      if (values.only && !label.startsWith(values.only)) continue;
      const r = await run(args);
      let detail: string;
      if (r.ok && label.startsWith('run')) {
        const s = JSON.parse(r.stdout) as { breaks: { total: number }; timings: Record<string, number> };
        detail = `breaks ${s.breaks.total} (expected ${pair.expected.length}); ${JSON.stringify(s.timings)}`;
      } else if (r.ok) {
        const s = JSON.parse(r.stdout) as { definition: { fields?: unknown[]; key: string[] }; report: { timings: Record<string, number> } };
        detail = `key ${s.definition.key.join('+')}, ${s.definition.fields?.length ?? 0} fields; ${JSON.stringify(s.report.timings)}`;
      } else {
        detail = r.ms >= timeoutMs ? `timed out after ${sec(timeoutMs)}` : `failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      }
      const line = `${String(columns).padStart(5)} cols × ${rows} rows  ${label.padEnd(13)} ${r.ok ? sec(r.ms).padStart(9) : '   FAILED'}  peak RSS ${r.rss ? mb(r.rss) : '?'}  ${detail}`;
      process.stderr.write(`${line}\n`);
      table.push(line);
      rowsMd.push(`| ${columns.toLocaleString('en-US')} | ${label} | ${r.ok ? sec(r.ms) : 'failed'} | ${r.rss ? mb(r.rss) : '?'} |`);
    }
  }
  process.stdout.write(`${table.join('\n')}\n`);
  if (values.docs) {
    writeDocsSection('wide', [
      `### Wide files: ${rows.toLocaleString('en-US')} records a side`,
      '',
      `\`npx tsx bench/wide-bench.ts --docs\`: generated pairs (engine/run/testing/wide-files.ts) of an \`id\` key and decimal, text, date and integer columns with planted differences, through the CLI: \`recon run\` with every field listed and typed, with only the key and \`compareUnlisted\`, and \`recon definition infer\`. Wall time and peak RSS of the whole process; measured ${new Date().toISOString().slice(0, 10)}, load ${loadavg()[0]!.toFixed(1)} on 2 cores.`,
      '',
      '| columns | command | time | peak RSS |',
      '|---|---|---|---|',
      ...rowsMd,
    ]);
  }
}

await main();
