/** model.info: the workspace's current model, parsed once per file version (it is ~0.5 MB of trees). */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BASELINE_MODEL_PATH, currentModelPath } from '../../attribution/model-store.ts';
import { ReasonModel } from '../../attribution/model.ts';
import type { CallResult } from '../../contract/index.ts';
import { sql } from '../../store/sql.ts';
import type { Store } from '../../store/store.ts';

type Info = Omit<CallResult<'model.info'>, 'job'>;
type ModelPart = Omit<Info, 'labels'>;

let cache: { stamp: string; info: ModelPart } | null = null;

export async function readModelInfo(workspace: string, store: Store): Promise<Info> {
  return { ...(await currentModel(workspace)), labels: countLabels(store) };
}

/** The same choice as loadCurrentModel: the workspace's promoted model, else the shipped baseline. */
async function currentModel(workspace: string): Promise<ModelPart> {
  const path = existsSync(currentModelPath(workspace)) ? currentModelPath(workspace) : BASELINE_MODEL_PATH;
  const s = await stat(path);
  const stamp = `${path}:${s.mtimeMs}:${s.size}`;
  if (cache?.stamp === stamp) return cache.info;
  const saved = (await ReasonModel.load(path)).toJSON();
  const m = saved.metrics;
  const info: ModelPart = {
    version: saved.version,
    baseline: path === BASELINE_MODEL_PATH,
    trainedAt: saved.trainedAt,
    trainingSetSize: saved.trainingSetSize,
    classes: [...saved.classes],
    metrics: m ? { threshold: m.threshold, evaluated: m.evaluated, accuracy: m.accuracy, autoRate: m.autoRate, autoAccuracy: m.autoAccuracy, perClass: m.perClass } : null,
  };
  cache = { stamp, info };
  return info;
}

/** Reviewers' decisions usable as labels: breaks now ACCEPTED or OVERRIDDEN with a reason (see workflow/labels.ts). */
function countLabels(store: Store): number {
  return store.read((tx) => tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM break_status WHERE status IN ('ACCEPTED', 'OVERRIDDEN') AND reason IS NOT NULL`))?.n ?? 0;
}
