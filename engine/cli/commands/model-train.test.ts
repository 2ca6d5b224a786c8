import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addSyntheticExamples } from '../../attribution/baseline-data.ts';
import { currentModelPath } from '../../attribution/model-store.ts';
import { TrainingSetBuilder } from '../../attribution/training-data.ts';
import { modelCommand } from './model.ts';
import { runTraining } from './model-train.ts';

const dir = mkdtempSync(join(tmpdir(), 'recon-model-train-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let out = '';
let err = '';
let onErr: (s: string) => void = () => undefined;
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), onErr(String(s)), true));
});
afterEach(() => {
  onErr = () => undefined;
  vi.restoreAllMocks();
});

describe('recon model info', () => {
  it('names the held-out set the figures are on: the baseline’s held-out breaks and the workspace’s held-out labels', async () => {
    expect(await modelCommand(['info', '--workspace', join(dir, 'fresh')])).toBe(0);
    expect(out).toMatch(/^Model baseline-[0-9a-f]{10} \(shipped baseline\)/);
    expect(out).toMatch(/On ([\d,]+) held-out breaks \(\1 baseline held-out \+ 0 of your labels\), threshold 0\.9/);
    expect(out).toMatch(/accuracy of auto-attributed +\d+\.\d%/);
    expect(out).not.toMatch(/labels changed since/);
  });
});

describe('recon model train', () => {
  it('stops on Ctrl-C while the trees grow: exit 130, nothing promoted', async () => {
    const train = new TrainingSetBuilder();
    await addSyntheticExamples(21, 3, train);
    const holdout = new TrainingSetBuilder();
    await addSyntheticExamples(22, 1, holdout);
    const workspace = join(dir, 'ws');
    // The stage line for the trees is where a person presses Ctrl-C.
    onErr = (s) => void (s.startsWith('Training trees') && process.emit('SIGINT', 'SIGINT'));
    const code = await runTraining(
      { workspace, examples: [], threshold: 0.9, workDir: join(dir, 'work'), baseline: train.build(), baselineHoldout: holdout.build(), trainOptions: { nEstimators: 40 } },
      false,
    );
    expect(code).toBe(130);
    expect(err).toMatch(/SIGINT: stopping the retraining; the current model stays as it was/);
    expect(err).toMatch(/Retraining cancelled: nothing was promoted/);
    expect(out).toBe('');
    expect(existsSync(currentModelPath(workspace))).toBe(false);
  });
});
