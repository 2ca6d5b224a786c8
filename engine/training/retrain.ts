import { decide } from '../attribution/attribute.ts';
import { BASELINE_TRAIN_OPTIONS } from './baseline-recipe.ts';
import { MetricsAccumulator, type ModelMetrics } from '../attribution/metrics.ts';
import { BASELINE_MODEL_PATH, loadCurrentModel, promoteModel } from '../attribution/model-store.ts';
import { ReasonModel, type TrainingSet, type TrainOptions } from '../attribution/model.ts';
import { readExamples, TrainingSetBuilder, type TrainingExample } from '../attribution/training-data.ts';
import { DEFAULT_REASON_CODES } from '../attribution/catalogue.ts';
import { loadBaselineData } from './baseline-cache.ts';
import { heldOutKey, isHeldOut, recordEvaluations, trainingCacheDir, type HeldOutSet } from './held-out.ts';
import { RetrainReporter, type RetrainProgress } from './retrain-progress.ts';

/**
 * `recon model train`: retrains on the baseline data plus the workspace's own
 * labels, scores the new and the current model on the same held-out rows
 * (held-out.ts: which rows, and why), and promotes the new one only if it is
 * no worse (see `noWorse`).
 *
 * The baseline's feature matrices come from a file cache (baseline-cache.ts),
 * built once per baseline version; the trees grow one at a time
 * (ReasonModel.trainInSteps), so progress is named stages with fractions and
 * `signal` stops the work between any two steps. Nothing is written to the
 * workspace's models before the last stage, so a cancelled retraining leaves
 * the current model as it was. Workspace labels are repeated `labelWeight`
 * times in training: the team's own judgement should outweigh thousands of
 * synthetic rows (bagging treats repeats as weight).
 */
export interface RetrainInput {
  workspace: string;
  examples: readonly TrainingExample[];
  threshold: number;
  /** Extra reason codes the workspace catalogue defines (admin-added). */
  extraCodes?: readonly string[];
  labelWeight?: number;
  trainOptions?: TrainOptions;
  /** The baseline rows; default: the cached baseline data (tests pass a small set, with `baselineHoldout`). */
  baseline?: TrainingSet;
  /** The baseline's held-out rows, with `baseline`. */
  baselineHoldout?: TrainingSet;
  /** Where the baseline data is cached; default `<workspace>/cache/training` (the host passes the real workspace's, not the scratch copy's). */
  cacheDir?: string;
  workDir: string;
  log?: (s: string) => void;
  progress?: (p: RetrainProgress) => void;
  signal?: AbortSignal;
}

export interface RetrainResult {
  promoted: boolean;
  candidate: { version: string; metrics: ModelMetrics };
  current: { version: string; path: string; metrics: ModelMetrics };
  /** The held-out set both were scored on. */
  heldOut: HeldOutSet;
  /** The new model file when promoted. */
  path?: string;
  workspaceLabels: number;
  timings: { totalMs: number; baselineMs: number; labelsMs: number; trainMs: number; scoreMs: number };
}

/** Retrains, compares against the current model on the held-out set, promotes if no worse. */
export async function retrainWorkspaceModel(input: RetrainInput): Promise<RetrainResult> {
  const t0 = performance.now();
  const report = new RetrainReporter(input.progress, input.log);
  const signal = input.signal;
  const codes = [...DEFAULT_REASON_CODES.map((r) => r.code), ...(input.extraCodes ?? [])];
  const train = new TrainingSetBuilder();
  const holdout = new TrainingSetBuilder();
  const own = new TrainingSetBuilder();

  // 1. Reading labels: each run file's features of the labelled breaks, split by identity
  // before reading, so a label is held out or trained on, never both.
  report.stage('labels', `Reading ${input.examples.length.toLocaleString('en-US')} label(s)`);
  const byRun = new Map<string, TrainingExample[]>();
  for (const e of input.examples) {
    const list = byRun.get(e.runDb);
    if (list) list.push(e);
    else byRun.set(e.runDb, [e]);
  }
  let workspaceLabels = 0;
  let workspaceHeld = 0;
  let r = 0;
  for (const list of byRun.values()) {
    signal?.throwIfAborted();
    const held = await readExamples(list.filter(isHeldOut), holdout, codes);
    workspaceHeld += held;
    workspaceLabels += held + (await readExamples(list.filter((e) => !isHeldOut(e)), own, codes));
    report.step(++r / byRun.size, `Reading labels: run file ${r} of ${byRun.size}`);
  }
  report.log(`Workspace labels: ${workspaceLabels} MISMATCH breaks with features (${workspaceHeld} held out)`);
  const labelsMs = performance.now() - t0;

  // 2. Building features: the baseline's matrices (cached), then the training matrix.
  signal?.throwIfAborted();
  const tb = performance.now();
  report.stage('features', 'Loading the baseline data');
  const baseline = input.baseline
    ? { key: 'given', train: input.baseline, holdout: input.baselineHoldout ?? { x: new Float64Array(0), y: [] } }
    : await loadBaselineData(input.cacheDir ?? trainingCacheDir(input.workspace), (await ReasonModel.load(BASELINE_MODEL_PATH)).version, {
        workDir: input.workDir,
        onBuild: () => report.step(0.05, 'Building the baseline data (once per baseline version, ~30 s to a few minutes)'),
        log: (s) => report.log(s.trim()),
        ...(signal ? { signal } : {}),
      });
  const baselineMs = performance.now() - tb;
  report.step(0.6, 'Assembling the training rows');
  train.addSet(baseline.train);
  holdout.addSet(baseline.holdout);
  const ownSet = own.build();
  for (let k = 0; k < (input.labelWeight ?? 3); k++) train.addSet(ownSet);
  const trainSet = train.build();
  const heldOutRows = holdout.build();
  const heldOut: HeldOutSet = { key: heldOutKey(baseline.key, input.examples), baseline: baseline.holdout.y.length, workspace: workspaceHeld };
  report.step(1, `${trainSet.y.length.toLocaleString('en-US')} training rows, ${heldOutRows.y.length.toLocaleString('en-US')} held out`);

  // 3. Training trees k/N.
  signal?.throwIfAborted();
  const tt = performance.now();
  const options = { ...BASELINE_TRAIN_OPTIONS, label: 'ws', ...input.trainOptions };
  report.stage('training', `Training ${options.nEstimators ?? 60} trees`);
  const candidate = await ReasonModel.trainInSteps(trainSet, options, {
    onTree: (k, n) => report.step(k / n, `Training trees: ${k} of ${n}`),
    ...(signal ? { signal } : {}),
  });
  const trainMs = performance.now() - tt;

  // 4. Scoring both models on the same held-out rows.
  signal?.throwIfAborted();
  const ts = performance.now();
  report.stage('scoring', `Scoring on ${heldOutRows.y.length.toLocaleString('en-US')} held-out breaks`);
  const { model: current, path: currentPath } = await loadCurrentModel(input.workspace);
  const candidateMetrics = scoreSet(candidate, heldOutRows, input.threshold);
  report.step(0.5, 'Scoring the current model');
  const currentMetrics = scoreSet(current, heldOutRows, input.threshold);
  report.step(1, 'Scored');
  const scoreMs = performance.now() - ts;

  // 5. Promoting: the first write to the workspace's models, after the last cancel point.
  signal?.throwIfAborted();
  const promoted = noWorse(candidateMetrics, currentMetrics);
  report.stage('promoting', promoted ? 'Promoting the new model' : 'Not promoted: worse than the current model');
  const measuredAt = new Date().toISOString();
  await recordEvaluations(input.workspace, [
    { version: candidate.version, heldOut, metrics: candidateMetrics, measuredAt },
    { version: current.version, heldOut, metrics: currentMetrics, measuredAt },
  ]);
  const result: RetrainResult = {
    promoted,
    candidate: { version: candidate.version, metrics: candidateMetrics },
    current: { version: current.version, path: currentPath, metrics: currentMetrics },
    heldOut,
    workspaceLabels,
    timings: { totalMs: 0, baselineMs: Math.round(baselineMs), labelsMs: Math.round(labelsMs), trainMs: Math.round(trainMs), scoreMs: Math.round(scoreMs) },
  };
  if (promoted) result.path = await promoteModel(input.workspace, candidate.withMetrics(candidateMetrics, undefined, heldOut));
  report.step(1, promoted ? 'Promoted' : 'Done');
  result.timings.totalMs = Math.round(performance.now() - t0);
  return result;
}

/** The accuracy of auto-attributed breaks a promoted model must keep (the product target). */
export const AUTO_ACCURACY_FLOOR = 0.95;

/**
 * The promotion rule, on the same held-out rows: the best guess is right at
 * least as often as the current model's, and the auto-attributed breaks stay
 * at least `AUTO_ACCURACY_FLOOR` accurate (or as accurate as the current
 * model's, if that is lower). Demanding "no lower auto accuracy" outright
 * would reject every model that learns a new code: the current model sends
 * such breaks to review and so is trivially 100% accurate on what it auto-attributes.
 */
export function noWorse(candidate: ModelMetrics, current: ModelMetrics): boolean {
  return candidate.accuracy >= current.accuracy && candidate.autoAccuracy >= Math.min(current.autoAccuracy, AUTO_ACCURACY_FLOOR);
}

/** Scores a model on labelled rows with the production threshold rule. */
export function scoreSet(model: ReasonModel, set: TrainingSet, threshold: number): ModelMetrics {
  const acc = new MetricsAccumulator(threshold);
  const probs = new Float64Array(model.classes.length);
  set.y.forEach((truth, i) => {
    const c = model.predictRow(set.x, i, probs);
    const d = decide(model.classes[c]!, probs[c]!, threshold);
    acc.add(truth, d.suggested ?? d.reason, d.status === 'AUTO');
  });
  return acc.result();
}
