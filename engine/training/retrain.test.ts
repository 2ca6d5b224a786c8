import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB } from '../duckdb/open.ts';
import { attributeBreaks } from '../attribution/attribute.ts';
import { addSyntheticExamples } from '../attribution/baseline-data.ts';
import { writeBreakRows, type BreakRow } from '../attribution/break-rows.ts';
import { MetricsAccumulator } from '../attribution/metrics.ts';
import { currentModelPath, loadCurrentModel } from '../attribution/model-store.ts';
import { noWorse, retrainWorkspaceModel } from './retrain.ts';
import { RETRAIN_STAGES, type RetrainProgress } from './retrain-progress.ts';
import { findEvaluation } from './held-out.ts';
import { TrainingSetBuilder, type TrainingExample } from '../attribution/training-data.ts';
import type { TrainingSet } from '../attribution/model.ts';

const dir = mkdtempSync(join(tmpdir(), 'recon-retrain-'));
let baseline: TrainingSet;
let baselineHoldout: TrainingSet;
let examples: TrainingExample[];

beforeAll(async () => {
  const b = new TrainingSetBuilder();
  await addSyntheticExamples(21, 5, b);
  baseline = b.build();
  const h = new TrainingSetBuilder();
  await addSyntheticExamples(22, 2, h);
  baselineHoldout = h.build();
  // A run whose team calls every 2% price move a booking error (a code the baseline does not know).
  const runDb = join(dir, 'run.duckdb');
  const db = await openDuckDB({ path: runDb });
  const cents = (c: number): string => (c / 100).toFixed(2);
  const rows: BreakRow[] = Array.from({ length: 500 }, (_, i) => {
    const a = 10_000 + 25 * i;
    const b = Math.round(a * 1.02);
    return { breakId: i + 1, key: `K${i}`, field: 'price', diffType: 'MISMATCH', valueA: cents(a), valueB: cents(b), delta: cents(b - a), fieldType: 'decimal' };
  });
  await writeBreakRows(db.connection, 'breaks', rows);
  await attributeBreaks(db.connection, { model: (await loadCurrentModel()).model, threshold: 0.9 });
  db.close();
  examples = rows.map((r) => ({ runDb, breakId: r.breakId, reason: 'BOOKING_ERROR' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recon model train', () => {
  it('learns the workspace labels, beats the baseline on the held-out split and promotes the new model', async () => {
    const workspace = join(dir, 'ws');
    const r = await retrainWorkspaceModel({
      workspace,
      examples,
      threshold: 0.9,
      extraCodes: ['BOOKING_ERROR'],
      baseline,
      baselineHoldout,
      trainOptions: { nEstimators: 10 },
      workDir: join(dir, 'work'),
    });
    expect(r.workspaceLabels).toBe(500);
    expect(r.current.path).toMatch(/baseline-model\.json$/);
    expect(r.candidate.metrics.perClass['BOOKING_ERROR']!.recall).toBeGreaterThan(0.9);
    expect(r.current.metrics.perClass['BOOKING_ERROR']!.recall).toBe(0);
    expect(r.promoted).toBe(true);
    expect(existsSync(r.path!)).toBe(true);
    expect(existsSync(currentModelPath(workspace))).toBe(true);
    const now = await loadCurrentModel(workspace);
    expect(now.model.version).toBe(r.candidate.version);
    expect(now.model.classes).toContain('BOOKING_ERROR');
    expect(now.model.toJSON().metrics).toMatchObject({ accuracy: r.candidate.metrics.accuracy });
  });

  it('reports named stages in order with fractions, names the held-out set and records both models’ figures on it', async () => {
    const workspace = join(dir, 'ws-stages');
    const seen: RetrainProgress[] = [];
    const r = await retrainWorkspaceModel({ workspace, examples, threshold: 0.9, extraCodes: ['BOOKING_ERROR'], baseline, baselineHoldout, trainOptions: { nEstimators: 8 }, workDir: join(dir, 'work'), progress: (p) => seen.push(p) });
    const stages = seen.map((p) => p.stage).filter((st, i, all) => all[i - 1] !== st);
    expect(stages).toEqual([...RETRAIN_STAGES]);
    for (const st of RETRAIN_STAGES) expect(seen.filter((p) => p.stage === st).at(-1)!.fraction).toBe(1);
    expect(seen.filter((p) => p.stage === 'training').at(-1)!.message).toBe('Training trees: 8 of 8');
    // Held out: all the baseline's held-out rows and the workspace labels the hash holds out (~20%).
    expect(r.heldOut.baseline).toBe(baselineHoldout.y.length);
    expect(r.heldOut.workspace).toBeGreaterThan(50);
    expect(r.heldOut.workspace).toBeLessThan(150);
    expect(r.candidate.metrics.evaluated).toBe(r.heldOut.baseline + r.heldOut.workspace);
    expect(r.current.metrics.evaluated).toBe(r.candidate.metrics.evaluated);
    expect((await findEvaluation(workspace, r.current.version, r.heldOut.key))?.metrics).toEqual(r.current.metrics);
    expect((await loadCurrentModel(workspace)).model.toJSON().heldOut).toEqual(r.heldOut);
  });

  it('stops when cancelled during training and leaves the current model as it was', async () => {
    const workspace = join(dir, 'ws-cancel');
    const stop = new AbortController();
    const retraining = retrainWorkspaceModel({
      workspace,
      examples,
      threshold: 0.9,
      extraCodes: ['BOOKING_ERROR'],
      baseline,
      baselineHoldout,
      trainOptions: { nEstimators: 30 },
      workDir: join(dir, 'work'),
      signal: stop.signal,
      progress: (p) => p.stage === 'training' && p.fraction > 0 && stop.abort(),
    });
    await expect(retraining).rejects.toMatchObject({ name: 'AbortError' });
    expect(existsSync(currentModelPath(workspace))).toBe(false);
    expect((await loadCurrentModel(workspace)).path).toMatch(/baseline-model\.json$/);
  });

  it('promotes only when accuracy does not drop and auto accuracy stays at the 95% floor', () => {
    const m = (accuracy: number, autoAccuracy: number) => ({ ...new MetricsAccumulator(0.9).result(), accuracy, autoAccuracy });
    expect(noWorse(m(0.9, 0.99), m(0.9, 0.99))).toBe(true);
    expect(noWorse(m(0.95, 0.98), m(0.9, 1))).toBe(true);
    expect(noWorse(m(0.95, 0.94), m(0.9, 1))).toBe(false);
    expect(noWorse(m(0.89, 1), m(0.9, 0.99))).toBe(false);
    expect(noWorse(m(0.95, 0.93), m(0.9, 0.92))).toBe(true);
    expect(noWorse(m(0.95, 0.91), m(0.9, 0.92))).toBe(false);
  });
});
