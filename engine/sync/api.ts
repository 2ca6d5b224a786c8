/**
 * One-shot sync operations for the CLI and the UI (the background loop is
 * SyncLoop): each opens a pool from the workspace's settings, does its job
 * and closes it, and reports failures as SyncError with a stable code.
 */
import type pg from 'pg';
import type { ChainReport } from '../store/audit-verify.ts';
import { localDeviceKey } from '../store/event-signature.ts';
import type { Store } from '../store/store.ts';
import type { Identity } from '../workflow/identity.ts';
import { createPool, noPassword, poolConfig, withClient, type ConnectionSettings } from './connection.ts';
import { resolvePassword, type Keychain } from './credentials.ts';
import { runCycle, runPull, runPush, type CycleOptions, type CycleResult, type PullOptions } from './cycle.ts';
import { runHistoryPull, type HistoryResult } from './pull-history.ts';
import { classifyError, SyncError } from './errors.ts';
import { readConnection } from './local-state.ts';
import type { PullStateResult } from './pull-state.ts';
import type { PushResult } from './push.ts';
import { recoverWorkspace, requireRecoverer, type RecoveryResult } from './recover.ts';
import { verifyRemoteChains } from './remote-verify.ts';
import { remoteAnchorProblem } from './checkpoints.ts';
import { migrateServer, serverSchemaVersion } from './server-migrate.ts';

/** Where to connect and how to find the password (defaults: the workspace settings, $PGPASSWORD, the OS keychain). */
export interface ConnectOptions {
  connection?: ConnectionSettings;
  /** Connect as this login instead of the configured one (e.g. the schema owner for init). */
  user?: string;
  env?: NodeJS.ProcessEnv;
  keychain?: Keychain;
}

/** Runs fn with a pool for the workspace's team server; always closes it. */
export async function withServer<T>(store: Store, opts: ConnectOptions, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const configured = opts.connection ?? readConnection(store);
  if (!configured) throw new SyncError('SYNC_NOT_CONFIGURED', 'no team server is configured for this workspace: recon sync configure --host H --database D --user U');
  const settings = opts.user ? { ...configured, user: opts.user } : configured;
  const { password } = resolvePassword(settings, opts.env, opts.keychain);
  const pool = createPool(poolConfig(settings, password));
  try {
    return await fn(pool);
  } catch (err) {
    throw noPassword(classifyError(err), settings, password);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** `recon sync push|pull|run`: one push, one pull, or a full cycle. */
export async function syncOnce(store: Store, mode: 'push' | 'pull' | 'run', opts: ConnectOptions & CycleOptions & { pullOptions?: PullOptions } = {}): Promise<{ push?: PushResult; pulledEvents?: number; pull?: PullStateResult; cycle?: CycleResult }> {
  return withServer(store, opts, async (pool) => {
    switch (mode) {
      case 'push':
        // Log in even when the queue is empty, so "push" also answers "can I reach the server?".
        await withClient(pool, (c) => c.query('SELECT 1'));
        return { push: await runPush(store, pool, opts) };
      case 'pull':
        return runPull(store, pool, opts.pullOptions ?? {});
      case 'run': {
        const cycle = await runCycle(store, pool, opts);
        return { cycle, push: cycle.push, pulledEvents: cycle.pulledEvents, pull: cycle.pull };
      }
    }
  });
}

/** `recon sync pull --history`: older history (pull-history.ts), checked into each chain's anchor. */
export function syncHistory(store: Store, opts: ConnectOptions & { since: string | null; recons?: string[] | null }): Promise<{ history: HistoryResult; pull: PullStateResult }> {
  return withServer(store, opts, (pool) => runHistoryPull(store, pool, opts));
}

/** `recon sync recover`: a restored or copied workspace continues as a new device (recover.ts); the caller reopens the store. */
export function recoverRestored(store: Store, actor: Identity, opts: ConnectOptions = {}): Promise<RecoveryResult> {
  // Before connecting: a refusal stays FORBIDDEN_ROLE (withServer turns what fails inside into a SyncError).
  requireRecoverer(store, actor);
  return withServer(store, opts, (pool) => recoverWorkspace(store, pool, actor));
}

/** `recon audit verify --remote`: verifies the server's copy of every device's chain. */
export function verifyRemote(store: Store, opts: ConnectOptions = {}): Promise<ChainReport> {
  // Checked against the device keys this workspace kept from its pulls (event-signatures.ts).
  return withServer(store, opts, (pool) =>
    withClient(pool, async (c) => {
      const report = await verifyRemoteChains(c, 5000, (d) => store.read((tx) => localDeviceKey(tx, d)));
      if (!report.ok) return report;
      // Every link holds; now the tail: held against the checkpoints and pulled heads this workstation kept (checkpoints.ts).
      const cut = await remoteAnchorProblem(store, c, report);
      return cut ? { ...report, ok: false, firstBreak: { deviceId: cut.deviceId, seq: cut.seq, eventId: null, problem: cut.problem, message: cut.message } } : report;
    }),
  );
}

/** `recon sync init`: applies the server migrations, connected as the schema owner. */
export function initServer(store: Store, opts: ConnectOptions = {}): Promise<{ applied: number[]; version: number }> {
  return withServer(store, opts, (pool) =>
    withClient(pool, async (c) => {
      const applied = await migrateServer(c);
      return { applied, version: await serverSchemaVersion(c) };
    }),
  );
}

/** Can we reach the server and log in? The schema version tells whether init ran. */
export async function probeServer(store: Store, opts: ConnectOptions = {}): Promise<{ online: true; schemaVersion: number } | { online: false; error: { code: string; message: string } }> {
  try {
    return await withServer(store, opts, (pool) => withClient(pool, async (c) => ({ online: true as const, schemaVersion: await serverSchemaVersion(c) })));
  } catch (err) {
    const e = classifyError(err);
    return { online: false, error: { code: e.code, message: e.message } };
  }
}
