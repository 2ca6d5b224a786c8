import type { DuckDBConnection } from '@duckdb/node-api';
import { ident } from '../sql/quote.ts';
import { FEATURES } from './features.ts';
import type { ReasonModel } from './model.ts';
import { readNumericBatches } from './numeric-batches.ts';
import { describeFeature } from './words.ts';

/** One reason a prediction came out the way it did. */
export interface FeatureContribution {
  feature: string;
  /** The break's value of the feature. */
  value: number;
  /** Drop in the chosen class's probability when the feature is set to its neutral value. */
  contribution: number;
  /** Share of trees whose decision path for this break tests the feature. */
  pathShare: number;
  /** What the value means for this break, in words (words.ts); rules and guards give their own. */
  text?: string;
}

/**
 * Explains one prediction by perturbation (occlusion): each feature in turn is
 * replaced by its neutral value (the training median, stored in the model
 * file) and the forest re-votes; the drop in the chosen class's probability is
 * that feature's contribution. Only features tested on this row's decision
 * paths can change any vote, so only those are perturbed (exact, and ~3× less
 * work). Redundant features (e.g. "ratio negative" and "ratio near −1") can
 * each show a small drop; ties are ordered by how many trees test the feature
 * on the way to their vote, so the list is never arbitrary.
 */
export function explainRow(model: ReasonModel, x: Float64Array, row: number, cls: number, top = 3): FeatureContribution[] {
  const width = FEATURES.length;
  const f = model.compiled;
  const own = x.subarray(row * width, (row + 1) * width);
  const uses = new Float64Array(width);
  for (let t = 0; t < f.nTrees; t++) {
    const seen = new Set<number>();
    let n = f.roots[t]!;
    for (let col = f.feature[n]!; col >= 0; col = f.feature[n]!) {
      seen.add(col);
      n = own[col]! < f.threshold[n]! ? f.left[n]! : f.right[n]!;
    }
    for (const col of seen) uses[col]!++;
  }
  const probs = new Float64Array(model.classes.length);
  model.predictRow(x, row, probs);
  const p0 = probs[cls]!;
  const scratch = Float64Array.from(own);
  const baseline = model.baseline;
  const out: FeatureContribution[] = [];
  for (let j = 0; j < width; j++) {
    if (uses[j] === 0) continue;
    const neutral = baseline[j] ?? 0;
    let contribution = 0;
    if (own[j] !== neutral) {
      scratch[j] = neutral;
      model.predictRow(scratch, 0, probs);
      contribution = p0 - probs[cls]!;
      scratch[j] = own[j]!;
    }
    const name = FEATURES[j]!.name;
    out.push({ feature: name, value: round(own[j]!), contribution: round(contribution), pathShare: round(uses[j]! / f.nTrees), text: describeFeature(name, own[j]!) });
  }
  out.sort((a, b) => b.contribution - a.contribution || b.pathShare - a.pathShare);
  return out.slice(0, top);
}

/**
 * Explains any breaks on demand (the UI asks for AUTO breaks, or REVIEW breaks
 * past the per-run limit) from the run's `break_features`. Only MISMATCH
 * breaks have a model explanation.
 */
export async function explainBreaks(conn: DuckDBConnection, model: ReasonModel, breakIds: readonly number[]): Promise<Map<number, FeatureContribution[]>> {
  const out = new Map<number, FeatureContribution[]>();
  const ids = breakIds.filter((id) => Number.isSafeInteger(id));
  if (ids.length === 0) return out;
  const query = { id: 'break_id', columns: FEATURES.map((f) => ident(f.name)), from: 'break_features', where: `diff_mismatch = 1 AND break_id IN (${ids.join(', ')})` };
  const probs = new Float64Array(model.classes.length);
  for await (const b of readNumericBatches(conn, query)) {
    for (let i = 0; i < b.rows; i++) out.set(Number(b.ids[i]), explainRow(model, b.x, i, model.predictRow(b.x, i, probs)));
  }
  return out;
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
