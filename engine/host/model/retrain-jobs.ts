/**
 * Retraining from the UI: one job at a time on a worker thread, its log
 * pushed as model.progress events. The worker retrains against a scratch copy
 * of the workspace's current model, so nothing changes until an admin
 * promotes the result (model.promote), which is then audited.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_REASON_CODES } from '../../attribution/catalogue.ts';
import type { ModelMetrics } from '../../attribution/metrics.ts';
import { currentModelPath, loadCurrentModel, promoteModel } from '../../attribution/model-store.ts';
import { ReasonModel } from '../../attribution/model.ts';
import type { ContractEvent, ErrorData, ModelMetricsDto, RetrainJob } from '../../contract/index.ts';
import { recordEvaluations, trainingCacheDir } from '../../training/held-out.ts';
import { ReconError, toErrorData } from '../../errors/recon-error.ts';
import type { Store } from '../../store/store.ts';
import { recordModelPromoted } from '../../workflow/events.ts';
import type { Identity } from '../../workflow/identity.ts';
import { listTrainingExamples } from '../../workflow/labels.ts';
import { listReasonCodes } from '../../workflow/reason-codes.ts';
import type { RetrainResult } from '../../training/retrain.ts';
import { startJob, type JobHandle } from '../../worker/client.ts';
import { requireRoleNow } from '../workflow/roles-check.ts';

/** Log lines a job keeps for the UI. */
const LOG_LINES = 40;
/** How long a cancelled job's worker may take to stop before its thread is ended. */
const CANCEL_GRACE_MS = 5_000;

interface Job {
  view: RetrainJob;
  handle: JobHandle<'retrain'> | null;
  scratch: string;
  raw: RetrainResult | null;
  /** Cancel was asked: however the worker then ends, the job is CANCELLED. */
  cancelled: boolean;
}

const metricsDto = (m: ModelMetrics): ModelMetricsDto => ({
  threshold: m.threshold,
  evaluated: m.evaluated,
  accuracy: m.accuracy,
  autoRate: m.autoRate,
  autoAccuracy: m.autoAccuracy,
  perClass: m.perClass,
});

export interface RetrainOptions {
  workspace: string;
  store: Store;
  user: Identity;
  emit: (e: ContractEvent) => void;
  /** A small synthetic baseline (tests, demos). */
  quick?: boolean;
}

export class RetrainJobs {
  readonly #o: RetrainOptions;
  #job: Job | null = null;

  constructor(opts: RetrainOptions) {
    this.#o = opts;
  }

  /** The latest job of this host, if any. */
  latest(): RetrainJob | null {
    return this.#job ? structuredClone(this.#job.view) : null;
  }

  /** Admin: starts retraining; refuses while one runs. */
  async start(threshold: number): Promise<string> {
    const { store, user, workspace } = this.#o;
    requireRoleNow(store, user, 'admin', 'retrain the model');
    if (this.#job?.view.state === 'RUNNING') throw new ReconError('ILLEGAL_TRANSITION', 'a retraining is already running; wait for it to finish');
    await this.#discard();
    const jobId = `rt-${randomUUID().slice(0, 8)}`;
    const scratch = join(workspace, 'tmp', 'retrain', jobId);
    await mkdir(join(scratch, 'ws', 'models'), { recursive: true, mode: 0o700 });
    // The worker compares against (and "promotes" into) a copy, never the real current model.
    if (existsSync(currentModelPath(workspace))) await copyFile(currentModelPath(workspace), currentModelPath(join(scratch, 'ws')));
    const examples = listTrainingExamples(store);
    const known = new Set<string>(DEFAULT_REASON_CODES.map((r) => r.code));
    const extraCodes = [...new Set([...listReasonCodes(store, { includeRetired: true }).map((r) => r.code), ...examples.map((e) => e.reason)])].filter((c) => !known.has(c));
    const started = Date.now();
    const job: Job = {
      view: { jobId, state: 'RUNNING', startedAt: new Date(started).toISOString(), finishedAt: null, log: [], progress: null, result: null, error: null },
      handle: null,
      scratch,
      raw: null,
      cancelled: false,
    };
    this.#job = job;
    const finish = (state: 'DONE' | 'FAILED' | 'CANCELLED', error: ErrorData | null): void => {
      if (job.view.state !== 'RUNNING') return;
      job.view.state = state;
      job.view.progress = null;
      job.view.error = error;
      job.view.finishedAt = new Date().toISOString();
      job.handle = null;
      this.#o.emit({ type: 'model.finished', jobId, state, error });
    };
    // The baseline data is cached in the real workspace: the scratch copy goes when the job does.
    const request = { scratch: join(scratch, 'ws'), workDir: join(scratch, 'work'), examples, extraCodes, threshold, quick: this.#o.quick ?? false, cacheDir: trainingCacheDir(workspace) };
    job.handle = startJob('retrain', request, {
      onProgress: (p) => {
        const elapsedMs = Date.now() - started;
        if (p.kind === 'log') {
          job.view.log = [...job.view.log, p.message].slice(-LOG_LINES);
          this.#o.emit({ type: 'model.progress', jobId, message: p.message, elapsedMs });
          return;
        }
        job.view.progress = p.progress;
        this.#o.emit({ type: 'model.progress', jobId, message: p.progress.message, elapsedMs, progress: p.progress });
      },
    });
    job.handle.result.then(
      async (result) => {
        job.raw = result;
        const measuredAt = new Date().toISOString();
        job.view.result = {
          candidate: { version: result.candidate.version, metrics: metricsDto(result.candidate.metrics) },
          current: { version: result.current.version, metrics: metricsDto(result.current.metrics) },
          promotable: result.promoted,
          workspaceLabels: result.workspaceLabels,
          heldOut: { ...result.heldOut, upToDate: true, measuredAt },
        };
        // The current model's figures on this held-out set, so model.info shows what this table shows.
        await recordEvaluations(workspace, [
          { version: result.current.version, heldOut: result.heldOut, metrics: result.current.metrics, measuredAt },
          { version: result.candidate.version, heldOut: result.heldOut, metrics: result.candidate.metrics, measuredAt },
        ]).catch(() => undefined);
        finish('DONE', null);
      },
      (err: unknown) => {
        const e = toErrorData(err);
        const cancelled = job.cancelled || e.code === 'RUN_CANCELLED';
        finish(cancelled ? 'CANCELLED' : 'FAILED', cancelled ? null : e);
      },
    );
    this.#o.emit({ type: 'model.progress', jobId, message: `Retraining on ${examples.length} reviewer label(s)…`, elapsedMs: 0 });
    return jobId;
  }

  /**
   * Admin: stops the running job. The worker stops between two steps (a tree,
   * a run file) and nothing of the real workspace has changed; if it does not
   * answer within `CANCEL_GRACE_MS`, its thread is ended.
   */
  cancel(jobId: string): boolean {
    requireRoleNow(this.#o.store, this.#o.user, 'admin', 'cancel a retraining');
    const job = this.#job;
    if (job?.view.jobId !== jobId || job.view.state !== 'RUNNING' || !job.handle) return false;
    const handle = job.handle;
    job.cancelled = true;
    handle.cancel();
    setTimeout(() => {
      if (job.view.state !== 'RUNNING') return;
      void handle.terminate();
    }, CANCEL_GRACE_MS).unref();
    return true;
  }

  /** Admin: the finished job's model becomes the workspace's current model (audit: model.promoted). */
  async promote(jobId: string): Promise<{ version: string; path: string }> {
    const { store, user, workspace } = this.#o;
    requireRoleNow(store, user, 'admin', 'promote models');
    const job = this.#job;
    if (job?.view.jobId !== jobId) throw new ReconError('NOT_FOUND', `no retraining ${jobId} in this session`, { jobId });
    if (job.view.state !== 'DONE' || !job.raw) throw new ReconError('ILLEGAL_TRANSITION', `retraining ${jobId} is ${job.view.state}: only a finished one can be promoted`, { jobId });
    if (!job.raw.promoted || !job.raw.path) {
      throw new ReconError('ILLEGAL_TRANSITION', 'the new model is worse than the current one on the held-out rows, so it cannot be promoted', { jobId });
    }
    const current = await loadCurrentModel(workspace);
    if (current.model.version !== job.raw.current.version) {
      throw new ReconError('ILLEGAL_TRANSITION', `the current model changed to ${current.model.version} since this retraining compared against ${job.raw.current.version}; retrain again`, { jobId });
    }
    const model = await ReasonModel.load(job.raw.path);
    const path = await promoteModel(workspace, model);
    recordModelPromoted(store, user, {
      version: model.version,
      previousVersion: current.model.version,
      path,
      trainingSetSize: model.toJSON().trainingSetSize,
      metrics: job.view.result?.candidate.metrics ?? null,
    });
    job.view.state = 'PROMOTED';
    await rm(job.scratch, { recursive: true, force: true });
    return { version: model.version, path };
  }

  async #discard(): Promise<void> {
    const job = this.#job;
    this.#job = null;
    if (job === null) return;
    await job.handle?.terminate();
    await rm(job.scratch, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Stops a running job and removes scratch files (host shutdown). */
  async close(): Promise<void> {
    if (this.#job) this.#job.view.state = 'FAILED';
    await this.#discard();
  }
}

