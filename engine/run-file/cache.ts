/**
 * Open run files, least recently used first out: the one cache of open run
 * files a host keeps (the grid and the workflow's decisions share it). A
 * handle is reopened when its file changed on disk (for example when
 * attribution added its table), so the grid never pages from a stale snapshot.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ReconError } from '../errors/recon-error.ts';
import { RunFile } from './run-file.ts';

/** Run files kept open at once. */
const MAX_OPEN = 4;

export class RunFileCache {
  readonly #open = new Map<string, Promise<RunFile>>();
  readonly #pathOf: (runId: string) => string;
  readonly #tempDirectory: string;

  constructor(pathOf: (runId: string) => string, workspace: string) {
    this.#pathOf = pathOf;
    this.#tempDirectory = join(workspace, 'tmp', 'grid');
  }

  /** The open handle of a run, opening (or reopening) its file when needed. */
  async get(runId: string): Promise<RunFile> {
    const path = this.#pathOf(runId);
    const s = await stat(path).catch(() => null);
    if (s === null) {
      await this.evict(runId);
      throw new ReconError('RUN_NOT_FOUND', `run ${runId} has no database file in this workspace`, { runId });
    }
    const stamp = `${s.mtimeMs}:${s.size}`;
    const cached = this.#open.get(runId);
    if (cached !== undefined) {
      const db = await cached.catch(() => null);
      if (db !== null && db.stamp === stamp) {
        this.#open.delete(runId);
        this.#open.set(runId, cached);
        return db;
      }
      await this.evict(runId);
    }
    // A reader needs little memory: pages are small and views are two BIGINT columns.
    const opening = RunFile.open(path, { runId, stamp, memoryLimit: '1GB', tempDirectory: this.#tempDirectory });
    this.#open.set(runId, opening);
    opening.catch(() => this.#open.delete(runId));
    while (this.#open.size > MAX_OPEN) {
      const oldest = this.#open.keys().next().value as string;
      await this.evict(oldest);
    }
    return opening;
  }

  /**
   * Runs `fn` on a run's file without making it one of the kept handles: the
   * open handle when there is one, else the file opened for `fn` alone and
   * closed after. A walk back over a series' runs thus never evicts the
   * handles (and cached views) the grid is using.
   */
  async borrow<T>(runId: string, fn: (db: RunFile) => Promise<T>): Promise<T> {
    const cached = this.#open.get(runId);
    if (cached !== undefined) {
      const db = await cached.catch(() => null);
      if (db !== null) return fn(db);
    }
    const path = this.#pathOf(runId);
    if ((await stat(path).catch(() => null)) === null) throw new ReconError('RUN_NOT_FOUND', `run ${runId} has no database file in this workspace`, { runId });
    const db = await RunFile.open(path, { runId, memoryLimit: '256MB', tempDirectory: this.#tempDirectory });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }

  /** Closes a run's file, e.g. before another step writes to it. */
  async evict(runId: string): Promise<void> {
    const cached = this.#open.get(runId);
    if (cached === undefined) return;
    this.#open.delete(runId);
    const db = await cached.catch(() => null);
    await db?.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#open.keys()].map((id) => this.evict(id)));
  }
}
