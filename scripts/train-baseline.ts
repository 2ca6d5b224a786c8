/**
 * Trains the shipped baseline reason-code model and writes
 * engine/attribution/baseline-model.json. Reproducible: every data seed, the
 * forest seed and the recipe are fixed in engine/training/baseline-recipe.ts,
 * so the same engine yields the same forest and the same version string.
 *
 *   npx tsx scripts/train-baseline.ts [--out FILE] [--work DIR] [--trained-at ISO]
 *
 * Takes about two minutes on a 2-core machine (most of it growing the trees).
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BASELINE_TRAIN_OPTIONS, buildBaselineHoldoutSet, buildBaselineTrainingSet, evaluateBaselineHoldout } from '../engine/training/baseline-recipe.ts';
import { baselineDataKey } from '../engine/training/baseline-cache.ts';
import { heldOutKey } from '../engine/training/held-out.ts';
import { scoreSet } from '../engine/training/retrain.ts';
import { formatMetrics } from '../engine/attribution/metrics.ts';
import { BASELINE_MODEL_PATH } from '../engine/attribution/model-store.ts';
import { ReasonModel } from '../engine/attribution/model.ts';

const THRESHOLD = 0.9;

const { values } = parseArgs({
  options: { out: { type: 'string' }, work: { type: 'string' }, 'trained-at': { type: 'string' } },
  strict: true,
});
const out = values.out ?? BASELINE_MODEL_PATH;
const work = values.work ?? join(tmpdir(), `recon-train-baseline-${process.pid}`);
const log = (s: string): void => void process.stdout.write(`${s}\n`);

await mkdir(work, { recursive: true });
try {
  let t = performance.now();
  log('Building the training set…');
  const set = await buildBaselineTrainingSet(work, log);
  log(`  ${set.y.length} rows in ${Math.round(performance.now() - t)} ms`);

  t = performance.now();
  log(`Training (${BASELINE_TRAIN_OPTIONS.nEstimators} trees)…`);
  const trained = ReasonModel.train(set, {
    ...BASELINE_TRAIN_OPTIONS,
    ...(values['trained-at'] ? { trainedAt: new Date(values['trained-at']) } : {}),
  });
  log(`  ${trained.version} in ${Math.round(performance.now() - t)} ms`);

  t = performance.now();
  log('Evaluating on held-out seeds…');
  const h = await evaluateBaselineHoldout(trained, work, THRESHOLD);
  // The stored figures are on the held-out set every screen uses (engine/training/held-out.ts):
  // the recipe's held-out MISMATCH rows, model alone; a workspace adds its own held-out labels to it.
  const holdout = await buildBaselineHoldoutSet(work);
  const heldOut = { key: heldOutKey(baselineDataKey(trained.version), []), baseline: holdout.y.length, workspace: 0 };
  const model = trained.withMetrics(scoreSet(trained, holdout, THRESHOLD), { generatedAll: h.generated, generatedMismatches: h.generatedMismatches, synthetic: h.synthetic }, heldOut);
  log(`  done in ${Math.round(performance.now() - t)} ms\n`);
  log(formatMetrics(h.generated, 'Held-out generated runs, all breaks'));
  log('');
  log(formatMetrics(h.generatedMismatches, 'Held-out generated runs, MISMATCH breaks (the model decides these)'));
  log('');
  log(formatMetrics(h.synthetic, 'Held-out synthetic runs (generic shapes, MISMATCH)'));
  log('');
  log(formatMetrics(model.toJSON().metrics!, 'Stored: the held-out set every screen shows (MISMATCH rows, model alone)'));

  await model.save(out);
  log(`\nWrote ${out} (${((await stat(out)).size / 1024).toFixed(0)} KiB)`);
} finally {
  await rm(work, { recursive: true, force: true });
}
