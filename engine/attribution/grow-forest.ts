import { Rng } from '../generate/prng.ts';
import type { ForestJson } from './forest.ts';

/**
 * Grows the reason model's forest without ml-cart, in the library's own model
 * JSON (so `forest.ts` compiles it and `RandomForestClassifier.load` reads it).
 *
 * Why: ml-cart copies the node's rows into new matrices at every node and
 * sorts every feature again at every node (fast-split.ts): ~2.8 s a tree on
 * the baseline's 20k rows, minutes for a forest. Here each feature is sorted
 * once per training; a tree keeps, per feature, its bagged rows in that order
 * and splits a node by a stable partition of the node's range, so every node
 * scans its rows once per feature in order (the textbook presorted CART).
 *
 * The tree is ml-cart's: the same Gini gain, the same stopping rules (at most
 * `minNumSamples` bagged rows, `maxDepth`, gain ≤ `gainThreshold`, a gain equal
 * to the parent's), the same threshold (midpoint of two neighbouring distinct
 * values, `x < value` goes left), a leaf's class shares as its distribution.
 * Bagging is the library's too: n draws with replacement (kept as per-row
 * counts, which the Gini sums weight exactly as duplicates), and a subset of
 * `floor(maxFeatures × width)` features per tree, without replacement.
 */
export interface ForestParams {
  maxFeatures: number;
  maxDepth: number;
  minNumSamples: number;
  gainThreshold: number;
  seed: number;
}

/** The training rows, prepared once for every tree. */
export interface PreparedRows {
  rows: number;
  width: number;
  nClasses: number;
  /** Column-major copy of x: feature f of row r is `cols[f * rows + r]`. */
  cols: Float64Array;
  y: Int32Array;
  /** Per feature, every row index in ascending order of the value. */
  sorted: Uint32Array[];
}

export function prepareRows(x: Float64Array, y: Int32Array, width: number, nClasses: number): PreparedRows {
  const rows = y.length;
  const cols = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) for (let f = 0; f < width; f++) cols[f * rows + r] = x[r * width + f]!;
  const sorted = Array.from({ length: width }, (_, f) => {
    const col = cols.subarray(f * rows, (f + 1) * rows);
    const idx = new Uint32Array(rows);
    for (let i = 0; i < rows; i++) idx[i] = i;
    idx.sort((a, b) => col[a]! - col[b]! || a - b);
    return idx;
  });
  return { rows, width, nClasses, cols, y, sorted };
}

interface NodeJson {
  distribution?: number[][];
  splitColumn?: number;
  splitValue?: number;
  left?: NodeJson;
  right?: NodeJson;
}

export interface GrownTree {
  /** Global feature indexes the tree sees; a node's `splitColumn` indexes this list. */
  features: number[];
  root: NodeJson;
}

/** One bagged tree, seeded by `seed` (bootstrap rows and feature subset). */
export function growTree(d: PreparedRows, p: ForestParams, seed: number): GrownTree {
  const rng = new Rng(seed);
  const weight = new Uint32Array(d.rows);
  for (let i = 0; i < d.rows; i++) weight[Math.floor(rng.next() * d.rows)]!++;
  const nf = Math.max(1, Math.floor(d.width * p.maxFeatures));
  const all = Array.from({ length: d.width }, (_, f) => f);
  for (let i = 0; i < nf; i++) {
    const j = i + Math.floor(rng.next() * (d.width - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const features = all.slice(0, nf).sort((a, b) => a - b);

  // Per chosen feature, the bagged rows (each once, weighted) in value order.
  let m = 0;
  for (let r = 0; r < d.rows; r++) if (weight[r]! > 0) m++;
  const order = features.map((f) => {
    const src = d.sorted[f]!;
    const out = new Uint32Array(m);
    let k = 0;
    for (let i = 0; i < src.length; i++) if (weight[src[i]!]! > 0) out[k++] = src[i]!;
    return out;
  });
  const g = new Grower(d, p, features, order, weight);
  return { features, root: g.node(0, m, 0, null) };
}

class Grower {
  private readonly left: Float64Array;
  private readonly goesLeft: Uint8Array;
  private readonly scratch: Uint32Array;

  constructor(
    private readonly d: PreparedRows,
    private readonly p: ForestParams,
    private readonly features: number[],
    private readonly order: Uint32Array[],
    private readonly weight: Uint32Array,
  ) {
    this.left = new Float64Array(d.nClasses);
    this.goesLeft = new Uint8Array(d.rows);
    this.scratch = new Uint32Array(order[0]?.length ?? 0);
  }

  /** The node over positions [lo, hi) of every feature's order. */
  node(lo: number, hi: number, depth: number, parentGain: number | null): NodeJson {
    const { d, weight } = this;
    const total = new Float64Array(d.nClasses);
    const rows0 = this.order[0]!;
    let n = 0;
    for (let i = lo; i < hi; i++) {
      const r = rows0[i]!;
      total[d.y[r]!]! += weight[r]!;
      n += weight[r]!;
    }
    if (n <= this.p.minNumSamples) return leaf(total, n);
    const best = this.bestSplit(lo, hi, total, n);
    if (best.column < 0 || depth >= this.p.maxDepth || !(best.gain > this.p.gainThreshold) || best.gain === parentGain) return leaf(total, n);
    const mid = this.partition(lo, hi, best.column, best.value);
    if (mid === lo || mid === hi) return leaf(total, n);
    return {
      splitColumn: best.column,
      splitValue: best.value,
      left: this.node(lo, mid, depth + 1, best.gain),
      right: this.node(mid, hi, depth + 1, best.gain),
    };
  }

  /** The best Gini split over the tree's features (first feature wins ties, like fast-split.ts). */
  private bestSplit(lo: number, hi: number, total: Float64Array, n: number): { gain: number; column: number; value: number } {
    const { d, weight, left } = this;
    const k = d.nClasses;
    let sumTotal = 0;
    for (let c = 0; c < k; c++) sumTotal += total[c]! * total[c]!;
    const parent = 1 - sumTotal / (n * n);
    let best = { gain: -Infinity, column: -1, value: 0 };
    for (let fi = 0; fi < this.features.length; fi++) {
      const ord = this.order[fi]!;
      const col = d.cols.subarray(this.features[fi]! * d.rows, (this.features[fi]! + 1) * d.rows);
      left.fill(0);
      // Σ left², Σ right² kept incrementally: moving w of class c costs O(1).
      let sl = 0;
      let sr = sumTotal;
      let nl = 0;
      for (let i = lo; i < hi - 1; i++) {
        const r = ord[i]!;
        const c = d.y[r]!;
        const w = weight[r]!;
        const l = left[c]!;
        const rc = total[c]! - l;
        sl += 2 * l * w + w * w;
        sr += -2 * rc * w + w * w;
        left[c] = l + w;
        nl += w;
        const xi = col[r]!;
        const xNext = col[ord[i + 1]!]!;
        if (xi === xNext) continue;
        const nr = n - nl;
        const gain = parent - (nl - sl / nl) / n - (nr - sr / nr) / n;
        if (gain > best.gain) best = { gain, column: fi, value: (xi + xNext) / 2 };
      }
    }
    return best;
  }

  /** Stable-partitions [lo, hi) of every feature's order: rows with x < value first. Returns the boundary. */
  private partition(lo: number, hi: number, column: number, value: number): number {
    const { d, goesLeft, scratch } = this;
    const col = d.cols.subarray(this.features[column]! * d.rows, (this.features[column]! + 1) * d.rows);
    const rows0 = this.order[0]!;
    let nLeft = 0;
    for (let i = lo; i < hi; i++) {
      const r = rows0[i]!;
      const isLeft = col[r]! < value ? 1 : 0;
      goesLeft[r] = isLeft;
      nLeft += isLeft;
    }
    for (const ord of this.order) {
      let a = lo;
      let b = 0;
      for (let i = lo; i < hi; i++) {
        const r = ord[i]!;
        if (goesLeft[r] === 1) ord[a++] = r;
        else scratch[b++] = r;
      }
      ord.set(scratch.subarray(0, b), a);
    }
    return lo + nLeft;
  }
}

function leaf(total: Float64Array, n: number): NodeJson {
  return { distribution: [Array.from(total, (v) => (n === 0 ? 0 : v / n))] };
}

/** The library's forest JSON for trees grown here (`RandomForestClassifier.load` reads it). */
export function forestJson(trees: readonly GrownTree[], p: ForestParams & { nEstimators: number }, width: number): ForestJson {
  const treeOptions = { maxDepth: p.maxDepth, minNumSamples: p.minNumSamples, gainThreshold: p.gainThreshold };
  const options = { gainFunction: 'gini', splitFunction: 'mean', ...treeOptions, kind: 'classifier' };
  const baseModel = {
    replacement: false,
    maxFeatures: p.maxFeatures,
    nEstimators: p.nEstimators,
    treeOptions,
    isClassifier: true,
    seed: p.seed,
    n: Math.max(1, Math.floor(width * p.maxFeatures)),
    indexes: trees.map((t) => t.features),
    useSampleBagging: true,
    noOOB: true,
    estimators: trees.map((t) => ({ options, root: t.root, name: 'DTClassifier' })),
  };
  return { name: 'RFClassifier', baseModel } as unknown as ForestJson;
}
