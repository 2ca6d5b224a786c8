import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ReconError } from '../errors/recon-error.ts';
import { JobChannel, type WorkerThread } from './client.ts';
import type { JobKind } from './protocol.ts';
import { serveJobs, type JobRunner, type JobRunners } from './serve.ts';

/** The worker protocol end to end, both ends in this thread: serveJobs on one port of a MessageChannel, a JobChannel on the other. */

/** A stand-in for a Worker: messages cross a real MessageChannel (structured clone), 'error' and 'exit' are emitted by hand. */
class FakeThread extends EventEmitter {
  readonly port: MessagePort;
  constructor(runners: Partial<JobRunners>, warm?: JobKind) {
    super();
    const { port1, port2 } = new MessageChannel();
    const missing = (kind: string) => () => Promise.reject(new Error(`no ${kind} runner in this test`));
    serveJobs(port2, { run: missing('run'), infer: missing('infer'), export: missing('export'), retrain: missing('retrain'), ...runners } as JobRunners, warm);
    port1.on('message', (m) => this.emit('message', m));
    this.port = port1;
    channels.push(port1, port2);
  }
  postMessage(m: unknown): void {
    this.port.postMessage(m);
  }
  terminate(): Promise<number> {
    this.emit('exit', 1);
    return Promise.resolve(1);
  }
}

const channels: MessagePort[] = [];
afterEach(() => {
  for (const p of channels.splice(0)) p.close();
});

const channelOn = (runners: Partial<JobRunners>, warm?: JobKind): { channel: JobChannel; thread: FakeThread } => {
  const thread = new FakeThread(runners, warm);
  return { channel: new JobChannel(thread as unknown as WorkerThread), thread };
};

/** An export runner that reports twice, then answers, or waits for its signal when `hang`. */
const exportRunner =
  (hang = false): JobRunner<'export'> =>
  (request, { signal, progress }) =>
    new Promise((resolve, reject) => {
      progress({ label: 'Writing', overall: 0.5, rowsDone: 1, rowsTotal: 2 });
      progress({ label: 'Writing', overall: 1, rowsDone: 2, rowsTotal: 2 });
      if (!hang) resolve({ path: request.out, format: request.format } as never);
      signal.addEventListener('abort', () => reject(new Error('aborted')));
    });

describe('the worker protocol', () => {
  it('delivers a job’s progress in order, then its result', async () => {
    const { channel } = channelOn({ export: () => Promise.resolve(exportRunner()) });
    const seen: number[] = [];
    const h = channel.start('export', { runId: 'r', format: 'csv', workspace: '/w', out: '/w/out.csv' } as never, (p) => seen.push(p.overall));
    await expect(h.result).resolves.toEqual({ path: '/w/out.csv', format: 'csv' });
    expect(seen).toEqual([0.5, 1]);
  });

  it('answers each job under its own sequence number', async () => {
    const { channel } = channelOn({
      infer: () => Promise.resolve(((req: { aPath: string }) => new Promise((r) => setTimeout(() => r({ a: req.aPath }), req.aPath === 'slow' ? 30 : 0))) as never),
    });
    const slow = channel.start('infer', { aPath: 'slow', bPath: 'b' });
    const fast = channel.start('infer', { aPath: 'fast', bPath: 'b' });
    expect(await Promise.all([slow.result, fast.result])).toEqual([{ a: 'slow' }, { a: 'fast' }]);
  });

  it('turns a job’s failure into a ReconError with its code, message and details', async () => {
    const { channel } = channelOn({ run: () => Promise.resolve(() => Promise.reject(new ReconError('INPUT_NOT_FOUND', 'a.csv: missing', { file: 'a.csv' }))) });
    const err = await channel.start('run', {} as never).result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReconError);
    expect(err).toMatchObject({ code: 'INPUT_NOT_FOUND', message: 'a.csv: missing', details: { file: 'a.csv' } });
  });

  it('cancels a job: its result is RUN_CANCELLED, named for its kind', async () => {
    const { channel } = channelOn({ export: () => Promise.resolve(exportRunner(true)) });
    const h = channel.start('export', { runId: 'r', format: 'xlsx', workspace: '/w', out: '/w/out.xlsx' } as never, (p) => {
      if (p.overall === 1) h.cancel();
    });
    await expect(h.result).rejects.toMatchObject({ code: 'RUN_CANCELLED', message: 'the export was cancelled' });
  });

  it('fails every pending job when the worker crashes, and any later one at once', async () => {
    const { channel, thread } = channelOn({ infer: () => new Promise(() => undefined) });
    const a = channel.start('infer', { aPath: 'a', bPath: 'b' });
    const b = channel.start('retrain', {} as never);
    thread.emit('error', new Error('boom'));
    await expect(a.result).rejects.toMatchObject({ code: 'INTERNAL_ERROR', message: 'infer worker crashed: boom' });
    await expect(b.result).rejects.toMatchObject({ code: 'INTERNAL_ERROR', message: 'retrain worker crashed: boom' });
    await expect(channel.start('run', {} as never).result).rejects.toMatchObject({ message: 'run worker crashed: boom' });
  });

  it('fails a pending job when the worker exits, as a terminate does', async () => {
    const { channel } = channelOn({ run: () => new Promise(() => undefined) });
    const h = channel.start('run', {} as never);
    await h.terminate();
    await expect(h.result).rejects.toMatchObject({ code: 'INTERNAL_ERROR', message: 'run worker exited unexpectedly (code 1)' });
  });

  it('starts loading the warm kind’s code before any job arrives, once', async () => {
    let loads = 0;
    const { channel } = channelOn(
      {
        run: () => {
          loads++;
          return Promise.resolve(() => Promise.resolve({ runId: 'r' } as never));
        },
      },
      'run',
    );
    expect(loads).toBe(1);
    await channel.start('run', {} as never).result;
    await channel.start('run', {} as never).result;
    expect(loads).toBe(1);
  });

  it('reports a kind whose code fails to load as that job’s error', async () => {
    const { channel } = channelOn({ retrain: () => Promise.reject(new Error('cannot load')) }, 'retrain');
    await expect(channel.start('retrain', {} as never).result).rejects.toMatchObject({ code: 'INTERNAL_ERROR', message: 'cannot load' });
  });
});
