/**
 * The retrain worker thread: rebuilding the baseline data and growing a
 * forest takes minutes of CPU, which must never block the host's main thread
 * (IPC, the WebSocket bridge, the grid).
 */
import { parentPort } from 'node:worker_threads';
import { addSyntheticExamples } from '../../attribution/baseline-data.ts';
import { retrainWorkspaceModel, type RetrainInput } from '../../attribution/retrain.ts';
import { TrainingSetBuilder } from '../../attribution/training-data.ts';
import { toErrorData } from '../../errors/recon-error.ts';
import type { RetrainReply, RetrainRequest } from './retrain-protocol.ts';

const port = parentPort;
if (!port) throw new Error('retrain-worker must be started as a worker thread');
const send = (m: RetrainReply): void => port.postMessage(m);

async function quickBaseline(): Promise<Pick<RetrainInput, 'baseline' | 'baselineHoldout' | 'trainOptions'>> {
  const train = new TrainingSetBuilder();
  await addSyntheticExamples(21, 5, train);
  const holdout = new TrainingSetBuilder();
  await addSyntheticExamples(22, 2, holdout);
  return { baseline: train.build(), baselineHoldout: holdout.build(), trainOptions: { nEstimators: 10 } };
}

port.once('message', (m: RetrainRequest) => {
  const log = (message: string): void => send({ type: 'progress', message });
  (async () => {
    const quick = m.quick ? await quickBaseline() : {};
    if (m.quick) log('Quick mode: a small synthetic baseline');
    const result = await retrainWorkspaceModel({ workspace: m.scratch, workDir: m.workDir, examples: m.examples, extraCodes: m.extraCodes, threshold: m.threshold, log, ...quick });
    send({ type: 'done', result });
  })().catch((err: unknown) => send({ type: 'error', error: toErrorData(err) }));
});
