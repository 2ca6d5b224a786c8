import { missingCase } from '../contract/guards.ts';
import { toErrorData } from '../errors/recon-error.ts';
import { JOB_NOUN, type FromWorker, type JobKind, type JobProgress, type JobRequest, type JobResult, type ToWorker } from './protocol.ts';

/** A job's code in the worker: does the work, reports progress, stops when `signal` aborts. */
export type JobRunner<K extends JobKind> = (request: JobRequest<K>, ctx: { signal: AbortSignal; progress: (p: JobProgress<K>) => void }) => Promise<JobResult<K>>;

/** Each kind's code, loaded on first use: a run never loads the XLSX writer, an export never loads DuckDB's run code twice. */
export type JobRunners = { [K in JobKind]: () => Promise<JobRunner<K>> };

/** The worker's end of the channel: node:worker_threads' parentPort, or a MessagePort in tests. */
export interface JobPort {
  on(event: 'message', listener: (m: ToWorker) => void): unknown;
  postMessage(m: FromWorker): void;
}

/**
 * The one message loop of every engine worker thread: runs each `start`
 * under its sequence number, posts its progress and then its result or its
 * error (a cancelled job is RUN_CANCELLED), and aborts it on `cancel`.
 * `warm` starts loading that kind's code before any job arrives.
 */
export function serveJobs(port: JobPort, runners: JobRunners, warm?: JobKind): void {
  // One load per kind; a map over every kind cannot keep each runner's own K, hence the cast back.
  const loaded = new Map<JobKind, Promise<unknown>>();
  const load = <K extends JobKind>(kind: K): Promise<JobRunner<K>> => {
    let runner = loaded.get(kind);
    if (runner === undefined) {
      runner = runners[kind]();
      loaded.set(kind, runner);
    }
    return runner as Promise<JobRunner<K>>;
  };
  // A failure to load surfaces when the job arrives, as that job's error.
  if (warm !== undefined) {
    const told = (): void => port.postMessage({ type: 'warm', seq: 0 });
    load(warm).then(told, told);
  }

  const running = new Map<number, AbortController>();
  const start = <K extends JobKind>(seq: number, kind: K, request: JobRequest<K>): void => {
    const ctrl = new AbortController();
    running.set(seq, ctrl);
    const progress = (p: JobProgress<K>): void => port.postMessage({ type: 'progress', seq, progress: p });
    load(kind)
      .then((run) => run(request, { signal: ctrl.signal, progress }))
      .then((result) => port.postMessage({ type: 'result', seq, result }))
      .catch((err: unknown) => {
        const error = ctrl.signal.aborted ? { code: 'RUN_CANCELLED' as const, message: `the ${JOB_NOUN[kind]} was cancelled` } : toErrorData(err);
        port.postMessage({ type: 'error', seq, error });
      })
      .finally(() => running.delete(seq));
  };

  port.on('message', (m) => {
    switch (m.type) {
      case 'start':
        start(m.seq, m.job.kind, m.job.request);
        break;
      case 'cancel':
        running.get(m.seq)?.abort();
        break;
      default:
        missingCase(m);
    }
  });
}
