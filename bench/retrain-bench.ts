/**
 * Retraining (issue 18, item 9): the baseline plus N workspace labels, timed
 * by stage, on this machine.
 *
 *   npm run bench:retrain [-- --labels 10000 --runs 3 --library-trees 3]
 *
 * Labels: the MISMATCH breaks of a `recon generate` run (seed 31338, never in
 * the baseline recipe), labelled with the generator's truth, as reviewers'
 * decisions would be (run file + break id + reason). The first retraining in
 * a fresh cache directory builds the baseline data (once per baseline
 * version, timed on its own line); the timed runs then read it from the
 * cache, as every later retraining in a workspace does. `--library-trees`
 * times ml-random-forest's own trainer (the trainer before this change) on the
 * same rows for that many trees, for the before/after figure per tree.
 */
import { cpus, tmpdir } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BASELINE_MODEL_PATH } from '../engine/attribution/model-store.ts';
import { ReasonModel } from '../engine/attribution/model.ts';
import { labelBreaksFromTruth } from '../engine/attribution/labels.ts';
import { readExamples, TrainingSetBuilder, type TrainingExample } from '../engine/attribution/training-data.ts';
import { DEFAULT_REASON_CODES } from '../engine/attribution/catalogue.ts';
import { openDuckDB, queryRows } from '../engine/duckdb/open.ts';
import { loadBaselineData } from '../engine/training/baseline-cache.ts';
import { BASELINE_TRAIN_OPTIONS } from '../engine/training/baseline-recipe.ts';
import { generateAndRun } from '../engine/training/generated-runs.ts';
import { retrainWorkspaceModel, type RetrainResult } from '../engine/training/retrain.ts';

const { values } = parseArgs({
  options: { labels: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' }, 'library-trees': { type: 'string', default: '0' } },
  strict: true,
});
const wanted = Number(values.labels);
const log = (s: string): void => void process.stdout.write(`${s}\n`);
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

const work = await mkdtemp(join(tmpdir(), 'recon-retrain-bench-'));
try {
  // ~6.5% of generated trades carry a MISMATCH break at break rate 0.1 (measured): a margin over that.
  const run = await generateAndRun({ seed: 31338, rows: Math.ceil((wanted / 0.06) * 1.1), breakRate: 0.1 }, work);
  const db = await openDuckDB({ path: run.database });
  let examples: TrainingExample[];
  try {
    await labelBreaksFromTruth(db.connection, run.truthPath);
    const rows = await queryRows<{ break_id: bigint; reason: string }>(
      db.connection,
      `SELECT l.break_id, l.reason FROM break_labels l JOIN breaks b USING (break_id) WHERE b.diff_type = 'MISMATCH' ORDER BY l.break_id LIMIT ${wanted}`,
    );
    examples = rows.map((r) => ({ runDb: run.database, breakId: Number(r.break_id), reason: r.reason }));
  } finally {
    db.close();
  }
  log(`${examples.length.toLocaleString('en-US')} labels (MISMATCH breaks of a generated run, truth as reviewers' reasons); ${cpus().length} cores, Node ${process.versions.node}`);

  const cacheDir = join(work, 'cache');
  const t0 = performance.now();
  const version = (await ReasonModel.load(BASELINE_MODEL_PATH)).version;
  await loadBaselineData(cacheDir, version, { workDir: join(work, 'baseline') });
  log(`baseline data built once (cold cache): ${s(performance.now() - t0)}`);

  const results: RetrainResult[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const workspace = join(work, `ws-${i}`);
    results.push(await retrainWorkspaceModel({ workspace, examples, threshold: 0.9, workDir: join(work, `w-${i}`), cacheDir }));
  }
  results.sort((a, b) => a.timings.totalMs - b.timings.totalMs);
  const mid = results[results.length >> 1]!;
  const t = mid.timings;
  log(
    `retrain, warm cache: ${s(t.totalMs)} median of ${results.length} (labels ${s(t.labelsMs)}, baseline data ${s(t.baselineMs)}, ` +
      `${BASELINE_TRAIN_OPTIONS.nEstimators} trees ${s(t.trainMs)}, scoring ${s(t.scoreMs)}); runs: ${results.map((r) => s(r.timings.totalMs)).join(', ')}`,
  );
  log(
    `held out: ${mid.heldOut.baseline.toLocaleString('en-US')} baseline + ${mid.heldOut.workspace.toLocaleString('en-US')} labels; ` +
      `new ${pct(mid.candidate.metrics.accuracy)} / auto ${pct(mid.candidate.metrics.autoRate)} / right ${pct(mid.candidate.metrics.autoAccuracy)}, ` +
      `current ${pct(mid.current.metrics.accuracy)} / auto ${pct(mid.current.metrics.autoRate)} / right ${pct(mid.current.metrics.autoAccuracy)}; promoted ${mid.promoted}`,
  );

  const libraryTrees = Number(values['library-trees']);
  if (libraryTrees > 0) {
    // The same training rows as the retraining (baseline + labels × 3), through ml-random-forest's trainer.
    const baseline = await loadBaselineData(cacheDir, version, { workDir: join(work, 'baseline') });
    const own = new TrainingSetBuilder();
    await readExamples(examples, own, DEFAULT_REASON_CODES.map((c) => c.code));
    const b = new TrainingSetBuilder();
    b.addSet(baseline.train);
    const ownSet = own.build();
    for (let k = 0; k < 3; k++) b.addSet(ownSet);
    const set = b.build();
    const tl = performance.now();
    ReasonModel.train(set, { ...BASELINE_TRAIN_OPTIONS, nEstimators: libraryTrees });
    const perTree = (performance.now() - tl) / libraryTrees;
    log(
      `ml-random-forest trainer on the same ${set.y.length.toLocaleString('en-US')} rows: ${s(perTree)} a tree ` +
        `(${libraryTrees} timed; ${BASELINE_TRAIN_OPTIONS.nEstimators} trees ≈ ${s(perTree * BASELINE_TRAIN_OPTIONS.nEstimators!)}), against ${s(t.trainMs / BASELINE_TRAIN_OPTIONS.nEstimators!)} a tree here`,
    );
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
