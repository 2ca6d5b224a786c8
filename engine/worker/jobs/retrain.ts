import { addSyntheticExamples } from '../../attribution/baseline-data.ts';
import { TrainingSetBuilder } from '../../attribution/training-data.ts';
import { retrainWorkspaceModel, type RetrainInput } from '../../training/retrain.ts';
import type { JobRunner } from '../serve.ts';

/** A small synthetic baseline (tests, demos): seconds instead of the full recipe's. */
async function quickBaseline(): Promise<Pick<RetrainInput, 'baseline' | 'baselineHoldout' | 'trainOptions'>> {
  const train = new TrainingSetBuilder();
  await addSyntheticExamples(21, 5, train);
  const holdout = new TrainingSetBuilder();
  await addSyntheticExamples(22, 2, holdout);
  return { baseline: train.build(), baselineHoldout: holdout.build(), trainOptions: { nEstimators: 10 } };
}

/** Retraining against a scratch workspace: nothing real changes until model.promote. A cancel aborts `signal`, checked between every step. */
export const retrainJob: JobRunner<'retrain'> = async (r, { progress, signal }) => {
  const log = (message: string): void => progress({ kind: 'log', message });
  const quick = r.quick ? await quickBaseline() : {};
  if (r.quick) log('Quick mode: a small synthetic baseline');
  return retrainWorkspaceModel({
    workspace: r.scratch,
    workDir: r.workDir,
    cacheDir: r.cacheDir,
    examples: r.examples,
    extraCodes: r.extraCodes,
    threshold: r.threshold,
    log,
    progress: (p) => progress({ kind: 'step', progress: p }),
    signal,
    ...quick,
  });
};
