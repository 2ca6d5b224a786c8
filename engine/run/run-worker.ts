import { parentPort } from 'node:worker_threads';
import { toErrorData } from '../errors/recon-error.ts';
import { runRecon } from './run-recon.ts';
import type { WorkerReply, WorkerRequest } from './worker-protocol.ts';

/** The worker thread that runs ingest, normalize, diff and checks off the host's main thread. */
const port = parentPort;
if (!port) throw new Error('run-worker must be started as a worker thread');

const running = new Map<number, AbortController>();
const send = (m: WorkerReply): void => port.postMessage(m);

port.on('message', (msg: WorkerRequest) => {
  switch (msg.type) {
    case 'run': {
      const ctrl = new AbortController();
      running.set(msg.seq, ctrl);
      runRecon(msg.request, {
        signal: ctrl.signal,
        onProgress: (event) => send({ type: 'progress', seq: msg.seq, event }),
        onFingerprints: (inputs) => send({ type: 'fingerprints', seq: msg.seq, inputs }),
      })
        .then((summary) => send({ type: 'done', seq: msg.seq, summary }))
        .catch((err: unknown) => {
          const error = ctrl.signal.aborted ? { code: 'RUN_CANCELLED' as const, message: 'the run was cancelled' } : toErrorData(err);
          send({ type: 'error', seq: msg.seq, error });
        })
        .finally(() => running.delete(msg.seq));
      break;
    }
    case 'cancel':
      running.get(msg.seq)?.abort();
      break;
  }
});
