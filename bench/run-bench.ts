/**
 * `npm run bench`: times `recon run` against hand-written DuckDB SQL for the
 * same recon (bench/reference-recon.mjs, "the floor") on a mix of file
 * dialects (bench/dialects.ts), each pair against its own floor, in the same
 * session, on the same files, alternating the two, as medians of several runs,
 * with peak RSS of each process and the run's stage timings. Results go to
 * docs/BENCHMARKS.md (the section for this row count; a run of some dialects
 * replaces their rows and keeps the others) and stdout.
 *
 *   npm run bench                                   # every dialect, 1,000,000 rows a side, 3 runs
 *   npm run bench -- --dialect plain,quoted         # some dialects
 *   npm run bench -- --rows 10000000 --runs 1 --memory-limit 2GB
 *   npm run bench -- --no-series                    # without break memory's cost (bench/series-bench.ts)
 *   npm run bench -- --compare v0.1.0               # also time the engine at a git ref, in the same session
 *   npm run bench -- --only-matching                # matching without a key alone (bench/matching-bench.ts)
 */
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DIALECTS, ensureDialects, findDialect } from './dialects.ts';
import { checkoutRef, type RefCheckout } from './compare-ref.ts';
import { benchSeries } from './series-bench.ts';
import { benchMatching } from './matching-bench.ts';
import { ensureGenerated, mb, measure as measureIn, type Measured, median, ROOT, sec, writeDocsSection } from './measure.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    dialect: { type: 'string' },
    'memory-limit': { type: 'string' },
    'data-dir': { type: 'string', default: join(ROOT, 'bench-data') },
    'no-docs': { type: 'boolean', default: false },
    // Break memory's cost (bench/series-bench.ts) runs after the dialects unless this is given.
    'no-series': { type: 'boolean', default: false },
    // Matching without a key (bench/matching-bench.ts) runs last unless this is given; --only-matching runs it alone.
    'no-matching': { type: 'boolean', default: false },
    'only-matching': { type: 'boolean', default: false },
    // A git ref whose engine is timed too, alternating with this checkout's (bench/compare-ref.ts).
    compare: { type: 'string' },
  },
});
const rows = Number(values.rows);
const runs = Number(values.runs);
const memoryLimit = values['memory-limit'];
const dataDir = resolve(values['data-dir'], `rows-${rows}`);
const dialects = values.dialect ? values.dialect.split(',').map((n) => findDialect(n.trim())) : DIALECTS;
const measure = (args: string[]): Promise<Measured> => measureIn(args, dataDir);

/** One dialect's result, also kept (as JSON) in the docs section so a later run of other dialects keeps it. */
interface DialectResult {
  dialect: string;
  date: string;
  runs: number;
  command: string;
  memoryLimit: string | null;
  /** 1-minute load average when its runs started (2 cores: above ~2, others were busy too). */
  load: number;
  floorMs: number;
  reconMs: number;
  ratio: number;
  /** The same ratio in CPU time (user + system, all threads), which other work on the machine disturbs less. */
  floorCpuMs: number;
  reconCpuMs: number;
  cpuRatio: number;
  floorRss: number;
  reconRss: number;
  stagesMs: Record<string, number>;
  breaks: number;
  /** Of `breaks`, DUPLICATE_KEY ones (the floor does not look for duplicates). */
  duplicateKeyBreaks: number;
  floorBreaks: number;
}

function command(): string {
  const args: string[] = [];
  if (rows !== 1_000_000) args.push(`--rows ${rows}`);
  if (runs !== 3) args.push(`--runs ${runs}`);
  if (values.dialect) args.push(`--dialect ${values.dialect}`);
  if (memoryLimit) args.push(`--memory-limit ${memoryLimit}`);
  return args.length ? `npm run bench -- ${args.join(' ')}` : 'npm run bench';
}

async function main(): Promise<void> {
  const matching = (): Promise<void> => benchMatching({ runs, dataDir: resolve(values['data-dir']), docs: !values['no-docs'] });
  if (values['only-matching']) return matching();
  const gen = await ensureGenerated(rows, dataDir);
  const files = await ensureDialects(dialects, dataDir, gen);
  const workspace = join(dataDir, 'workspace');
  const refDb = join(dataDir, 'reference.duckdb');
  const results: DialectResult[] = [];
  const before = values.compare ? checkoutRef(values.compare, dataDir) : undefined;
  const compared: ComparedResult[] = [];
  for (const d of dialects) {
    const f = files.get(d.name)!;
    const ref: Measured[] = [];
    const app: Measured[] = [];
    const stages: Record<string, number[]> = {};
    const old: Measured[] = [];
    let breaks = 0;
    let duplicateKeyBreaks = 0;
    let floorBreaks = 0;
    const load = loadavg()[0]!;
    for (let i = 0; i < runs; i++) {
      // Alternate the two so background noise falls on both alike.
      ref.push(await measure([join(ROOT, 'bench/reference-recon.mjs'), f.reference, refDb, ...(memoryLimit ? [memoryLimit] : [])]));
      rmSync(refDb, { force: true });
      floorBreaks = (JSON.parse(ref.at(-1)!.stdout) as { breaks: number }).breaks;
      rmSync(workspace, { recursive: true, force: true });
      // Not measured: builds the CLI bundle if the engine changed since (others may be editing it).
      await measure([join(ROOT, 'bin/recon.mjs'), '--version']);
      const args = [join(ROOT, 'bin/recon.mjs'), 'run', '--a', f.a, '--b', f.b, '--definition', f.definition, '--workspace', workspace, '--json', '--quiet'];
      if (memoryLimit) args.push('--memory-limit', memoryLimit);
      const m = await measure(args);
      app.push(m);
      const summary = JSON.parse(m.stdout) as { breaks: { total: number; byType: Record<string, number> }; timings: Record<string, number> };
      breaks = summary.breaks.total;
      duplicateKeyBreaks = summary.breaks.byType['DUPLICATE_KEY'] ?? 0;
      for (const [k, v] of Object.entries(summary.timings)) (stages[k] ??= []).push(v);
      if (before) {
        rmSync(workspace, { recursive: true, force: true });
        await measure([before.bin, '--version']);
        old.push(await measure([before.bin, ...args.slice(1)]));
        process.stderr.write(`${d.name} run ${i + 1}/${runs}: at ${before.ref} ${sec(old.at(-1)!.ms)}\n`);
      }
      process.stderr.write(`${d.name} run ${i + 1}/${runs}: floor ${sec(ref.at(-1)!.ms)}, recon ${sec(m.ms)} (${(m.ms / ref.at(-1)!.ms).toFixed(2)}×); CPU ${sec(ref.at(-1)!.cpuMs)} / ${sec(m.cpuMs)}\n`);
    }
    rmSync(workspace, { recursive: true, force: true });
    if (before) {
      const now = median(app.map((r) => r.ms));
      const then = median(old.map((r) => r.ms));
      const nowCpu = median(app.map((r) => r.cpuMs));
      const thenCpu = median(old.map((r) => r.cpuMs));
      compared.push({ dialect: d.name, nowMs: Math.round(now), thenMs: Math.round(then), ratio: Number((now / then).toFixed(2)), cpuRatio: Number((nowCpu / thenCpu).toFixed(2)) });
      process.stderr.write(`${d.name}: now ${sec(now)} / at ${before.ref} ${sec(then)} = ${compared.at(-1)!.ratio}× (CPU ${compared.at(-1)!.cpuRatio}×)\n`);
      if (!values['no-docs']) writeCompareDocs(before, compared);
    }
    const floorMs = median(ref.map((r) => r.ms));
    const reconMs = median(app.map((r) => r.ms));
    const floorCpuMs = median(ref.map((r) => r.cpuMs));
    const reconCpuMs = median(app.map((r) => r.cpuMs));
    results.push({
      dialect: d.name,
      date: new Date().toISOString().slice(0, 10),
      runs,
      command: command(),
      memoryLimit: memoryLimit ?? null,
      load: Number(load.toFixed(1)),
      floorMs: Math.round(floorMs),
      reconMs: Math.round(reconMs),
      ratio: Number((reconMs / floorMs).toFixed(2)),
      floorCpuMs: Math.round(floorCpuMs),
      reconCpuMs: Math.round(reconCpuMs),
      cpuRatio: Number((reconCpuMs / floorCpuMs).toFixed(2)),
      floorRss: Math.max(...ref.map((r) => r.rss)),
      reconRss: Math.max(...app.map((r) => r.rss)),
      stagesMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Math.round(median(v))])),
      breaks,
      duplicateKeyBreaks,
      floorBreaks,
    });
    process.stderr.write(`${d.name}: recon ${sec(reconMs)} / floor ${sec(floorMs)} = ${results.at(-1)!.ratio}× (CPU ${results.at(-1)!.cpuRatio}×), peak RSS ${mb(results.at(-1)!.reconRss)}\n`);
    // After each dialect, so a long run that stops half-way keeps what it measured.
    if (!values['no-docs']) writeDocs(results);
  }
  if (!values['no-series'] && !values.dialect) await benchSeries({ rows, runs, dataDir: resolve(values['data-dir']), docs: !values['no-docs'] });
  if (!values['no-matching'] && !values.dialect) await matching();
  const worst = results.reduce((w, r) => (r.ratio > w.ratio ? r : w));
  process.stdout.write(`${JSON.stringify({ rows, runs, worst: { dialect: worst.dialect, ratio: worst.ratio }, results }, null, 2)}\n`);
}

/** One dialect's `recon run` now against the engine at the compared ref. */
interface ComparedResult {
  dialect: string;
  nowMs: number;
  thenMs: number;
  ratio: number;
  cpuRatio: number;
}

/** The section "now against REF" for this row count (replaced by each comparison). */
function writeCompareDocs(before: RefCheckout, compared: ComparedResult[]): void {
  const worst = compared.reduce((w, r) => (r.ratio > w.ratio ? r : w));
  writeDocsSection(`compare-${rows}`, [
    `### Engine now against \`${before.ref}\` (${before.sha.slice(0, 10)}), ${rows.toLocaleString('en-US')} rows a side`,
    '',
    `The same \`recon run\` of each dialect's pair with this checkout's engine and with the engine at \`${before.ref}\` (a git worktree of that commit), alternating in the same session; medians of ${runs} runs each, ${new Date().toISOString().slice(0, 10)}, load ${loadavg()[0]!.toFixed(1)}. Below 1 is faster now.`,
    '',
    `**Worst: ${worst.ratio}× (${worst.dialect})**`,
    '',
    `| dialect | now | at ${before.ref} | now / then | CPU now / then |`,
    '|---|---|---|---|---|',
    ...compared.map((r) => `| ${r.dialect} | ${sec(r.nowMs)} | ${sec(r.thenMs)} | **${r.ratio}×** | ${r.cpuRatio}× |`),
    '',
    `Command: \`npm run bench -- --compare ${before.ref}${values.dialect ? ` --dialect ${values.dialect}` : ''}${runs !== 3 ? ` --runs ${runs}` : ''}\`.`,
  ]);
}

const DOC_FILE = join(ROOT, 'docs/BENCHMARKS.md');
const STAGES = ['prepare', 'ingestA', 'ingestB', 'normalize', 'diff', 'memory', 'checks', 'attribution', 'write'];

/** Results of earlier runs kept in the section (`<!-- bench:data … -->`), by dialect. */
function earlierResults(marker: string): DialectResult[] {
  let doc: string;
  try {
    doc = readFileSync(DOC_FILE, 'utf8');
  } catch {
    return [];
  }
  const section = new RegExp(`<!-- bench:${marker}:start -->([\\s\\S]*?)<!-- bench:${marker}:end -->`).exec(doc)?.[1] ?? '';
  const data = /<!-- bench:data (.*?) -->/.exec(section)?.[1];
  return data ? (JSON.parse(data) as DialectResult[]) : [];
}

function writeDocs(fresh: DialectResult[]): void {
  const marker = `rows-${rows}`;
  const byName = new Map(earlierResults(marker).map((r) => [r.dialect, r]));
  for (const r of fresh) byName.set(r.dialect, r);
  const all = DIALECTS.map((d) => byName.get(d.name)).filter((r): r is DialectResult => r !== undefined);
  const worst = all.reduce((w, r) => (r.ratio > w.ratio ? r : w));
  const maxRss = all.reduce((w, r) => (r.reconRss > w.reconRss ? r : w));
  const label = new Map(DIALECTS.map((d) => [d.name, d.label]));
  const commands = [...new Set(all.map((r) => r.command))];
  // The checks run inside attribution (while its forest predicts in JavaScript): not counted twice.
  const outside = (r: DialectResult): number => r.reconMs - STAGES.reduce((s, k) => s + (k === 'checks' ? 0 : (r.stagesMs[k] ?? 0)), 0);
  writeDocsSection(marker, [
    `### Engine: ${rows.toLocaleString('en-US')} rows a side, by file dialect`,
    '',
    `Each dialect's pair holds the same generated trades and injected breaks (\`recon generate --seed 42\`, rewritten by bench/dialects.ts). ` +
      `Every \`recon run\` (the whole CLI process) is timed against the hand-written DuckDB SQL for the same job on the same files (bench/reference-recon.mjs, "floor": read both files in the dialect, trim/cast/map what the data needs, full outer join, compare with tolerances, write the breaks), ` +
      `alternating the two in the same session; medians, peak RSS over the runs. Measured on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}.` +
      (all.some((r) => r.memoryLimit) ? ' With a memory limit, both get it (DuckDB `memory_limit`).' : ''),
    '',
    `**Worst ratio: ${worst.ratio}× (${worst.dialect})**; highest peak RSS ${mb(maxRss.reconRss)} (${maxRss.dialect}).`,
    '',
    '| dialect | files | `recon run` | floor | **ratio** | CPU time recon / floor (ratio) | peak RSS recon / floor | breaks recon (duplicate keys) / floor | measured (runs, load) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...all.map(
      (r) =>
        `| ${r.dialect} | ${label.get(r.dialect)} | ${sec(r.reconMs)} | ${sec(r.floorMs)} | **${r.ratio}×** | ${sec(r.reconCpuMs)} / ${sec(r.floorCpuMs)} (${r.cpuRatio}×) | ${mb(r.reconRss)} / ${mb(r.floorRss)} | ${r.breaks.toLocaleString('en-US')} (${r.duplicateKeyBreaks.toLocaleString('en-US')}) / ${r.floorBreaks.toLocaleString('en-US')} | ${r.date} (${r.runs}, ${r.load}) |`,
    ),
    '',
    'Stages of `recon run` (median ms; the checks run during attribution and are part of its time too; "outside" is the wall time not in a stage: CLI start, worker start, DuckDB open and close):',
    '',
    `| dialect | ${STAGES.join(' | ')} | outside |`,
    `|---|${STAGES.map(() => '---|').join('')}---|`,
    ...all.map((r) => `| ${r.dialect} | ${STAGES.map((k) => r.stagesMs[k] ?? '').join(' | ')} | ${outside(r)} |`),
    '',
    `Command${commands.length > 1 ? 's' : ''}: ${commands.map((c) => `\`${c}\``).join(', ')}` +
      (commands.length > 1 ? ` (each row's run in its "measured" column)` : '') +
      '. The floor finds the same breaks except the duplicate-key ones (it does not look for duplicates: a duplicated key simply joins twice), and keeps no rejects, checks, attribution or audit.',
    `<!-- bench:data ${JSON.stringify(all)} -->`,
  ]);
}

await main();
