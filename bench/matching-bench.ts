/**
 * Matching without a key (part of `npm run bench`; docs/MATCHING.md):
 *   1. accuracy: a generated cash pair (`recon generate --kind cash`, 50,000
 *      ledger rows) run with its definition, the matches scored against its
 *      truth as pairs of ids (engine/generate/cash/truth.ts): pair precision and
 *      recall over every match type, and precision and recall of the rows left
 *      unmatched;
 *   2. speed: the whole `recon run` at 100,000 rows a side with every rule
 *      kind, against a 1:1 matcher written by hand in DuckDB SQL on the same
 *      files (bench/reference-match.mjs: equal amount and currency, 3-day
 *      window), alternating, medians;
 *   3. scale: one `recon run` at 1,000,000 rows a side, its peak RSS.
 */
import { existsSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateCash } from '../engine/generate/cash/generate-cash.ts';
import { readTruth, scoreMatches, type CashScore, type PredictedMatch, type PredictedRow } from '../engine/generate/cash/truth.ts';
import type { RunSummary } from '../engine/contract/index.ts';
import { mb, measure, median, ROOT, sec, writeDocsSection } from './measure.ts';

interface Pair {
  dir: string;
  ledger: string;
  bank: string;
  definition: string;
  truth: string;
}

async function ensureCashPair(dataDir: string, rows: number): Promise<Pair> {
  const dir = join(dataDir, `cash-${rows}`);
  const pair = { dir, ledger: join(dir, 'ledger.csv'), bank: join(dir, 'bank.csv'), definition: join(dir, 'definition.json'), truth: join(dir, 'truth.csv') };
  if (!existsSync(pair.truth)) {
    process.stderr.write(`generating a cash pair of ${rows.toLocaleString('en-US')} ledger rows into ${dir}\n`);
    await generateCash({ rows, outDir: dir, seed: 42 });
  }
  return pair;
}

const reconArgs = (p: Pair, workspace: string, memoryLimit?: string): string[] => [
  join(ROOT, 'bin/recon.mjs'),
  'run',
  '--a',
  p.ledger,
  '--b',
  p.bank,
  '--definition',
  p.definition,
  '--workspace',
  workspace,
  '--previous',
  'none',
  '--json',
  '--quiet',
  ...(memoryLimit ? ['--memory-limit', memoryLimit] : []),
];

/** The run's matches and ambiguous rows, read from its DuckDB file. */
async function readPrediction(database: string): Promise<{ matches: PredictedMatch[]; ambiguous: PredictedRow[] }> {
  const db = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  try {
    const rows = async (sql: string): Promise<string[][]> => (await conn.runAndReadAll(sql)).getRows().map((r) => r.map((v) => String(v)));
    const matches = (await rows(`SELECT upper(side), id, match_id FROM matches`)).map(([side, id, matchId]) => ({ side: side as 'A' | 'B', id: id!, match_id: matchId! }));
    const ambiguous = (await rows(`SELECT upper(side), key FROM breaks WHERE diff_type = 'AMBIGUOUS'`)).map(([side, id]) => ({ side: side as 'A' | 'B', id: id! }));
    return { matches, ambiguous };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

export async function benchMatching(opts: { runs: number; dataDir: string; docs: boolean; accuracyRows?: number; speedRows?: number; scaleRows?: number }): Promise<void> {
  const accuracyRows = opts.accuracyRows ?? 50_000;
  const speedRows = opts.speedRows ?? 100_000;
  const scaleRows = opts.scaleRows ?? 1_000_000;
  const date = new Date().toISOString().slice(0, 10);

  // 1. Accuracy.
  const acc = await ensureCashPair(opts.dataDir, accuracyRows);
  const accWorkspace = join(acc.dir, 'workspace');
  rmSync(accWorkspace, { recursive: true, force: true });
  const accRun = await measure(reconArgs(acc, accWorkspace), acc.dir);
  const accSummary = JSON.parse(accRun.stdout) as RunSummary;
  const predicted = await readPrediction(accSummary.database);
  const score: CashScore = scoreMatches(await readTruth(acc.truth), predicted.matches, predicted.ambiguous);
  process.stderr.write(
    `matching accuracy (${accuracyRows}): pairs P ${pct(score.pairs.precision)} R ${pct(score.pairs.recall)}; unmatched P ${pct(score.unmatched.all.precision)} R ${pct(score.unmatched.all.recall)}\n`,
  );
  rmSync(accWorkspace, { recursive: true, force: true });

  // 2. Speed against the hand-written 1:1 matcher.
  const fast = await ensureCashPair(opts.dataDir, speedRows);
  const speedWorkspace = join(fast.dir, 'workspace');
  const refDb = join(fast.dir, 'reference.duckdb');
  const load = loadavg()[0]!;
  const recon: Awaited<ReturnType<typeof measure>>[] = [];
  const floor: Awaited<ReturnType<typeof measure>>[] = [];
  let speedSummary: RunSummary | undefined;
  for (let i = 0; i < opts.runs; i++) {
    floor.push(await measure([join(ROOT, 'bench/reference-match.mjs'), fast.ledger, fast.bank, refDb], fast.dir));
    rmSync(speedWorkspace, { recursive: true, force: true });
    const r = await measure(reconArgs(fast, speedWorkspace), fast.dir);
    recon.push(r);
    speedSummary = JSON.parse(r.stdout) as RunSummary;
    process.stderr.write(`matching run ${i + 1}/${opts.runs}: recon ${sec(r.ms)}, hand-written 1:1 ${sec(floor.at(-1)!.ms)}\n`);
  }
  rmSync(speedWorkspace, { recursive: true, force: true });
  rmSync(refDb, { force: true });
  const reconMs = median(recon.map((r) => r.ms));
  const floorMs = median(floor.map((r) => r.ms));
  const ratio = Math.round((reconMs / floorMs) * 100) / 100;
  const floorMatches = (JSON.parse(floor.at(-1)!.stdout) as { matches: number }).matches;

  // 3. Scale: one run at 1M rows a side, peak RSS.
  let scale: { ms: number; rss: number; summary: RunSummary } | undefined;
  if (scaleRows > 0) {
    const big = await ensureCashPair(opts.dataDir, scaleRows);
    const bigWorkspace = join(big.dir, 'workspace');
    rmSync(bigWorkspace, { recursive: true, force: true });
    const r = await measure(reconArgs(big, bigWorkspace), big.dir);
    scale = { ms: r.ms, rss: r.rss, summary: JSON.parse(r.stdout) as RunSummary };
    rmSync(bigWorkspace, { recursive: true, force: true });
    process.stderr.write(`matching at ${scaleRows}: ${sec(r.ms)}, peak RSS ${mb(r.rss)}\n`);
  }

  if (!opts.docs) return;
  const n = (x: number): string => x.toLocaleString('en-US');
  const m = accSummary.matching!;
  const types = ['1:1', '1:N', 'N:1', 'N:M'] as const;
  writeDocsSection('matching', [
    '### Matching without a key: accuracy, speed and scale',
    '',
    `Generated cash pairs (\`recon generate --kind cash --seed 42\`: a ledger against a bank statement with equal round amounts, value-date lags, mangled references, spelling variants, 1:N, N:1 and N:M groups, fees and rows with no counterpart), each run with the definition the generator writes. Measured on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${load.toFixed(1)}, ${date}.`,
    '',
    `**Accuracy at ${n(accuracyRows)} ledger rows** (${n(accSummary.counts.a)} A, ${n(accSummary.counts.b)} B), scored against truth.csv as pairs of ids (every A×B pair inside a group):`,
    '',
    '| measure | truth | predicted | correct | precision | recall | target |',
    '|---|---|---|---|---|---|---|',
    `| pairs, all match types | ${n(score.pairs.truth)} | ${n(score.pairs.predicted)} | ${n(score.pairs.correct)} | **${pct(score.pairs.precision)}** | **${pct(score.pairs.recall)}** | ≥ 99% / ≥ 98% |`,
    `| unmatched rows, A | ${n(score.unmatched.A.truth)} | ${n(score.unmatched.A.predicted)} | ${n(score.unmatched.A.correct)} | ${pct(score.unmatched.A.precision)} | ${pct(score.unmatched.A.recall)} | |`,
    `| unmatched rows, B | ${n(score.unmatched.B.truth)} | ${n(score.unmatched.B.predicted)} | ${n(score.unmatched.B.correct)} | ${pct(score.unmatched.B.precision)} | ${pct(score.unmatched.B.recall)} | |`,
    `| unmatched rows, both | ${n(score.unmatched.all.truth)} | ${n(score.unmatched.all.predicted)} | ${n(score.unmatched.all.correct)} | **${pct(score.unmatched.all.precision)}** | **${pct(score.unmatched.all.recall)}** | ≥ 98% / ≥ 98% |`,
    '',
    '| match type | truth groups | pairs found / truth pairs | groups found exactly | matches made |',
    '|---|---|---|---|---|',
    ...types.map((t) => {
      const s = score.byMatchType[t];
      return `| ${t} | ${n(s.truthGroups)} | ${n(s.foundPairs)} / ${n(s.truthPairs)} (${pct(s.recall)}) | ${n(s.exactGroups)} | ${n(s.predictedMatches)} |`;
    }),
    '',
    `Ambiguous rows (ties left to a person): ${n(score.ambiguous.rows)}, of which ${n(score.ambiguous.indistinguishable)} are pairs truth calls indistinguishable. Per rule: ${m.byRule.map((r) => `${r.rule} (${r.type}) ${n(r.groups)}`).join(', ')}.`,
    '',
    `**Speed at ${n(speedRows)} ledger rows** (${n(speedSummary!.counts.a)} A, ${n(speedSummary!.counts.b)} B), every rule kind: \`recon run\` (the whole CLI process: staging, checks, matching, attribution, outputs) ${sec(reconMs)} against the hand-written DuckDB SQL 1:1 matcher (bench/reference-match.mjs: equal amount and currency, 3-day window; ${n(floorMatches)} matches) ${sec(floorMs)}: **${ratio}×** (target ≤ 5×); medians of ${opts.runs}, alternating. Stages (last run, ms): ${Object.entries(speedSummary!.timings)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    scale
      ? `**Scale at ${n(scaleRows)} ledger rows** (${n(scale.summary.counts.a)} A, ${n(scale.summary.counts.b)} B): ${sec(scale.ms)}, **peak RSS ${mb(scale.rss)}** (target: within 4 GB); ${n(scale.summary.matching!.matchedRows.a)} A rows matched. Stages (ms): ${Object.entries(scale.summary.timings)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}.`
      : '',
    '',
    'Command: `npm run bench` (after the dialect mix and break memory; `--no-matching` skips it, `--only-matching` runs it alone).',
  ]);
}
