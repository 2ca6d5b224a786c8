import { RandomForestClassifier } from 'ml-random-forest';

/**
 * ml-random-forest's model JSON, read and evaluated without the library.
 *
 * Why not `RandomForestClassifier.load(json).predictProbability()`:
 *  1. The known issue. ml-cart's `TreeNode.setNodeParameters` turns a leaf's
 *     `distribution` back into a Matrix only when `distribution.constructor
 *     === Array`. A model that crossed a realm or a structured clone (worker
 *     `postMessage`, Electron IPC, `vm`, IndexedDB) carries arrays of another
 *     realm, or a cloned Matrix `{data, rows, columns}`, so the leaf keeps a
 *     plain object and `classify(...).maxRowIndex is not a function` is thrown
 *     by `predict` and `predictProbability` alike (mljs/random-forest#46).
 *     `normalizeForestJson` rebuilds every distribution as a plain array of
 *     this realm, so `load()` works from any source.
 *  2. `predictProbability(X, label)` gives one class at a time, and its
 *     `reduce` has no initial value: the first tree's *label* seeds the sum
 *     and that tree's vote is dropped, so the per-class values do not sum to 1.
 *  3. Speed: flat typed arrays walk 100k rows × 60 trees in well under a
 *     second; the library goes through Matrix views per tree.
 * Votes are counted exactly as the library's `predict` does (mode of the tree
 * votes, ties to the class that reached the count first), and a test checks
 * our predictions against the library's own on the loaded model.
 */

export type ForestJson = ReturnType<RandomForestClassifier['toJSON']>;

interface NodeJson {
  distribution?: unknown;
  splitColumn?: number;
  splitValue?: number;
  left?: NodeJson;
  right?: NodeJson;
}

/** A forest as flat arrays: node i splits on `feature[i]` (global index) or is a leaf (`feature[i] = -1`). */
export interface CompiledForest {
  nTrees: number;
  nClasses: number;
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  leafClass: Int32Array;
}

/** A leaf distribution as plain numbers, whatever form it arrived in (array, Matrix, cloned Matrix). */
function distributionRow(d: unknown): number[] {
  if (Array.isArray(d)) return (Array.isArray(d[0]) ? d[0] : d).map(Number);
  if (d && typeof d === 'object') {
    const m = d as { to2DArray?: () => number[][]; data?: ArrayLike<number>[] };
    if (typeof m.to2DArray === 'function') return [...(m.to2DArray()[0] ?? [])];
    if (m.data && m.data[0]) return Array.from(m.data[0], Number);
  }
  throw new Error('model file: a tree leaf has no readable class distribution');
}

/** Keeps what prediction needs, as plain JSON of this realm: split, children, or leaf distribution (rounded to 1e-6). */
function normalizeNode(n: NodeJson): NodeJson {
  if (n.distribution !== undefined) return { distribution: [distributionRow(n.distribution).map((v) => Math.round(v * 1e6) / 1e6)] };
  if (!n.left || !n.right || typeof n.splitColumn !== 'number' || typeof n.splitValue !== 'number') {
    throw new Error('model file: a tree node is neither a split nor a leaf');
  }
  return { splitColumn: n.splitColumn, splitValue: n.splitValue, left: normalizeNode(n.left), right: normalizeNode(n.right) };
}

/**
 * The forest JSON with every node reduced to plain arrays: smaller on disk
 * (ml-cart repeats its options in every node) and loadable by the library
 * from any realm. Prediction-relevant content is unchanged (leaf argmax is
 * invariant under rounding class shares that differ by ≥ 1/n ≥ 1e-5).
 */
export function normalizeForestJson(json: ForestJson): ForestJson {
  const base = json.baseModel;
  const estimators = (base.estimators as unknown as { options: object; root: NodeJson }[]).map((e) => ({
    options: e.options,
    root: normalizeNode(e.root),
    name: 'DTClassifier',
  }));
  return { name: 'RFClassifier', baseModel: { ...base, estimators: estimators as unknown as typeof base.estimators } };
}

/** The library's own classifier for this JSON (works after any round trip). */
export function loadLibraryForest(json: ForestJson): RandomForestClassifier {
  return RandomForestClassifier.load(normalizeForestJson(json));
}

/** Compiles forest JSON into flat arrays for fast voting. */
export function compileForest(json: ForestJson, nClasses: number): CompiledForest {
  const base = json.baseModel;
  const trees = base.estimators as unknown as { root: NodeJson }[];
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const leafClass: number[] = [];
  const roots: number[] = [];
  trees.forEach((tree, t) => {
    const cols = base.indexes[t];
    if (!cols) throw new Error(`model file: tree ${t} has no feature index`);
    const visit = (n: NodeJson): number => {
      const id = feature.length;
      feature.push(-1);
      threshold.push(0);
      left.push(-1);
      right.push(-1);
      leafClass.push(-1);
      if (n.distribution !== undefined) {
        const row = distributionRow(n.distribution);
        let best = 0; // first maximum, like ml-matrix maxRowIndex
        for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
        if (best >= nClasses) throw new Error(`model file: leaf class ${best} outside ${nClasses} classes`);
        leafClass[id] = best;
        return id;
      }
      const g = cols[n.splitColumn!];
      if (g === undefined) throw new Error(`model file: tree ${t} splits on an unknown column`);
      feature[id] = g;
      threshold[id] = n.splitValue!;
      left[id] = visit(n.left!);
      right[id] = visit(n.right!);
      return id;
    };
    roots.push(visit(tree.root));
  });
  return {
    nTrees: trees.length,
    nClasses,
    roots: Int32Array.from(roots),
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    leafClass: Int32Array.from(leafClass),
  };
}

/**
 * Counts tree votes for row `row` of `x` (row-major, `width` columns) into
 * `counts` (length nClasses) and returns the mode, ties resolved like the
 * library (the class that reached the winning count first, in tree order).
 */
export function vote(f: CompiledForest, x: Float64Array, row: number, width: number, counts: Float64Array): number {
  counts.fill(0);
  const base = row * width;
  let best = -1;
  let bestCount = 0;
  for (let t = 0; t < f.nTrees; t++) {
    let n = f.roots[t]!;
    let col = f.feature[n]!;
    while (col >= 0) {
      n = x[base + col]! < f.threshold[n]! ? f.left[n]! : f.right[n]!;
      col = f.feature[n]!;
    }
    const c = f.leafClass[n]!;
    const k = ++counts[c]!;
    if (k > bestCount) {
      bestCount = k;
      best = c;
    }
  }
  return best;
}
