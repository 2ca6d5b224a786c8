import { parentPort } from 'node:worker_threads';
import { toErrorData } from '../../errors/recon-error.ts';
import { inferDefinition } from '../../infer/infer.ts';
import { exportRun } from '../../report/export.ts';
import type { ErrorData } from '../../contract/index.ts';
import type { TaskJob, TaskProgress, TaskReply, TaskRequest } from './task-protocol.ts';

/**
 * The worker thread for inference and exports: both are seconds to a minute
 * of work (an XLSX of a million breaks is ~30 s of JavaScript), which must not
 * stall the host's main thread, the Electron main process included.
 */
const port = parentPort;
if (!port) throw new Error('task-worker must be started as a worker thread');

const running = new Map<number, AbortController>();
const send = (m: TaskReply): void => port.postMessage(m);

function runJob(job: TaskJob, signal: AbortSignal, onProgress: (p: TaskProgress) => void): Promise<unknown> {
  switch (job.kind) {
    case 'infer':
      return inferDefinition(job.request, { signal, onProgress: (p) => onProgress({ label: p.label, overall: p.overall, rowsDone: null, rowsTotal: null }) });
    case 'export':
      return exportRun(job.request, { signal, onProgress: (p) => onProgress({ label: p.label, overall: p.overall, rowsDone: p.rowsDone, rowsTotal: p.rowsTotal }) });
  }
}

/**
 * A task's failure as data. DuckDB running out of its memory limit on what a
 * person gave it (a file that is not what it claims, a sample far too wide)
 * is a limit of the input, said as INPUT_TOO_LARGE, not an internal error.
 */
function taskError(kind: TaskJob['kind'], err: unknown): ErrorData {
  const data = toErrorData(err);
  if (data.code === 'INTERNAL_ERROR' && /^Out of Memory Error/.test(data.message)) {
    return { code: 'INPUT_TOO_LARGE', message: `the ${kind === 'infer' ? 'inference' : 'export'} ran out of memory on these inputs (${data.message.split('\n')[0]}); check that each file is the data file it should be` };
  }
  return data;
}

port.on('message', (msg: TaskRequest) => {
  switch (msg.type) {
    case 'start': {
      const ctrl = new AbortController();
      running.set(msg.seq, ctrl);
      runJob(msg.job, ctrl.signal, (progress) => send({ type: 'progress', seq: msg.seq, progress }))
        .then((result) => send({ type: 'done', seq: msg.seq, result: result as Extract<TaskReply, { type: 'done' }>['result'] }))
        .catch((err: unknown) => {
          const error = ctrl.signal.aborted ? { code: 'RUN_CANCELLED' as const, message: `the ${msg.job.kind === 'infer' ? 'inference' : 'export'} was cancelled` } : taskError(msg.job.kind, err);
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
