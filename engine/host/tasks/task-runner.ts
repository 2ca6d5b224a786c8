/**
 * Runs inference and exports for a host, each on a worker thread of its own
 * (started per task, ended with it: the work is seconds long, and a crash or
 * a leak stays in that thread). Progress goes out as task.progress events
 * under the caller's task id, which tasks.cancel uses to stop it.
 */
import type { ContractEvent } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import type { InferRequest } from '../../infer/infer.ts';
import type { InferenceResult } from '../../infer/types.ts';
import type { ExportResult } from '../../report/export.ts';
import { startJob, type JobHandle } from '../../worker/client.ts';
import type { ExportJobRequest, JobRequest, JobResult, TaskProgress } from '../../worker/protocol.ts';

export class TaskRunner {
  readonly #emit: (e: ContractEvent) => void;
  readonly #running = new Map<string, Pick<JobHandle<'infer' | 'export'>, 'cancel' | 'terminate'>>();
  #anonymous = 0;

  constructor(emit: (e: ContractEvent) => void) {
    this.#emit = emit;
  }

  infer(request: InferRequest, taskId?: string): Promise<InferenceResult> {
    return this.#run('infer', request, taskId);
  }

  export(request: ExportJobRequest, taskId?: string): Promise<ExportResult> {
    return this.#run('export', request, taskId);
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
    await Promise.all([...this.#running.values()].map((t) => t.terminate()));
    this.#running.clear();
  }

  #run<K extends 'infer' | 'export'>(kind: K, request: JobRequest<K>, taskId?: string): Promise<JobResult<K>> {
    if (taskId !== undefined && this.#running.has(taskId)) {
      return Promise.reject(new ReconError('INVALID_ARGUMENT', `task "${taskId}" is already running; give each task its own id`, { taskId }));
    }
    const id = taskId ?? `task-${++this.#anonymous}`;
    const handle = startJob(kind, request, {
      onProgress: (p: TaskProgress) => {
        if (taskId !== undefined) this.#emit({ type: 'task.progress', taskId, kind, ...p });
      },
    });
    this.#running.set(id, handle);
    return handle.result.finally(() => this.#running.delete(id));
  }
}
