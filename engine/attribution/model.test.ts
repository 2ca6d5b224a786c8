import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { RandomForestClassifier } from 'ml-random-forest';
import { beforeAll, describe, expect, it } from 'vitest';
import { addSyntheticExamples } from './baseline-data.ts';
import { exactGiniSplit, installFastSplit } from './fast-split.ts';
import { loadLibraryForest } from './forest.ts';
import { MetricsAccumulator } from './metrics.ts';
import { ReasonModel, type TrainingSet } from './model.ts';
import { TrainingSetBuilder } from './training-data.ts';

let set: TrainingSet;
let model: ReasonModel;

beforeAll(async () => {
  const b = new TrainingSetBuilder();
  await addSyntheticExamples(3, 6, b);
  set = b.build();
  model = ReasonModel.train(set, { nEstimators: 12, seed: 5, label: 'test', trainedAt: new Date('2024-01-01T00:00:00Z') });
});

const rows = (): number => set.y.length;

describe('ReasonModel', () => {
  it('gives a full class distribution that sums to 1, and the confidence is the chosen class probability', () => {
    const k = model.classes.length;
    const probs = model.probabilities(set.x, rows());
    const { cls, confidence } = model.predict(set.x, rows());
    for (let i = 0; i < rows(); i++) {
      const p = probs.subarray(i * k, (i + 1) * k);
      expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
      expect(confidence[i]).toBe(p[cls[i]!]);
      expect(Math.max(...p)).toBe(confidence[i]);
    }
  });

  it('predicts identically after save → JSON file → load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recon-model-'));
    try {
      const path = join(dir, 'm.json');
      await model.save(path);
      const loaded = await ReasonModel.load(path);
      expect(loaded.version).toBe(model.version);
      expect(loaded.toJSON()).toEqual(JSON.parse(readFileSync(path, 'utf8')));
      expect(loaded.probabilities(set.x, rows())).toEqual(model.probabilities(set.x, rows()));
      expect(loaded.predict(set.x, rows())).toEqual(model.predict(set.x, rows()));
      const saved = loaded.toJSON();
      expect(saved).toMatchObject({ format: 'recon-rf-1', trainingSetSize: rows(), trainedAt: '2024-01-01T00:00:00.000Z', metrics: null });
      expect(Object.values(saved.classCounts).reduce((s, n) => s + n, 0)).toBe(rows());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is deterministic: same data and seed, same forest and version', () => {
    const again = ReasonModel.train(set, { nEstimators: 12, seed: 5, label: 'test', trainedAt: new Date('2024-01-01T00:00:00Z') });
    expect(again.version).toBe(model.version);
  });

  it('agrees with ml-random-forest’s own predict on the loaded forest, from any realm', () => {
    const width = model.toJSON().features.length;
    const matrix = Array.from({ length: rows() }, (_, i) => Array.from(set.x.subarray(i * width, (i + 1) * width)));
    const ours = Array.from(model.predict(set.x, rows()).cls);
    const json = JSON.stringify(model.toJSON().forest);
    const fromOtherRealm = runInNewContext('JSON.parse(s)', { s: json }) as ReturnType<RandomForestClassifier['toJSON']>;
    expect(loadLibraryForest(JSON.parse(json)).predict(matrix)).toEqual(ours);
    expect(loadLibraryForest(fromOtherRealm).predict(matrix)).toEqual(ours);
  });

  it('works around the known issue: load() of a cloned forest throws in the library, not through us', () => {
    installFastSplit();
    const X = [[0, 0], [1, 1], [0, 1], [1, 0], [2, 2], [2, 0], [0, 2], [1, 2]];
    const y = [0, 1, 0, 1, 2, 2, 0, 1];
    const rf = new RandomForestClassifier({ nEstimators: 5, seed: 1, noOOB: true, useSampleBagging: true });
    rf.train(X, y);
    const cloned = structuredClone(rf.toJSON()); // what a worker postMessage or Electron IPC hands over
    expect(() => RandomForestClassifier.load(cloned).predictProbability(X, 1)).toThrow(/maxRowIndex is not a function/);
    expect(loadLibraryForest(cloned).predict(X)).toEqual(rf.predict(X));
  });

  it('rejects files that are not models or use features this engine does not compute', () => {
    expect(() => ReasonModel.fromJSON({ format: 'x' })).toThrow(/not a recon model/);
    const s = model.toJSON();
    expect(() => ReasonModel.fromJSON({ ...s, features: ['no_such_feature', ...s.features.slice(1)] })).toThrow(/does not compute \(no_such_feature\)/);
  });

  it('reads a model trained before the history features by feature name, predicting as it did', () => {
    // The synthetic rows have no history, so the forest never splits on the hist_* columns (appended last):
    // without them the file is what an engine before break memory wrote.
    const s = model.toJSON();
    const kept = s.features.filter((f) => !f.startsWith('hist_'));
    expect(kept.length).toBeLessThan(s.features.length);
    const older = ReasonModel.fromJSON({ ...s, features: kept, baseline: s.baseline.slice(0, kept.length) });
    expect(older.predict(set.x, rows())).toEqual(model.predict(set.x, rows()));
    expect(older.baseline).toHaveLength(s.features.length);
    expect(older.baseline.slice(kept.length).every((v) => v === 0)).toBe(true);
  });
});

describe('exact Gini split', () => {
  it('finds the best gain a brute-force search finds', () => {
    const x = [[3, 1, 4, 1, 5, 9, 2, 6, 5, 3], [0, 0, 1, 1, 0, 1, 0, 1, 1, 0]];
    const y = [0, 0, 1, 1, 0, 2, 0, 2, 1, 0];
    const gini = (ys: number[]): number => 1 - [0, 1, 2].reduce((s, c) => s + (ys.filter((v) => v === c).length / ys.length) ** 2, 0);
    let best = -Infinity;
    for (const col of x) {
      for (const t of new Set(col)) {
        const l = y.filter((_, i) => col[i]! < t);
        const r = y.filter((_, i) => col[i]! >= t);
        if (l.length === 0 || r.length === 0) continue;
        best = Math.max(best, gini(y) - (l.length / y.length) * gini(l) - (r.length / y.length) * gini(r));
      }
    }
    const got = exactGiniSplit({ rows: 2, getRow: (i) => x[i]! }, y);
    expect(got.maxGain).toBeCloseTo(best, 12);
    expect(got.numberSamples).toBe(10);
  });
});

describe('metrics', () => {
  it('counts accuracy, auto share and per-class precision/recall', () => {
    const m = new MetricsAccumulator(0.9);
    m.add('A', 'A', true, 3);
    m.add('A', 'B', false);
    m.add('B', 'B', true);
    m.add('B', 'A', true);
    const r = m.result();
    expect(r).toMatchObject({ evaluated: 6, accuracy: 4 / 6, autoRate: 5 / 6, autoAccuracy: 4 / 5 });
    expect(r.perClass['A']).toEqual({ precision: 3 / 4, recall: 3 / 4, support: 4 });
    expect(r.confusion).toEqual({ labels: ['A', 'B'], matrix: [[3, 1], [1, 1]] });
  });
});
