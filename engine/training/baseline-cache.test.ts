import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addSyntheticExamples } from '../attribution/baseline-data.ts';
import { TrainingSetBuilder } from '../attribution/training-data.ts';
import { baselineCachePath, baselineDataKey, loadBaselineData, writeBaselineData } from './baseline-cache.ts';

const dir = mkdtempSync(join(tmpdir(), 'recon-baseline-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the baseline data cache', () => {
  it('reads back exactly what it wrote, under a key that changes with the baseline version', async () => {
    const t = new TrainingSetBuilder();
    await addSyntheticExamples(31, 2, t);
    const h = new TrainingSetBuilder();
    await addSyntheticExamples(32, 1, h);
    const key = baselineDataKey('baseline-test');
    expect(baselineDataKey('baseline-other')).not.toBe(key);
    const data = { key, train: t.build(), holdout: h.build() };
    await writeBaselineData(dir, data);
    const read = await loadBaselineData(dir, 'baseline-test', {
      workDir: join(dir, 'work'),
      onBuild: () => {
        throw new Error('built although cached');
      },
    });
    expect(read.key).toBe(key);
    expect(read.train.y).toEqual(data.train.y);
    expect(Array.from(read.train.x)).toEqual(Array.from(data.train.x));
    expect(read.holdout.y).toEqual(data.holdout.y);
    expect(Array.from(read.holdout.x)).toEqual(Array.from(data.holdout.x));
  });

  it('never reads a damaged file: a short file means building again', async () => {
    truncateSync(baselineCachePath(dir, baselineDataKey('baseline-test')), 1000);
    const stop = new AbortController();
    let built = false;
    const load = loadBaselineData(dir, 'baseline-test', {
      workDir: join(dir, 'work'),
      signal: stop.signal,
      onBuild: () => {
        built = true;
        stop.abort(); // the build itself is the slow path: stop at its first check
      },
    });
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });
    expect(built).toBe(true);
  }, 60_000);
});
