/** model.info: the workspace's current model, parsed once per file version (it is ~0.5 MB of trees), with its figures on the held-out set. */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BASELINE_MODEL_PATH, currentModelPath } from '../../attribution/model-store.ts';
import type { ModelMetrics } from '../../attribution/metrics.ts';
import { ReasonModel } from '../../attribution/model.ts';
import type { CallResult, HeldOutDto, ModelMetricsDto } from '../../contract/index.ts';
import { sql } from '../../store/sql.ts';
import type { Store } from '../../store/store.ts';
import { baselineDataKey } from '../../training/baseline-cache.ts';
import { findEvaluation, heldOutKey } from '../../training/held-out.ts';
import { listTrainingExamples } from '../../workflow/labels.ts';

type Info = Omit<CallResult<'model.info'>, 'job'>;
type ModelPart = Omit<Info, 'labels' | 'metrics' | 'heldOut'> & { saved: Pick<ReturnType<ReasonModel['toJSON']>, 'metrics' | 'heldOut' | 'trainedAt'> };

let cache: { stamp: string; info: ModelPart } | null = null;
let baselineVersion: Promise<string> | null = null;

/**
 * The current model and its figures. Which figures: the latest evaluation of
 * this model on the workspace's current held-out set (training/held-out.ts;
 * a retraining records one for the current model and the new one), else the
 * figures stored in the model file, marked `upToDate: false` when they are
 * on another held-out set (labels changed since, or a model from before the
 * set was recorded).
 */
export async function readModelInfo(workspace: string, store: Store): Promise<Info> {
  const { saved, ...model } = await currentModel(workspace);
  const key = heldOutKey(baselineDataKey(await shippedBaselineVersion()), listTrainingExamples(store));
  const measured = await findEvaluation(workspace, model.version, key);
  let metrics: ModelMetrics | null = saved.metrics;
  let heldOut: HeldOutDto | null = saved.heldOut ? { ...saved.heldOut, upToDate: saved.heldOut.key === key, measuredAt: saved.trainedAt } : null;
  if (measured) {
    metrics = measured.metrics;
    heldOut = { ...measured.heldOut, upToDate: true, measuredAt: measured.measuredAt };
  }
  return { ...model, metrics: metrics ? metricsDto(metrics) : null, heldOut, labels: countLabels(store) };
}

/** The same choice as loadCurrentModel: the workspace's promoted model, else the shipped baseline. */
async function currentModel(workspace: string): Promise<ModelPart> {
  const path = existsSync(currentModelPath(workspace)) ? currentModelPath(workspace) : BASELINE_MODEL_PATH;
  const s = await stat(path);
  const stamp = `${path}:${s.mtimeMs}:${s.size}`;
  if (cache?.stamp === stamp) return cache.info;
  const saved = (await ReasonModel.load(path)).toJSON();
  const info: ModelPart = {
    version: saved.version,
    baseline: path === BASELINE_MODEL_PATH,
    trainedAt: saved.trainedAt,
    trainingSetSize: saved.trainingSetSize,
    classes: [...saved.classes],
    saved: { metrics: saved.metrics, trainedAt: saved.trainedAt, ...(saved.heldOut ? { heldOut: saved.heldOut } : {}) },
  };
  cache = { stamp, info };
  return info;
}

/** The shipped baseline's version names the baseline data, part of the held-out set's key (read once per process: it ships with the engine). */
function shippedBaselineVersion(): Promise<string> {
  baselineVersion ??= ReasonModel.load(BASELINE_MODEL_PATH).then(
    (m) => m.version,
    (err: unknown) => {
      baselineVersion = null;
      throw err;
    },
  );
  return baselineVersion;
}

function metricsDto(m: ModelMetrics): ModelMetricsDto {
  return { threshold: m.threshold, evaluated: m.evaluated, accuracy: m.accuracy, autoRate: m.autoRate, autoAccuracy: m.autoAccuracy, perClass: m.perClass };
}

/** Reviewers' decisions usable as labels: breaks now ACCEPTED or OVERRIDDEN with a reason (see workflow/labels.ts). */
function countLabels(store: Store): number {
  return store.read((tx) => tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM break_status WHERE status IN ('ACCEPTED', 'OVERRIDDEN') AND reason IS NOT NULL`))?.n ?? 0;
}
