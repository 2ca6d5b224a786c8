/**
 * Runs inference and exports for a host, each on a worker thread of its own
 * (started per task, ended with it: the work is seconds long, and a crash or
 * a leak stays in that thread). Progress goes out as task.progress events
 * under the caller's task id, which tasks.cancel uses to stop it.
 */
import { Worker } from 'node:worker_threads';
import type { ContractEvent } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import type { InferRequest } from '../../infer/infer.ts';
import type { InferenceResult } from '../../infer/types.ts';
import type { ExportRequest, ExportResult } from '../../report/export.ts';
import { workerEntryUrl, type WorkerEntry } from '../run-in-worker.ts';
import type { TaskJob, TaskReply, TaskRequest } from './task-protocol.ts';

/** The task worker: the tsx shim from source, its own entry (an electron-vite input) in the bundle. */
export const TASK_WORKER: WorkerEntry = { source: './task-entry.mjs', bundled: 'task-worker.js' };

interface Running {
  worker: Worker;
  cancel(): void;
}

export class TaskRunner {
  readonly #emit: (e: ContractEvent) => void;
  readonly #running = new Map<string, Running>();
  #anonymous = 0;

  constructor(emit: (e: ContractEvent) => void) {
    this.#emit = emit;
  }

  infer(request: InferRequest, taskId?: string): Promise<InferenceResult> {
    return this.#run({ kind: 'infer', request }, taskId) as Promise<InferenceResult>;
  }

  export(request: Omit<ExportRequest, 'store'>, taskId?: string): Promise<ExportResult> {
    return this.#run({ kind: 'export', request }, taskId) as Promise<ExportResult>;
  }

  /** Stops a task; false when no task of that id is running. */
  cancel(taskId: string): boolean {
    const t = this.#running.get(taskId);
    if (!t) return false;
    t.cancel();
    return true;
  }

  /** Stops every task (the host is closing). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#running.values()].map((t) => t.worker.terminate()));
    this.#running.clear();
  }

  #run(job: TaskJob, taskId?: string): Promise<unknown> {
    if (taskId !== undefined && this.#running.has(taskId)) {
      return Promise.reject(new ReconError('INVALID_ARGUMENT', `task "${taskId}" is already running; give each task its own id`, { taskId }));
    }
    const id = taskId ?? `task-${++this.#anonymous}`;
    const seq = 1;
    const worker = new Worker(workerEntryUrl(TASK_WORKER, import.meta.url));
    const post = (m: TaskRequest): void => worker.postMessage(m);
    this.#running.set(id, { worker, cancel: () => post({ type: 'cancel', seq }) });
    let settled = false;
    const result = new Promise<unknown>((resolvePromise, reject) => {
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        this.#running.delete(id);
        void worker.terminate();
        fn();
      };
      worker.on('message', (m: TaskReply) => {
        if (m.seq !== seq) return;
        switch (m.type) {
          case 'progress':
            if (taskId !== undefined) this.#emit({ type: 'task.progress', taskId, kind: job.kind, ...m.progress });
            break;
          case 'done':
            finish(() => resolvePromise(m.result));
            break;
          case 'error':
            finish(() => reject(new ReconError(m.error.code, m.error.message, m.error.details)));
            break;
        }
      });
      worker.on('error', (err) => finish(() => reject(new ReconError('INTERNAL_ERROR', `${job.kind} worker crashed: ${err.message}`))));
      worker.on('exit', (code) => finish(() => reject(new ReconError('INTERNAL_ERROR', `${job.kind} worker exited unexpectedly (code ${code})`))));
    });
    post({ type: 'start', seq, job });
    return result;
  }
}
