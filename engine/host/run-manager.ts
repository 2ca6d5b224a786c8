/**
 * Runs started from the UI: each on its own worker thread, with progress and
 * the outcome pushed as contract events. Remembers this session's running and
 * failed runs, which have no summary file, so the runs list can show them.
 */
import { stat } from 'node:fs/promises';
import type { ContractEvent, ErrorData, RunListItem } from '../contract/index.ts';
import type { Definition } from '../definition/schema.ts';
import { ReconError, toErrorData } from '../errors/recon-error.ts';
import type { ProgressEvent, ProgressSink } from '../run/progress.ts';
import { newRunId, type RunRequest, type RunSummary } from '../run/run-recon.ts';
import type { RegisteredRun } from './registered-run.ts';

/**
 * How a host starts a run. The service passes `startRegisteredRun` bound to
 * its store and user, so the runs registry and the audit trail see every run.
 */
export type RunStarter = (request: RunRequest, onProgress: ProgressSink) => RegisteredRun;

export interface StartRequest {
  /** A file side's path; a query or HTTP side takes none (its label stands in). */
  aPath?: string | undefined;
  bPath?: string | undefined;
  definition: Definition;
}

interface Tracked {
  item: RunListItem;
  handle: RegisteredRun | null;
  lastEmit: number;
}

/** At most this many progress events per second per run reach the UI. */
const PROGRESS_INTERVAL_MS = 100;
/** Failed and cancelled runs of this session shown in the list. */
const KEEP_FINISHED = 20;

export class RunManager {
  readonly #workspace: string;
  readonly #emit: (e: ContractEvent) => void;
  readonly #start: RunStarter;
  readonly #runs = new Map<string, Tracked>();

  constructor(workspace: string, emit: (e: ContractEvent) => void, start: RunStarter) {
    this.#workspace = workspace;
    this.#emit = emit;
    this.#start = start;
  }

  /**
   * Checks each side's input (a file that exists, or a connection the workspace
   * has saved), then starts the run; returns at once with its id.
   */
  async start(req: StartRequest): Promise<string> {
    const aPath = await sideInput(this.#workspace, req.definition, 'a', req.aPath);
    const bPath = await sideInput(this.#workspace, req.definition, 'b', req.bPath);
    const runId = newRunId();
    const tracked: Tracked = {
      item: {
        runId,
        definition: req.definition.name,
        status: 'RUNNING',
        startedBy: null,
        startedAt: new Date().toISOString(),
        finishedAt: null,
        counts: null,
        breaks: null,
        checks: null,
        gatePassed: null,
        progress: 0,
        error: null,
        remoteDevice: null,
      },
      handle: null,
      lastEmit: 0,
    };
    this.#runs.set(runId, tracked);
    const handle = this.#start({ definition: req.definition, aPath, bPath, workspace: this.#workspace, runId }, (p) => this.#progress(tracked, p));
    tracked.handle = handle;
    handle.result.then(
      (summary) => this.#finish(tracked, 'COMPLETED', null, summary),
      (err: unknown) => {
        const error = toErrorData(err);
        this.#finish(tracked, error.code === 'RUN_CANCELLED' ? 'CANCELLED' : 'FAILED', error, null);
      },
    );
    return runId;
  }

  /** True when the run was running and has been asked to stop. */
  cancel(runId: string): boolean {
    const t = this.#runs.get(runId);
    if (t?.item.status !== 'RUNNING' || t.handle === null) return false;
    t.handle.cancel();
    return true;
  }

  /** The live progress (0..1) of a run this session started, while it runs. */
  progressOf(runId: string): number | null {
    const t = this.#runs.get(runId);
    return t?.item.status === 'RUNNING' ? t.item.progress : null;
  }

  /** This session's running, failed and cancelled runs (completed ones live in the runs source). */
  items(): RunListItem[] {
    return [...this.#runs.values()].map((t) => t.item);
  }

  /** Stops every running run (host shutdown). */
  cancelAll(): void {
    for (const t of this.#runs.values()) if (t.item.status === 'RUNNING') t.handle?.cancel();
  }

  #progress(t: Tracked, p: ProgressEvent): void {
    t.item.progress = p.overall;
    const now = Date.now();
    if (now - t.lastEmit < PROGRESS_INTERVAL_MS && p.overall < 1) return;
    t.lastEmit = now;
    this.#emit({
      type: 'run.progress',
      runId: t.item.runId,
      stage: p.stage,
      label: p.label,
      rowsDone: p.rowsDone,
      rowsTotal: p.rowsTotal ?? null,
      overall: p.overall,
    });
  }

  #finish(t: Tracked, status: 'COMPLETED' | 'FAILED' | 'CANCELLED', error: ErrorData | null, summary: RunSummary | null): void {
    t.item = { ...t.item, status, error, progress: null, finishedAt: new Date().toISOString() };
    t.handle = null;
    if (summary !== null) {
      // The runs source lists it from now on.
      this.#runs.delete(t.item.runId);
    }
    const finished = [...this.#runs.values()].filter((x) => x.item.status !== 'RUNNING');
    for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.#runs.delete(old.item.runId);
    this.#emit({ type: 'run.finished', runId: t.item.runId, status, error });
  }
}

/**
 * What a side reads: a file's path, or a query or HTTP source's label. A page can use
 * only connections an admin saved in the workspace (the passwords stay in the host's
 * keychain): a connection that is not there, or an HTTP source that names its own URL
 * instead of a connection (the host would fetch whatever a page asks), is refused.
 */
async function sideInput(workspace: string, definition: Definition, side: 'a' | 'b', path: string | undefined): Promise<string> {
  const source = definition.sources[side];
  const S = side.toUpperCase();
  if (source.kind === 'query' || source.kind === 'http') {
    if (path !== undefined) throw new ReconError('INVALID_ARGUMENT', `source ${S} is ${source.kind === 'query' ? 'a database query' : 'an HTTP API'} in the definition: leave out ${side}Path`, { side });
    if (source.connection === undefined) {
      throw new ReconError('INVALID_ARGUMENT', `source ${S} is an HTTP API named by its URL; the app reads HTTP sources only through a connection saved in Settings → Connections`, { side });
    }
    const { getAnyConnection } = await import('../ingest/db/connections.ts');
    const connection = await getAnyConnection(workspace, source.connection).catch((err: unknown) => {
      if (err instanceof ReconError && err.code === 'SOURCE_NOT_CONFIGURED') {
        throw new ReconError('SOURCE_NOT_CONFIGURED', `source ${S}: this workspace has no connection named "${source.connection}"; an admin adds it in Settings → Connections`, { side, connection: source.connection });
      }
      throw err;
    });
    if (source.kind === 'query' && connection.driver === 'http') {
      throw new ReconError('SOURCE_NOT_CONFIGURED', `source ${S}: connection "${connection.name}" is an HTTP connection; a query source needs a database connection`, { side, connection: connection.name });
    }
    if (source.kind === 'http' && connection.driver !== 'http') {
      throw new ReconError('SOURCE_NOT_CONFIGURED', `source ${S}: connection "${connection.name}" is a ${connection.driver} database; an HTTP source needs an HTTP connection`, { side, connection: connection.name });
    }
    // The label the engine gives such a side (queryLabel, httpLabel): it stands where a path goes.
    return `${source.kind}:${connection.name}`;
  }
  if (path === undefined) throw new ReconError('INVALID_ARGUMENT', `missing ${side}Path: source ${S} is a file`, { side });
  await requireFile(path, side);
  return path;
}

async function requireFile(path: string, side: 'a' | 'b'): Promise<void> {
  const s = await stat(path).catch(() => null);
  if (s === null || !s.isFile()) {
    throw new ReconError('INPUT_NOT_FOUND', `${path}: source ${side.toUpperCase()} does not exist or is not a file`, { file: path, side });
  }
}
