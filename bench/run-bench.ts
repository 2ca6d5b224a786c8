/**
 * `npm run bench`: times `recon run` against the hand-written DuckDB SQL for
 * the same recon (bench/reference-recon.mjs), in the same session, on the same
 * generated files, as medians of several runs, with peak RSS of each process.
 * Results go to docs/BENCHMARKS.md (the section for this row count) and stdout.
 *
 *   npm run bench                                   # 1,000,000 rows a side, 3 runs
 *   npm run bench -- --rows 10000000 --runs 1 --memory-limit 2GB
 */
import { rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureGenerated, mb, measure as measureIn, type Measured, median, ROOT, sec, writeDocsSection } from './measure.ts';

const root = ROOT;
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    'memory-limit': { type: 'string' },
    'data-dir': { type: 'string', default: join(root, 'bench-data') },
    'no-docs': { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const runs = Number(values.runs);
const dataDir = resolve(values['data-dir'], `rows-${rows}`);
const measure = (args: string[]): Promise<Measured> => measureIn(args, dataDir);

async function main(): Promise<void> {
  const { a, b } = await ensureGenerated(rows, dataDir);
  const workspace = join(dataDir, 'workspace');
  const ref: Measured[] = [];
  const app: Measured[] = [];
  const stages: Record<string, number[]> = {};
  let summary: { breaks: { total: number }; counts: Record<string, number> } | undefined;
  for (let i = 0; i < runs; i++) {
    // Alternate the two so background noise falls on both alike.
    ref.push(await measure([join(root, 'bench/reference-recon.mjs'), a, b, join(dataDir, 'reference.duckdb')]));
    rmSync(workspace, { recursive: true, force: true });
    const args = [join(root, 'bin/recon.mjs'), 'run', '--a', a, '--b', b, '--definition', join(dataDir, 'definition.json'), '--workspace', workspace, '--json', '--quiet'];
    if (values['memory-limit']) args.push('--memory-limit', values['memory-limit']);
    const m = await measure(args);
    app.push(m);
    summary = JSON.parse(m.stdout) as typeof summary & { timings: Record<string, number> };
    for (const [k, v] of Object.entries((summary as unknown as { timings: Record<string, number> }).timings)) (stages[k] ??= []).push(v);
    process.stderr.write(`run ${i + 1}/${runs}: reference ${sec(ref.at(-1)!.ms)}, recon ${sec(m.ms)}\n`);
  }
  const refMs = median(ref.map((r) => r.ms));
  const appMs = median(app.map((r) => r.ms));
  const result = {
    rows,
    runs,
    referenceMs: Math.round(refMs),
    reconMs: Math.round(appMs),
    ratio: Number((appMs / refMs).toFixed(2)),
    referencePeakRss: Math.max(...ref.map((r) => r.rss)),
    reconPeakRss: Math.max(...app.map((r) => r.rss)),
    stagesMedianMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Math.round(median(v))])),
    breaks: summary?.breaks.total,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!values['no-docs']) writeDocs(result);
}

function writeDocs(r: {
  rows: number;
  runs: number;
  referenceMs: number;
  reconMs: number;
  ratio: number;
  referencePeakRss: number;
  reconPeakRss: number;
  stagesMedianMs: Record<string, number>;
  breaks: number | undefined;
}): void {
  const marker = `rows-${r.rows}`;
  const cmd = r.rows === 1_000_000 ? 'npm run bench' : `npm run bench -- --rows ${r.rows} --runs ${r.runs}${values['memory-limit'] ? ` --memory-limit ${values['memory-limit']}` : ''}`;
  writeDocsSection(marker, [
    `### Engine: ${r.rows.toLocaleString('en-US')} rows a side`,
    '',
    `Command: \`${cmd}\` — measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; median of ${r.runs} run(s).`,
    '',
    '| | wall time | peak RSS |',
    '|---|---|---|',
    `| hand-written DuckDB SQL (bench/reference-recon.mjs) | ${sec(r.referenceMs)} | ${mb(r.referencePeakRss)} |`,
    `| \`recon run\` (whole CLI process) | ${sec(r.reconMs)} | ${mb(r.reconPeakRss)} |`,
    `| **ratio** | **${r.ratio}×** | |`,
    '',
    `Stages of \`recon run\` (median ms): ${Object.entries(r.stagesMedianMs)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}. Breaks found: ${r.breaks?.toLocaleString('en-US')}.`,
  ]);
}

await main();
