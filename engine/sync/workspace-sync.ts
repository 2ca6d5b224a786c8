/**
 * Team sync as a host runs it for one open workspace (Electron main,
 * `recon serve`): a SyncLoop in the background while a team connection is
 * configured, restarted when the connection or the password changes, a push
 * soon after each local change while the server is reachable, and callbacks
 * for the host to turn into UI events (status changes, pulls that changed
 * the workflow). Nothing here throws into the host: every failure is status.
 */
import type { BackoffOptions } from './backoff.ts';
import type { Timeouts } from './connection.ts';
import { osKeychain, resolvePassword, type Keychain } from './credentials.ts';
import type { CycleOptions, CycleResult } from './cycle.ts';
import { SyncLoop } from './sync-loop.ts';
import { SyncError } from './errors.ts';
import { readConnection } from './local-state.ts';
import { readSyncStatus, type SyncStatus } from './status.ts';
import type { Store } from '../store/store.ts';

/** How the host's sync loop runs (tests shorten the timings or pass their own keychain). */
export interface WorkspaceSyncTuning extends CycleOptions {
  /** Between successful cycles (default 30 s). */
  intervalMs?: number;
  backoff?: BackoffOptions;
  timeouts?: Timeouts;
  /** Where passwords live (default: the OS keychain). */
  keychain?: Keychain;
  /** Where $PGPASSWORD is read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Wait after a local change before pushing it (default 300 ms): a burst of decisions goes in one cycle. */
  nudgeDelayMs?: number;
  log?: (line: string) => void;
}

export interface WorkspaceSyncOptions extends WorkspaceSyncTuning {
  store: Store;
  /** Every status change: a cycle starts or ends, the connection or the queue changed. */
  onStatus: (status: SyncStatus) => void;
  /** After a cycle that brought runs, decisions, approvals, statuses, definitions, roles, match actions or reason rules into the store. */
  onPulled?: (result: CycleResult) => void;
}

/** True when a cycle changed what the workflow screens show. */
export function pulledWorkflow(r: CycleResult): boolean {
  const rules = r.rules.proposals + r.rules.verdicts + r.rules.versions;
  return r.pull.runs + r.pull.decisions + r.pull.approvals + r.pull.statuses + r.pull.definitions + r.pull.roleChanges + r.pull.matchActions + rules > 0;
}

/** The sync loop of one open workspace. */
export class WorkspaceSync {
  readonly #opts: WorkspaceSyncOptions;
  readonly keychain: Keychain;
  readonly env: NodeJS.ProcessEnv;
  #engine: SyncLoop | null = null;
  #nudge: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(opts: WorkspaceSyncOptions) {
    this.#opts = opts;
    this.keychain = opts.keychain ?? osKeychain();
    this.env = opts.env ?? process.env;
  }

  /** Starts the loop when the workspace has a team connection; a no-op otherwise. */
  start(): void {
    if (this.#closed || this.#engine || readConnection(this.#opts.store) === null) return;
    const { store, onStatus, onPulled, intervalMs, backoff, timeouts, log, batchSize, evidence } = this.#opts;
    const engine = new SyncLoop({
      store,
      ...(intervalMs !== undefined ? { intervalMs } : {}),
      ...(backoff !== undefined ? { backoff } : {}),
      ...(timeouts !== undefined ? { timeouts } : {}),
      ...(log !== undefined ? { log } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(evidence !== undefined ? { evidence } : {}),
      // The device key is kept where the password is (device-key.ts).
      keychain: this.keychain,
      env: this.env,
      // Read at every (re)connect, so a password stored after start is used.
      password: () => {
        const settings = readConnection(store);
        return settings ? resolvePassword(settings, this.env, this.keychain).password : undefined;
      },
    });
    engine.onStatus(onStatus);
    engine.onCycle((r) => {
      if (pulledWorkflow(r)) onPulled?.(r);
      // Team roles that came down are recorded as local audit events: they go up on the next push, soon.
      if (r.pull.roleChanges > 0) this.nudge();
    });
    this.#engine = engine;
    engine.start();
  }

  /** The connection or the password changed: stops the loop (closing its connections) and starts it again with the new ones. */
  async restart(): Promise<void> {
    await this.#stopEngine();
    this.start();
    this.publish();
  }

  /** The current status (from the store, plus what the running loop knows). */
  status(): SyncStatus {
    return this.#engine ? this.#engine.status() : readSyncStatus(this.#opts.store);
  }

  /** Tells listeners the current status (e.g. after a local change grew the queue). */
  publish(): void {
    try {
      this.#opts.onStatus(this.status());
    } catch (err) {
      this.#opts.log?.(`sync: status not published: ${(err as Error).message}`);
    }
  }

  /** One cycle now ("Sync now"); rejects with a SyncError (SYNC_NOT_CONFIGURED without a connection). */
  async syncNow(): Promise<CycleResult> {
    if (!this.#engine) this.start();
    if (!this.#engine) throw new SyncError('SYNC_NOT_CONFIGURED', 'no team server is configured for this workspace: an admin sets it up in Settings → Team connection');
    return this.#engine.syncNow();
  }

  /**
   * A local change was recorded: push it soon while the server is reachable.
   * While offline the loop's backoff decides when to try again.
   */
  nudge(): void {
    if (!this.#engine || this.#closed) return;
    if (this.#nudge) clearTimeout(this.#nudge);
    this.#nudge = setTimeout(() => {
      this.#nudge = null;
      const state = this.#engine?.status().state;
      // A cycle in flight may have pushed before this change was made: try again once it is done.
      if (state === 'syncing') this.nudge();
      else if (state === 'online') this.#engine?.syncNow().catch(() => undefined); // the failure is already status
    }, this.#opts.nudgeDelayMs ?? 300);
  }

  /** Stops the loop and waits for a cycle in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#stopEngine();
  }

  async #stopEngine(): Promise<void> {
    if (this.#nudge) clearTimeout(this.#nudge);
    this.#nudge = null;
    const engine = this.#engine;
    this.#engine = null;
    await engine?.stop();
  }
}
