/**
 * Attribution benchmark: features + prediction (+ explanations + writing
 * `attributions`) for N breaks, on a run-sized DuckDB file.
 *
 *   npx tsx engine/training/benchmark.ts [--breaks 100000] [--source generated|synthetic] [--runs 3]
 *
 * generated: `recon generate` extracts (break rate 0.1) reconciled by the
 * engine, so the breaks are exactly what a run produces; synthetic: generic
 * break shapes with far more strings and unexplained breaks (more REVIEW
 * breaks to explain), a harder case. Prints the median of the runs.
 */
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDuckDB } from '../duckdb/open.ts';
import { attributeBreaks, type AttributionSummary } from '../attribution/attribute.ts';
import { generateAndRun } from './generated-runs.ts';
import { writeBreakRows, type BreakRow } from '../attribution/break-rows.ts';
import type { FxTable } from '../attribution/fx-rates.ts';
import { loadCurrentModel } from '../attribution/model-store.ts';
import { syntheticRun } from '../attribution/synthetic-breaks.ts';

const { values } = parseArgs({
  options: { breaks: { type: 'string', default: '100000' }, source: { type: 'string', default: 'generated' }, runs: { type: 'string', default: '3' } },
  strict: true,
});
const target = Number(values.breaks);
const work = await mkdtemp(join(tmpdir(), 'recon-attr-bench-'));
try {
  const { model } = await loadCurrentModel();
  let database: string;
  let fx: FxTable;
  if (values.source === 'synthetic') {
    const rows: BreakRow[] = [];
    for (let i = 0; rows.length < target; i++) {
      for (const b of syntheticRun(555, i, 1500).breaks) if (rows.length < target) rows.push({ ...b, breakId: rows.length + 1, key: `K${rows.length}` });
    }
    database = join(work, 'synthetic.duckdb');
    const db = await openDuckDB({ path: database });
    await writeBreakRows(db.connection, 'breaks', rows);
    db.close();
    fx = { EURUSD: '1.0850', USDJPY: '149.50', GBPUSD: '1.2700' };
  } else {
    // recon generate injects a break into breakRate of the trades; ~1.08 breaks each (duplicates count twice).
    const run = await generateAndRun({ seed: 31337, rows: Math.round(target / 0.108), breakRate: 0.1 }, work);
    database = run.database;
    fx = JSON.parse(readFileSync(join(run.dir, 'fx.json'), 'utf8')) as FxTable;
  }
  const results: { ms: number; s: AttributionSummary }[] = [];
  for (let r = 0; r < Number(values.runs); r++) {
    const db = await openDuckDB({ path: database });
    try {
      const t0 = performance.now();
      const s = await attributeBreaks(db.connection, { model, threshold: 0.9, fx });
      results.push({ ms: performance.now() - t0, s });
    } finally {
      db.close();
    }
  }
  results.sort((a, b) => a.ms - b.ms);
  const mid = results[results.length >> 1]!;
  process.stdout.write(
    `${values.source}: ${mid.s.total.toLocaleString('en-US')} breaks attributed in ${Math.round(mid.ms)} ms ` +
      `(features ${mid.s.timings.featuresMs} ms, model + explanations + write ${mid.s.timings.predictMs} ms; ` +
      `${mid.s.byStatus.REVIEW.toLocaleString('en-US')} REVIEW, ${mid.s.explained.toLocaleString('en-US')} explained) — median of ${results.length}, ` +
      `${cpus().length} cores, Node ${process.versions.node}, model ${model.version}\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
