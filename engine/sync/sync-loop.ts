/**
 * SyncLoop: what a host (Electron main, `recon serve`) runs in the
 * background. It cycles every `intervalMs`, retries failures with capped,
 * jittered exponential backoff, and never lets a network error or a server
 * restart escape as an unhandled error: every failure becomes status.
 */
import type pg from 'pg';
import type { Store } from '../store/store.ts';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { createPool, noPassword, poolConfig, type ConnectionSettings, type Timeouts } from './connection.ts';
import { resolvePassword } from './credentials.ts';
import { runCycle, type CycleOptions, type CycleResult } from './cycle.ts';
import { classifyError, SyncError } from './errors.ts';
import { readConnection } from './local-state.ts';
import { readSyncStatus, type LiveSyncStatus, type SyncStatus } from './status.ts';

/** How to run. */
export interface SyncLoopOptions extends CycleOptions {
  store: Store;
  /** Default: the workspace's `sync.connection` setting. */
  connection?: ConnectionSettings;
  /** Default: $PGPASSWORD, else the OS keychain. */
  password?: () => string | undefined | Promise<string | undefined>;
  /** Between successful cycles (default 30 s). */
  intervalMs?: number;
  backoff?: BackoffOptions;
  timeouts?: Timeouts;
  /** Diagnostics (default: none). */
  log?: (line: string) => void;
}

/** Runs sync cycles in the background; one engine per open workspace. */
export class SyncLoop {
  readonly #opts: SyncLoopOptions;
  #pool: pg.Pool | null = null;
  #login: { settings: ConnectionSettings; password: string | undefined } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<CycleResult> | null = null;
  #started = false;
  #live: LiveSyncStatus = { state: 'offline', lastError: null, nextAttemptAt: null, failures: 0 };
  readonly #listeners = new Set<(s: SyncStatus) => void>();
  readonly #cycleListeners = new Set<(r: CycleResult) => void>();

  constructor(opts: SyncLoopOptions) {
    this.#opts = opts;
  }

  /** Starts cycling now; a no-op when already started. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#schedule(0);
  }

  /** Stops cycling, waits for a cycle in flight, closes connections. */
  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#inFlight?.catch(() => undefined);
    await this.#closePool();
    this.#live = { ...this.#live, nextAttemptAt: null };
    this.#emit();
  }

  /** One cycle now ("Sync now"); joins the cycle in flight if there is one. Rejects with a SyncError. */
  syncNow(): Promise<CycleResult> {
    if (this.#inFlight) return this.#inFlight;
    const run = this.#cycle().finally(() => {
      this.#inFlight = null;
    });
    this.#inFlight = run;
    return run;
  }

  /** The current status (store + live). */
  status(): SyncStatus {
    const configured = (this.#opts.connection ?? readConnection(this.#opts.store)) !== null;
    return readSyncStatus(this.#opts.store, configured ? this.#live : { ...this.#live, state: 'disabled' });
  }

  /** Calls fn on every status change; returns the unsubscribe function. */
  onStatus(fn: (s: SyncStatus) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Calls fn after every successful cycle (background or syncNow), e.g. to refresh views after a pull; returns the unsubscribe function. */
  onCycle(fn: (r: CycleResult) => void): () => void {
    this.#cycleListeners.add(fn);
    return () => this.#cycleListeners.delete(fn);
  }

  #schedule(ms: number): void {
    if (!this.#started) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#live = { ...this.#live, nextAttemptAt: new Date(Date.now() + ms).toISOString() };
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.syncNow().then(
        () => this.#schedule(this.#opts.intervalMs ?? 30_000),
        () => this.#schedule(backoffDelay(this.#live.failures - 1, this.#opts.backoff)),
      );
    }, ms);
  }

  async #cycle(): Promise<CycleResult> {
    this.#live = { ...this.#live, state: 'syncing' };
    this.#emit();
    try {
      const pool = await this.#getPool();
      const result = await runCycle(this.#opts.store, pool, this.#opts);
      this.#live = { state: 'online', lastError: null, nextAttemptAt: null, failures: 0 };
      this.#opts.log?.(`sync: pushed ${result.push.acknowledged}, pulled ${result.pulledEvents} events in ${result.ms} ms`);
      for (const fn of this.#cycleListeners) {
        try {
          fn(result);
        } catch {
          // A listener's bug must not fail the cycle.
        }
      }
      return result;
    } catch (err) {
      const e = this.#login ? noPassword(classifyError(err), this.#login.settings, this.#login.password) : classifyError(err);
      this.#live = { state: 'offline', lastError: { code: e.code, message: e.message, at: new Date().toISOString() }, nextAttemptAt: null, failures: this.#live.failures + 1 };
      this.#opts.log?.(`sync failed [${e.code}]: ${e.message}`);
      // A login or settings problem: reconnect with fresh settings and password next time.
      if (!e.transient) await this.#closePool();
      throw e;
    } finally {
      this.#emit();
    }
  }

  async #getPool(): Promise<pg.Pool> {
    if (this.#pool) return this.#pool;
    const settings = this.#opts.connection ?? readConnection(this.#opts.store);
    if (!settings) throw new SyncError('SYNC_NOT_CONFIGURED', 'no team server is configured for this workspace (recon sync configure)');
    const password = this.#opts.password ? await this.#opts.password() : resolvePassword(settings).password;
    this.#login = { settings, password };
    this.#pool = createPool(poolConfig(settings, password, this.#opts.timeouts), (err) => this.#opts.log?.(`sync: idle connection lost: ${err.message}`));
    return this.#pool;
  }

  async #closePool(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.end().catch(() => undefined);
  }

  #emit(): void {
    if (this.#listeners.size === 0) return;
    const s = this.status();
    for (const fn of this.#listeners) {
      try {
        fn(s);
      } catch {
        // A listener's bug must not stop sync.
      }
    }
  }
}
