import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelMetrics } from '../attribution/metrics.ts';
import type { TrainingExample } from '../attribution/training-data.ts';

/**
 * The one held-out set every model figure is measured on (the Model panel,
 * the retrain table, `recon model info` and `recon model train`):
 *
 *   the baseline recipe's held-out rows (MISMATCH breaks of generated runs
 *   and synthetic shapes from seeds no model trains on)
 *   + the workspace's held-out labels (a fixed 20% of reviewers' labels,
 *   chosen by a hash of run file and break id),
 *
 * scored with the model alone at the threshold (rules.ts is the same for
 * every model, so it cannot tell two models apart).
 *
 * Why this set: the promotion rule compares a new model with the current one
 * on rows neither trained on, and a reviewer wants the figure the promotion
 * used, not another. The baseline part keeps the generic cases in view (a
 * model overfitted to one team's labels shows it there); the workspace part
 * is what the team cares about. The set changes when labels change, so
 * figures are stored with the identity of the set they were measured on
 * (`HeldOutSet.key`), and a figure on an older set is shown as such.
 */
export interface HeldOutSet {
  /** Fingerprint of the set: the baseline data's key and every held-out label (run file, break, reason). */
  key: string;
  /** Baseline held-out rows. */
  baseline: number;
  /** Workspace held-out labels with features (MISMATCH breaks); labels of structural breaks are not model rows. */
  workspace: number;
}

/** Share of workspace labels held out. */
export const HOLDOUT_SHARE = 0.2;

/** Whether a label is held out: by a hash of its identity, so it is held out every time (an earlier model never saw it either). */
export function isHeldOut(e: Pick<TrainingExample, 'runDb' | 'breakId'>): boolean {
  return createHash('sha256').update(`${e.runDb}:${e.breakId}`).digest().readUInt32BE(0) / 2 ** 32 < HOLDOUT_SHARE;
}

/** The key of the held-out set made of the baseline data `baselineKey` and these labels' held-out share. */
export function heldOutKey(baselineKey: string, examples: readonly TrainingExample[]): string {
  const held = examples
    .filter(isHeldOut)
    .map((e) => `${e.runDb}\u0000${e.breakId}\u0000${e.reason}`)
    .sort();
  const h = createHash('sha256').update(baselineKey);
  for (const id of held) h.update('\n').update(id);
  return h.digest('hex').slice(0, 16);
}

/** A model's figures on a held-out set. */
export interface HeldOutEvaluation {
  version: string;
  heldOut: HeldOutSet;
  metrics: ModelMetrics;
  measuredAt: string;
}

/** `<workspace>/cache/training`: the baseline data and the evaluations, files that retraining can always make again. */
export function trainingCacheDir(workspace: string): string {
  return join(workspace, 'cache', 'training');
}

const EVALUATIONS = 'evaluations.json';
/** Evaluations kept: a few per model is plenty, the latest set is the one shown. */
const KEEP = 50;

/** The evaluation of `version` on the held-out set `key`, if one was recorded. */
export async function findEvaluation(workspace: string, version: string, key: string): Promise<HeldOutEvaluation | null> {
  return (await readEvaluations(workspace)).find((e) => e.version === version && e.heldOut.key === key) ?? null;
}

/** Records evaluations (a retraining's new and current model), newest first. */
export async function recordEvaluations(workspace: string, list: readonly HeldOutEvaluation[]): Promise<void> {
  const dir = trainingCacheDir(workspace);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const fresh = new Set(list.map((e) => `${e.version}:${e.heldOut.key}`));
  const kept = (await readEvaluations(workspace)).filter((e) => !fresh.has(`${e.version}:${e.heldOut.key}`));
  const path = join(dir, EVALUATIONS);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify([...list, ...kept].slice(0, KEEP)), { mode: 0o600 });
  await rename(tmp, path);
}

async function readEvaluations(workspace: string): Promise<HeldOutEvaluation[]> {
  const path = join(trainingCacheDir(workspace), EVALUATIONS);
  if (!existsSync(path)) return [];
  try {
    const json: unknown = JSON.parse(await readFile(path, 'utf8'));
    return Array.isArray(json) ? (json as HeldOutEvaluation[]) : [];
  } catch {
    // A cache: unreadable means empty (the next retraining writes it again).
    return [];
  }
}
