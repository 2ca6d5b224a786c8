import { beforeAll, describe, expect, it } from 'vitest';
import { addSyntheticExamples } from './baseline-data.ts';
import { loadLibraryForest } from './forest.ts';
import { MetricsAccumulator } from './metrics.ts';
import { ReasonModel, type TrainingSet } from './model.ts';
import { TrainingSetBuilder } from './training-data.ts';

/** ReasonModel.trainInSteps: the presorted tree grower (grow-forest.ts) with progress and cancellation. */
let train: TrainingSet;
let test: TrainingSet;
const OPTS = { nEstimators: 12, seed: 5, label: 'test', trainedAt: new Date('2024-01-01T00:00:00Z') };

beforeAll(async () => {
  const b = new TrainingSetBuilder();
  await addSyntheticExamples(3, 6, b);
  train = b.build();
  const h = new TrainingSetBuilder();
  await addSyntheticExamples(4, 3, h);
  test = h.build();
});

const accuracy = (m: ReasonModel, s: TrainingSet): number => {
  const { cls } = m.predict(s.x, s.y.length);
  const acc = new MetricsAccumulator(0.9);
  s.y.forEach((t, i) => acc.add(t, m.classes[cls[i]!]!, false));
  return acc.result().accuracy;
};

describe('growing the forest one tree at a time', () => {
  it('reports every tree, is deterministic, and ml-random-forest reads its forest and predicts the same', async () => {
    const seen: string[] = [];
    const model = await ReasonModel.trainInSteps(train, OPTS, { onTree: (k, n) => seen.push(`${k}/${n}`) });
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `${i + 1}/12`));
    expect((await ReasonModel.trainInSteps(train, OPTS)).version).toBe(model.version);
    expect((await ReasonModel.trainInSteps(train, { ...OPTS, seed: 6 })).version).not.toBe(model.version);

    const width = model.toJSON().features.length;
    const matrix = Array.from({ length: test.y.length }, (_, i) => Array.from(test.x.subarray(i * width, (i + 1) * width)));
    expect(loadLibraryForest(JSON.parse(JSON.stringify(model.toJSON().forest))).predict(matrix)).toEqual(Array.from(model.predict(test.x, test.y.length).cls));
    expect(model.toJSON()).toMatchObject({ trainingSetSize: train.y.length, params: { nEstimators: 12, seed: 5 } });
  });

  it('learns as well as the library’s trainer on held-out rows', async () => {
    const ours = accuracy(await ReasonModel.trainInSteps(train, OPTS), test);
    const library = accuracy(ReasonModel.train(train, OPTS), test);
    expect(ours).toBeGreaterThan(0.8);
    expect(ours).toBeGreaterThanOrEqual(library - 0.02);
  });

  it('stops between trees when its signal aborts, and builds no model', async () => {
    const stop = new AbortController();
    let trees = 0;
    const training = ReasonModel.trainInSteps(train, OPTS, {
      signal: stop.signal,
      onTree: (k) => {
        trees = k;
        if (k === 3) stop.abort();
      },
    });
    await expect(training).rejects.toMatchObject({ name: 'AbortError' });
    expect(trees).toBe(3);
  });
});
