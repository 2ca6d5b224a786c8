import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RandomForestClassifier } from 'ml-random-forest';
import { installFastSplit } from './fast-split.ts';
import { FEATURES } from './features.ts';
import { forestJson, growTree, prepareRows, type GrownTree } from './grow-forest.ts';
import { compileForest, normalizeForestJson, vote, type CompiledForest, type ForestJson } from './forest.ts';
import type { ModelMetrics } from './metrics.ts';

/** Labelled feature rows: `x` is rows × features.length, row-major. */
export interface TrainingSet {
  x: Float64Array;
  y: string[];
}

export interface TrainOptions {
  nEstimators?: number;
  /** Share of features each tree sees (ml-random-forest bags features per tree). */
  maxFeatures?: number;
  maxDepth?: number;
  minNumSamples?: number;
  seed?: number;
  /** Prefix of the version string, e.g. "baseline". */
  label?: string;
  trainedAt?: Date;
}

/** The model file (`models/*.json`). */
export interface SavedModel {
  format: 'recon-rf-1';
  version: string;
  trainedAt: string;
  trainingSetSize: number;
  classCounts: Record<string, number>;
  classes: string[];
  features: string[];
  /** Per-feature neutral value (training median) used to explain predictions by perturbation. */
  baseline: number[];
  params: Required<Omit<TrainOptions, 'label' | 'trainedAt'>>;
  /** Held-out figures at `threshold`: all breaks of unseen generated runs for the baseline; a held-out split for retrained models. */
  metrics: ModelMetrics | null;
  /** Which held-out set `metrics` is on (engine/training/held-out.ts); absent in models from before it was recorded. */
  heldOut?: { key: string; baseline: number; workspace: number };
  /** Further held-out evaluations by name (e.g. MISMATCH only, synthetic generic shapes). */
  evaluations?: Record<string, ModelMetrics>;
  threshold?: number;
  forest: ForestJson;
}

const DEFAULTS = { nEstimators: 60, maxFeatures: 0.9, maxDepth: 14, minNumSamples: 3, seed: 42 };

/** A trained reason-code classifier: ml-random-forest inside, full class distributions out. */
export class ReasonModel {
  readonly compiled: CompiledForest;
  /** The training medians in this engine's feature order (0 for a feature the model was not trained with): explain.ts perturbs towards them. */
  readonly baseline: readonly number[];
  private readonly counts: Float64Array;

  private constructor(readonly saved: SavedModel) {
    const names = FEATURES.map((f) => f.name);
    this.compiled = compileForest(saved.forest, saved.classes.length);
    this.counts = new Float64Array(saved.classes.length);
    if (saved.features.join() === names.join()) {
      this.baseline = saved.baseline;
      return;
    }
    // A model trained before the engine computed more features (a promoted model, an
    // older baseline) splits on its own columns: map them to this engine's by name.
    // One the engine no longer computes cannot be answered: that model must be retrained.
    const index = new Map(names.map((n, i) => [n, i]));
    const missing = saved.features.filter((n) => !index.has(n));
    if (missing.length > 0) {
      throw new Error(`model ${saved.version} uses features this engine does not compute (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}); retrain it`);
    }
    const to = saved.features.map((n) => index.get(n)!);
    const f = this.compiled.feature;
    for (let i = 0; i < f.length; i++) if (f[i]! >= 0) f[i] = to[f[i]!]!;
    const baseline = new Array<number>(names.length).fill(0);
    saved.features.forEach((_, j) => (baseline[to[j]!] = saved.baseline[j] ?? 0));
    this.baseline = baseline;
  }

  /** Trains a forest on labelled rows (deterministic for a given seed and data). */
  static train(data: TrainingSet, opts: TrainOptions = {}): ReasonModel {
    const { X, y, classes, p } = prepareTraining(data, opts);
    const rf = new RandomForestClassifier(forestOptions(p, p.nEstimators, p.seed));
    rf.train(X, y);
    return ReasonModel.#assemble(normalizeForestJson(rf.toJSON()), data, classes, p, opts);
  }

  /**
   * Trains one tree at a time with grow-forest.ts (presorted CART, seconds
   * where the library takes minutes): `onTree(k, n)` after each tree, and a
   * turn of the event loop between trees, so a worker sees a cancel and
   * `signal` stops the training. Deterministic for a given seed and data,
   * like `train`, though not the same forest (its own bagging draws).
   */
  static async trainInSteps(data: TrainingSet, opts: TrainOptions = {}, steps: { onTree?: (done: number, total: number) => void; signal?: AbortSignal } = {}): Promise<ReasonModel> {
    const width = FEATURES.length;
    const rows = data.y.length;
    if (data.x.length !== rows * width) throw new Error(`training set: ${data.x.length} values for ${rows} rows × ${width} features`);
    const classes = [...new Set(data.y)].sort();
    const classIndex = new Map(classes.map((c, i) => [c, i]));
    const p = { ...DEFAULTS, ...stripUndefined(opts) };
    const prepared = prepareRows(data.x, Int32Array.from(data.y, (c) => classIndex.get(c)!), width, classes.length);
    const params = { ...p, gainThreshold: GAIN_THRESHOLD };
    const trees: GrownTree[] = [];
    for (let t = 0; t < p.nEstimators; t++) {
      steps.signal?.throwIfAborted();
      trees.push(growTree(prepared, params, treeSeed(p.seed, t)));
      steps.onTree?.(t + 1, p.nEstimators);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    steps.signal?.throwIfAborted();
    return ReasonModel.#assemble(normalizeForestJson(forestJson(trees, params, width)), data, classes, p, opts);
  }

  static #assemble(forest: ForestJson, data: TrainingSet, classes: string[], p: typeof DEFAULTS, opts: TrainOptions): ReasonModel {
    const width = FEATURES.length;
    const rows = data.y.length;
    const hash = createHash('sha256').update(JSON.stringify(forest)).update(classes.join()).digest('hex').slice(0, 10);
    const classCounts = Object.fromEntries(classes.map((c) => [c, data.y.filter((v) => v === c).length]));
    return new ReasonModel({
      format: 'recon-rf-1',
      version: `${opts.label ?? 'model'}-${hash}`,
      trainedAt: (opts.trainedAt ?? new Date()).toISOString(),
      trainingSetSize: rows,
      classCounts,
      classes,
      features: FEATURES.map((f) => f.name),
      baseline: medians(data.x, rows, width),
      params: { nEstimators: p.nEstimators, maxFeatures: p.maxFeatures, maxDepth: p.maxDepth, minNumSamples: p.minNumSamples, seed: p.seed },
      metrics: null,
      forest,
    });
  }

  /** Validates and wraps a parsed model file. */
  static fromJSON(json: unknown): ReasonModel {
    const m = json as Partial<SavedModel> | null;
    if (!m || m.format !== 'recon-rf-1' || !Array.isArray(m.classes) || !Array.isArray(m.features) || !m.forest || !Array.isArray(m.baseline)) {
      throw new Error('not a recon model file (format recon-rf-1)');
    }
    return new ReasonModel(m as SavedModel);
  }

  /** Reads a model file. */
  static async load(path: string): Promise<ReasonModel> {
    return ReasonModel.fromJSON(JSON.parse(await readFile(path, 'utf8')));
  }

  get version(): string {
    return this.saved.version;
  }

  get classes(): readonly string[] {
    return this.saved.classes;
  }

  /** The same model with evaluation metrics (the threshold they were measured at, and the held-out set they are on) recorded. */
  withMetrics(metrics: ModelMetrics, evaluations?: Record<string, ModelMetrics>, heldOut?: SavedModel['heldOut']): ReasonModel {
    return new ReasonModel({ ...this.saved, metrics, threshold: metrics.threshold, ...(evaluations ? { evaluations } : {}), ...(heldOut ? { heldOut } : {}) });
  }

  toJSON(): SavedModel {
    return this.saved;
  }

  /** Writes the model file atomically (temp file + rename). */
  async save(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.saved));
    await rename(tmp, path);
  }

  /** Class index and vote counts for one row; `probs` receives votes / trees (sums to 1). */
  predictRow(x: Float64Array, row: number, probs: Float64Array): number {
    const c = vote(this.compiled, x, row, FEATURES.length, this.counts);
    for (let k = 0; k < probs.length; k++) probs[k] = this.counts[k]! / this.compiled.nTrees;
    return c;
  }

  /** Predicted class index and its probability for every row. */
  predict(x: Float64Array, rows: number): { cls: Int32Array; confidence: Float64Array } {
    const cls = new Int32Array(rows);
    const confidence = new Float64Array(rows);
    const probs = new Float64Array(this.classes.length);
    for (let i = 0; i < rows; i++) {
      const c = this.predictRow(x, i, probs);
      cls[i] = c;
      confidence[i] = probs[c]!;
    }
    return { cls, confidence };
  }

  /** The full class distribution per row (rows × classes). */
  probabilities(x: Float64Array, rows: number): Float64Array {
    const k = this.classes.length;
    const out = new Float64Array(rows * k);
    for (let i = 0; i < rows; i++) this.predictRow(x, i, out.subarray(i * k, (i + 1) * k));
    return out;
  }
}

/** The rows as the library takes them, class indexes, and the options with defaults. */
function prepareTraining(data: TrainingSet, opts: TrainOptions): { X: number[][]; y: number[]; classes: string[]; p: typeof DEFAULTS } {
  installFastSplit();
  const width = FEATURES.length;
  const rows = data.y.length;
  if (data.x.length !== rows * width) throw new Error(`training set: ${data.x.length} values for ${rows} rows × ${width} features`);
  const classes = [...new Set(data.y)].sort();
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const X = Array.from({ length: rows }, (_, i) => Array.from(data.x.subarray(i * width, (i + 1) * width)));
  const y = data.y.map((c) => classIndex.get(c)!);
  return { X, y, classes, p: { ...DEFAULTS, ...stripUndefined(opts) } };
}

/** ml-cart's minimum Gini gain to split, for both trainers. */
const GAIN_THRESHOLD = 1e-4;

function forestOptions(p: typeof DEFAULTS, nEstimators: number, seed: number): ConstructorParameters<typeof RandomForestClassifier>[0] {
  return {
    nEstimators,
    maxFeatures: p.maxFeatures,
    replacement: false,
    seed,
    useSampleBagging: true,
    noOOB: true, // OOB collection throws when a row is in every bag, and costs O(rows × trees)
    treeOptions: { maxDepth: p.maxDepth, minNumSamples: p.minNumSamples, gainThreshold: GAIN_THRESHOLD },
  };
}

/** Tree t's bagging seed: a 32-bit mix of the forest seed and t. */
function treeSeed(seed: number, t: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(t + 1, 0xc2b2ae35)) | 0;
}

function medians(x: Float64Array, rows: number, width: number): number[] {
  const col = new Float64Array(rows);
  return Array.from({ length: width }, (_, j) => {
    for (let i = 0; i < rows; i++) col[i] = x[i * width + j]!;
    col.sort();
    return rows === 0 ? 0 : col[rows >> 1]!;
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
