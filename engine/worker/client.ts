/**
 * The host's end of the worker protocol (protocol.ts): starts engine worker
 * threads and runs jobs on them. Every job is a handle with its progress as
 * callbacks, a result promise and a cancel; a worker that crashes or exits
 * fails its pending jobs with an error, never a hang.
 */
import { Worker } from 'node:worker_threads';
import { ReconError } from '../errors/recon-error.ts';
import type { FromWorker, Job, JobKind, JobProgress, JobRequest, JobResult, ToWorker, WorkerStartData } from './protocol.ts';

/** An engine worker's entry in both forms (see workerEntryUrl). */
export interface WorkerEntry {
  /** From source: the `.mjs` shim that registers tsx and imports the TypeScript worker, relative to the calling module. */
  source: string;
  /** From a bundle: the worker's own entry, built beside the chunks (an input in electron.vite.config.ts and in bin/cli-bundle.mjs). */
  bundled: string;
}

/** The engine worker: engine/worker/worker.ts, built as out/main/engine-worker.js. */
export const ENGINE_WORKER: WorkerEntry = { source: './entry.mjs', bundled: 'engine-worker.js' };

/**
 * Where a worker's entry file is for the module at `moduleUrl` (pass your
 * `import.meta.url`). From source (the tests, `recon serve` through
 * scripts/serve.ts, and the CLI when RECON_NO_BUNDLE=1 run TypeScript through
 * tsx, so the module URL ends in `.ts`) it is the tsx shim; from a bundle it
 * is `bundled`, beside the chunk this code was bundled into. Both bundles are
 * flat: the desktop app's out/main (inside app.asar when packaged) and the
 * CLI's node_modules/.cache/recon-cli/<key>/ (bin/cli-bundle.mjs).
 */
export function workerEntryUrl(entry: WorkerEntry, moduleUrl: string): URL {
  const fromSource = /\.[cm]?ts$/.test(new URL(moduleUrl).pathname);
  return new URL(fromSource ? entry.source : `./${entry.bundled}`, moduleUrl);
}

/** A job started on a worker. */
export interface JobHandle<K extends JobKind> {
  result: Promise<JobResult<K>>;
  /** Asks the worker to stop the job: the result then rejects with RUN_CANCELLED (unless it finished first). */
  cancel(): void;
  /** Ends the job's worker thread at once (the host is closing); the result rejects. */
  terminate(): Promise<void>;
}

/** The thread a channel talks to: a node:worker_threads Worker, or a stand-in in tests. */
export type WorkerThread = Pick<Worker, 'postMessage' | 'on' | 'terminate'>;

interface Pending {
  kind: JobKind;
  onProgress: ((p: never) => void) | undefined;
  resolve(result: unknown): void;
  reject(err: ReconError): void;
}

/**
 * One engine worker thread and the jobs running on it, each under its own
 * sequence number. A crash or an exit rejects every pending job.
 */
export class JobChannel {
  readonly #thread: WorkerThread;
  readonly #pending = new Map<number, Pending>();
  #seq = 0;
  /** Why the thread is gone, once it is. */
  #gone: ((kind: JobKind) => ReconError) | null = null;

  /** Settles once a warm thread has loaded its code (at once for a thread started cold). */
  readonly #warm: Promise<void>;
  #warmed: () => void = () => undefined;

  constructor(thread: WorkerThread, warm = false) {
    this.#thread = thread;
    this.#warm = warm ? new Promise<void>((resolve) => (this.#warmed = resolve)) : Promise.resolve();
    thread.on('message', (m: FromWorker) => (m.type === 'warm' ? this.#warmed() : this.#reply(m)));
    thread.on('error', (err: Error) => this.#fail((kind) => new ReconError('INTERNAL_ERROR', `${kind} worker crashed: ${err.message}`)));
    thread.on('exit', (code: number) => this.#fail((kind) => new ReconError('INTERNAL_ERROR', `${kind} worker exited unexpectedly (code ${code})`)));
  }

  /** Starts a job; its progress goes to `onProgress` as it comes. */
  start<K extends JobKind>(kind: K, request: JobRequest<K>, onProgress?: (p: JobProgress<K>) => void): JobHandle<K> {
    const seq = ++this.#seq;
    const result = new Promise<JobResult<K>>((resolve, reject) => {
      if (this.#gone) return reject(this.#gone(kind));
      this.#pending.set(seq, { kind, onProgress: onProgress as Pending['onProgress'], resolve: resolve as Pending['resolve'], reject });
      // TypeScript cannot pair a generic K's request with its kind in the union; start's signature does.
      this.#post({ type: 'start', seq, job: { kind, request } as Job });
    });
    return { result, cancel: () => this.#post({ type: 'cancel', seq }), terminate: () => this.terminate() };
  }

  /** Whether a job was ever started on it (the job's end then ends the thread). */
  get used(): boolean {
    return this.#seq > 0;
  }

  /**
   * Ends the thread; pending jobs reject. A warm thread still loading its code is
   * ended once it has loaded (at most a few seconds): ending it inside DuckDB's
   * native module load aborts the whole process ("terminate called after
   * throwing an instance of 'Napi::Error'"), as `recon run` with a bad
   * definition did about one time in five.
   */
  async terminate(): Promise<void> {
    if (!this.#gone) await Promise.race([this.#warm, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    await this.#thread.terminate();
  }

  #post(m: ToWorker): void {
    if (!this.#gone) this.#thread.postMessage(m);
  }

  #reply(m: FromWorker): void {
    const p = this.#pending.get(m.seq);
    if (p === undefined) return;
    switch (m.type) {
      case 'progress':
        p.onProgress?.(m.progress as never);
        break;
      case 'result':
        this.#pending.delete(m.seq);
        p.resolve(m.result);
        break;
      case 'error':
        this.#pending.delete(m.seq);
        p.reject(new ReconError(m.error.code, m.error.message, m.error.details));
        break;
    }
  }

  #fail(why: (kind: JobKind) => ReconError): void {
    this.#gone ??= why;
    this.#warmed(); // a thread that is gone loads nothing more
    for (const [seq, p] of this.#pending) {
      this.#pending.delete(seq);
      p.reject(why(p.kind));
    }
  }
}

/**
 * Starts an engine worker thread. It loads `warm`'s code (for a run, the
 * engine with DuckDB, ~0.3 s) while the caller does its own start-up;
 * startJob then gives it the job.
 */
export function startWorker(warm?: JobKind): JobChannel {
  const workerData: WorkerStartData = warm === undefined ? {} : { warm };
  return new JobChannel(new Worker(workerEntryUrl(ENGINE_WORKER, import.meta.url), { workerData }), warm !== undefined);
}

/**
 * Runs one job on a worker thread of its own (a new one, or `worker` from
 * startWorker), ended with the job: a crash or a leak stays in that thread.
 */
export function startJob<K extends JobKind>(
  kind: K,
  request: JobRequest<K>,
  options: { onProgress?: ((p: JobProgress<K>) => void) | undefined; worker?: JobChannel | undefined } = {},
): JobHandle<K> {
  const channel = options.worker ?? startWorker(kind);
  const handle = channel.start(kind, request, options.onProgress);
  const end = (): void => void channel.terminate();
  handle.result.then(end, end);
  return handle;
}
