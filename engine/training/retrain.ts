import { createHash } from 'node:crypto';
import { decide } from '../attribution/attribute.ts';
import { BASELINE_TRAIN_OPTIONS, buildBaselineHoldoutSet, buildBaselineTrainingSet } from './baseline-recipe.ts';
import { MetricsAccumulator, type ModelMetrics } from '../attribution/metrics.ts';
import { loadCurrentModel, promoteModel } from '../attribution/model-store.ts';
import { ReasonModel, type TrainingSet, type TrainOptions } from '../attribution/model.ts';
import { readExamples, TrainingSetBuilder, type TrainingExample } from '../attribution/training-data.ts';
import { DEFAULT_REASON_CODES } from '../attribution/catalogue.ts';

/**
 * `recon model train`: retrains on the baseline data plus the workspace's own
 * labels, scores the new and the current model on the same held-out rows,
 * and promotes the new one only if it is no worse (see `noWorse`).
 *
 * Held-out rows are ones neither model trained on: the baseline recipe's
 * held-out seeds, plus a fixed 20% of the workspace labels chosen by a hash of
 * (run database, break id) — the same labels every time, so an earlier
 * workspace model never saw them either. Workspace labels are repeated
 * `labelWeight` times in training: the team's own judgement should outweigh
 * thousands of synthetic rows (bagging treats repeats as weight).
 */
export interface RetrainInput {
  workspace: string;
  examples: readonly TrainingExample[];
  threshold: number;
  /** Extra reason codes the workspace catalogue defines (admin-added). */
  extraCodes?: readonly string[];
  labelWeight?: number;
  trainOptions?: TrainOptions;
  /** The baseline rows; default: rebuilt from the baseline recipe (tests pass a small set). */
  baseline?: TrainingSet;
  /** The baseline's held-out rows; default: rebuilt from the recipe's held-out seeds. */
  baselineHoldout?: TrainingSet;
  workDir: string;
  log?: (s: string) => void;
}

export interface RetrainResult {
  promoted: boolean;
  candidate: { version: string; metrics: ModelMetrics };
  current: { version: string; path: string; metrics: ModelMetrics };
  /** The new model file when promoted. */
  path?: string;
  workspaceLabels: number;
}

const HOLDOUT_SHARE = 0.2;

/** Retrains, compares against the current model on a held-out split, promotes if no worse. */
export async function retrainWorkspaceModel(input: RetrainInput): Promise<RetrainResult> {
  const log = input.log ?? (() => {});
  const codes = [...DEFAULT_REASON_CODES.map((r) => r.code), ...(input.extraCodes ?? [])];
  const train = new TrainingSetBuilder();
  const holdout = new TrainingSetBuilder();

  if (!input.baseline) log('Rebuilding the baseline training and held-out data…');
  train.addSet(input.baseline ?? (await buildBaselineTrainingSet(input.workDir, log)));
  holdout.addSet(input.baselineHoldout ?? (await buildBaselineHoldoutSet(input.workDir)));

  // Split by identity before reading, so a label is held out or trained on, never both.
  const ownHeld = input.examples.filter((e) => isHeldOut(`${e.runDb}:${e.breakId}`));
  const ownTrain = input.examples.filter((e) => !isHeldOut(`${e.runDb}:${e.breakId}`));
  const own = new TrainingSetBuilder();
  const workspaceLabels = (await readExamples(ownHeld, holdout, codes)) + (await readExamples(ownTrain, own, codes));
  log(`Workspace labels: ${workspaceLabels} MISMATCH breaks with features`);
  const ownSet = own.build();
  for (let k = 0; k < (input.labelWeight ?? 3); k++) train.addSet(ownSet);

  log(`Training on ${train.size} rows…`);
  const candidate = ReasonModel.train(train.build(), { ...BASELINE_TRAIN_OPTIONS, label: 'ws', ...input.trainOptions });
  const { model: current, path: currentPath } = await loadCurrentModel(input.workspace);
  const heldOut = holdout.build();
  const candidateMetrics = scoreSet(candidate, heldOut, input.threshold);
  const currentMetrics = scoreSet(current, heldOut, input.threshold);
  const promoted = noWorse(candidateMetrics, currentMetrics);
  const result: RetrainResult = {
    promoted,
    candidate: { version: candidate.version, metrics: candidateMetrics },
    current: { version: current.version, path: currentPath, metrics: currentMetrics },
    workspaceLabels,
  };
  if (promoted) result.path = await promoteModel(input.workspace, candidate.withMetrics(candidateMetrics));
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

function isHeldOut(identity: string): boolean {
  return createHash('sha256').update(identity).digest().readUInt32BE(0) / 2 ** 32 < HOLDOUT_SHARE;
}
