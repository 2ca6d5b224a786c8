/**
 * `npm run bench:reports`: the figures issue 7 asks for, each against a
 * reference measured in the same run.
 *
 *  - Inference on two 1,000,000-row files (`recon definition infer --json`,
 *    target ≤ 3 s) against seeded reservoir samples of both files in plain
 *    DuckDB SQL (bench/reference-sample.mjs). Reported: the CLI process wall
 *    time, the in-process inference time (the sum of its stage timings), peak RSS.
 *  - Exports of a run with 1,000,000 breaks (`recon export` as a process:
 *    xlsx, csv) against DuckDB's own COPY of the breaks table to CSV
 *    (bench/reference-copy.mjs); peak RSS shows the XLSX is streamed.
 *
 *   npm run bench:reports [-- --runs 3 --breaks 1000000]
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureGenerated, mb, measure, median, ROOT, sec, writeDocsSection, type Measured } from './measure.ts';
import { createSyntheticRun } from './synthetic-run.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    rows: { type: 'string', default: '1000000' },
    breaks: { type: 'string', default: '1000000' },
    'no-docs': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const rows = Number(values.rows);
const breaks = Number(values.breaks);
const recon = join(ROOT, 'bin/recon.mjs');

interface Row {
  what: string;
  ms: number;
  rss: number;
  extra?: string;
}

async function series(label: string, args: string[], dir: string, after?: (m: Measured) => string): Promise<Row> {
  const ms: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    ms.push(await measure(args, dir));
    process.stderr.write(`${label}: ${sec(ms.at(-1)!.ms)}\n`);
  }
  return { what: label, ms: median(ms.map((m) => m.ms)), rss: Math.max(...ms.map((m) => m.rss)), ...(after ? { extra: after(ms.at(-1)!) } : {}) };
}

async function inference(): Promise<{ ref: Row; cli: Row; inProcessMs: number }> {
  const dataDir = join(ROOT, 'bench-data', `rows-${rows}`);
  const { a, b } = await ensureGenerated(rows, dataDir);
  const inProcess: number[] = [];
  const ref = await series('reference: reservoir samples in DuckDB SQL', [join(ROOT, 'bench/reference-sample.mjs'), a, b], dataDir);
  const cli = await series('recon definition infer', [recon, 'definition', 'infer', '--a', a, '--b', b, '--json'], dataDir, (m) => {
    const timings = (JSON.parse(m.stdout) as { report: { timings: Record<string, number> } }).report.timings;
    inProcess.push(Object.values(timings).reduce((x, y) => x + y, 0));
    return '';
  });
  return { ref, cli, inProcessMs: median(inProcess) };
}

async function exports(): Promise<Row[]> {
  const workspace = join(ROOT, 'bench-data', 'reports', 'workspace');
  const runId = `synthetic-${breaks}`;
  const dbPath = join(workspace, 'runs', `${runId}.duckdb`);
  if (!existsSync(dbPath)) {
    process.stderr.write(`building a synthetic run with ${breaks.toLocaleString('en-US')} breaks in ${workspace}\n`);
    await createSyntheticRun({ workspace, runId, breaks });
  }
  const out = join(ROOT, 'bench-data', 'reports', 'out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const size = (path: string) => () => `${mb(statSync(path).size)} file`;
  const ref = await series('reference: DuckDB COPY breaks TO csv', [join(ROOT, 'bench/reference-copy.mjs'), dbPath, join(out, 'ref.csv')], out, size(join(out, 'ref.csv')));
  const exp = (format: string, file: string): Promise<Row> =>
    series(`recon export --format ${format}`, [recon, 'export', runId, '--format', format, '--out', join(out, file), '--workspace', workspace], out, size(join(out, file)));
  return [ref, await exp('csv', 'breaks.csv'), await exp('xlsx', 'breaks.xlsx')];
}

const inf = await inference();
const exp = await exports();
const refExport = exp[0]!;
const ratio = (r: Row, to: Row): string => `${(r.ms / to.ms).toFixed(2)}×`;
const body = [
  `### Smart set-up and reports`,
  '',
  `Command: \`npm run bench:reports\` — measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; median of ${runs} run(s) each.`,
  '',
  `Inference on two ${rows.toLocaleString('en-US')}-row files (\`recon generate --seed 42\`; target ≤ 3 s):`,
  '',
  '| | wall time | peak RSS | ratio |',
  '|---|---|---|---|',
  `| ${inf.ref.what} (bench/reference-sample.mjs) | ${sec(inf.ref.ms)} | ${mb(inf.ref.rss)} | 1× |`,
  `| \`recon definition infer --json\` (whole CLI process) | ${sec(inf.cli.ms)} | ${mb(inf.cli.rss)} | ${ratio(inf.cli, inf.ref)} |`,
  `| the inference itself (sum of its stage timings, as the workstation's task worker runs it) | ${sec(inf.inProcessMs)} | | ${(inf.inProcessMs / inf.ref.ms).toFixed(2)}× |`,
  '',
  `Exports of a run with ${breaks.toLocaleString('en-US')} breaks (bench/synthetic-run.ts):`,
  '',
  '| | wall time | peak RSS | output | ratio |',
  '|---|---|---|---|---|',
  ...exp.map((r) => `| ${r.what === refExport.what ? `${r.what} (bench/reference-copy.mjs)` : `\`${r.what}\``} | ${sec(r.ms)} | ${mb(r.rss)} | ${r.extra ?? ''} | ${ratio(r, refExport)} |`),
];
process.stdout.write(`${body.join('\n')}\n`);
if (!values['no-docs']) writeDocsSection('reports', body);
