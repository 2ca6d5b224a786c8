import '../testing/fail-on-unhandled.ts';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentModelPath } from '../../attribution/model-store.ts';
import type { ContractEvent } from '../../contract/index.ts';
import { createService, type Service } from '../service.ts';
import { createRunFixture, type RunFixture } from '../testing/run-fixture.ts';

/** model.cancel: the worker stops between steps, the job ends CANCELLED, the workspace's model is untouched. */
let fx: RunFixture;
let admin: Service;
const events: ContractEvent[] = [];

beforeAll(async () => {
  fx = await createRunFixture(300, 11);
  admin = createService({ workspace: fx.workspace, host: 'test', version: '0', store: fx.store, user: { userId: 'ada', displayName: 'Ada' }, quickRetrain: true, emit: (e) => events.push(e) });
  await admin.invoke('users.grant', { userId: 'ada', role: 'admin' });
});

afterAll(async () => {
  await admin?.close();
  await fx?.dispose();
});

const finished = async (): Promise<ContractEvent | undefined> => {
  for (let i = 0; i < 600 && !events.some((e) => e.type === 'model.finished'); i++) await new Promise((r) => setTimeout(r, 100));
  return events.find((e) => e.type === 'model.finished');
};

describe('cancelling a retraining', () => {
  it('stops the worker job, reports CANCELLED and leaves the current model as it was', async () => {
    const before = await admin.invoke('model.info', {});
    const { jobId } = await admin.invoke('model.retrain', {});
    expect(await admin.invoke('model.cancel', { jobId: 'rt-other' })).toEqual({ cancelled: false });
    expect(await admin.invoke('model.cancel', { jobId })).toEqual({ cancelled: true });
    expect(await finished()).toMatchObject({ jobId, state: 'CANCELLED', error: null });
    const after = await admin.invoke('model.info', {});
    expect(after.job).toMatchObject({ jobId, state: 'CANCELLED', result: null, progress: null });
    expect(after.version).toBe(before.version);
    expect(existsSync(currentModelPath(fx.workspace))).toBe(false);
    expect(await admin.call('model.promote', { jobId })).toMatchObject({ ok: false, error: { code: 'ILLEGAL_TRANSITION' } });
    expect(await admin.invoke('model.cancel', { jobId })).toEqual({ cancelled: false });
  }, 60_000);

  it('runs again after a cancel, with stage progress events', async () => {
    events.length = 0;
    const { jobId } = await admin.invoke('model.retrain', {});
    expect(await finished()).toMatchObject({ jobId, state: 'DONE' });
    const steps = events.flatMap((e) => (e.type === 'model.progress' && e.progress ? [e.progress] : []));
    expect(steps.some((p) => p.stage === 'training' && p.fraction === 1)).toBe(true);
    expect(steps.at(-1)).toMatchObject({ stage: 'promoting', fraction: 1 });
    const { job } = await admin.invoke('model.info', {});
    expect(job?.result?.heldOut).toMatchObject({ upToDate: true });
    expect(job?.result?.candidate.metrics.evaluated).toBe(job!.result!.heldOut.baseline + job!.result!.heldOut.workspace);
  }, 60_000);
});
