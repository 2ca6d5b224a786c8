/**
 * Team sync from the UI: the connection (admin only, like every workspace
 * setting), the password into the OS keychain and nowhere else, "Sync now",
 * and parked events. The loop itself runs in the host (ctx.sync); these
 * handlers configure, trigger and read it. The password is never returned,
 * logged or put in an error.
 */
import type { SyncOverview, SyncStatusDto } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { forgetPassword, keychainStatus, resolvePassword, storePassword } from '../../sync/credentials.ts';
import { SyncError } from '../../sync/errors.ts';
import { clearParked, listParked, readConnection, saveConnection } from '../../sync/local-state.ts';
import type { ConnectionSettings } from '../../sync/connection.ts';
import type { Handlers, HostContext } from './types.ts';

/** Sync failures cross the boundary as error data with their stable code. */
function asReconError(err: unknown): unknown {
  return err instanceof SyncError ? new ReconError(err.code, err.message, err.details) : err;
}

/** Runs fn, turning a SyncError into a ReconError. */
async function guarded<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asReconError(err);
  }
}

const NOT_CONFIGURED = 'no team connection is configured for this workspace: an admin sets it up in Settings → Team connection';

export function syncHandlers(ctx: HostContext): Pick<Handlers, 'sync.status' | 'sync.configure' | 'sync.login' | 'sync.forget' | 'sync.now' | 'sync.unpark'> {
  const { store, sync } = ctx;

  const requireConnection = (): ConnectionSettings => {
    const settings = readConnection(store);
    if (!settings) throw new ReconError('SYNC_NOT_CONFIGURED', NOT_CONFIGURED);
    return settings;
  };

  const overview = (): SyncOverview => {
    const connection = readConnection(store);
    const keychain = keychainStatus(connection, sync.keychain);
    const source = connection ? resolvePassword(connection, sync.env, sync.keychain).source : 'none';
    return {
      ...status(),
      connection: connection ? { host: connection.host, port: connection.port, database: connection.database, user: connection.user, tls: connection.tls, caFile: connection.caFile ?? null } : null,
      keychain,
      passwordSource: source,
      deviceId: store.deviceId,
    };
  };

  const status = (): SyncStatusDto => sync.status();

  return {
    'sync.status': async () => overview(),

    'sync.configure': ({ host, port, database, user, tls, caFile }) =>
      guarded(async () => {
        saveConnection(store, ctx.user, { host, port, database, user, tls, caFile: caFile ?? null }, { adminOnly: true });
        ctx.emit({ type: 'workflow.changed', runId: null, what: 'settings' });
        // The loop reconnects with the new settings and tries at once.
        await sync.restart();
        return overview();
      }),

    'sync.login': ({ password }) =>
      guarded(async () => {
        const settings = requireConnection();
        // Fail before storing anything when there is no keychain: the password is never written elsewhere.
        const probe = keychainStatus(settings, sync.keychain);
        if (!probe.available) throw new SyncError('SYNC_KEYCHAIN_UNAVAILABLE', probe.message);
        storePassword(settings, password, sync.keychain);
        await sync.restart();
        return overview();
      }),

    'sync.forget': () =>
      guarded(async () => {
        const removed = forgetPassword(requireConnection(), sync.keychain);
        await sync.restart();
        return { removed, status: overview() };
      }),

    'sync.now': () =>
      guarded(async () => {
        requireConnection();
        const r = await sync.syncNow();
        return {
          pushed: r.push.acknowledged,
          pulledEvents: r.pulledEvents,
          pulled: { runs: r.pull.runs, decisions: r.pull.decisions, approvals: r.pull.approvals, roleChanges: r.pull.roleChanges },
          ms: r.ms,
          status: status(),
        };
      }),

    'sync.unpark': ({ action, fromSeq }) =>
      guarded(async () => {
        // A retry applies to events the server could not chain (INVALID); a discard to refusals (REFUSED):
        // an invalid event cannot be dropped, since this device's later events link to it.
        const kind = action === 'retry' ? 'INVALID' : 'REFUSED';
        if (fromSeq !== undefined) {
          const item = store.read((tx) => listParked(tx)).find((p) => p.deviceId === store.deviceId && p.fromSeq === fromSeq);
          if (!item) throw new ReconError('NOT_FOUND', `no parked event of this device starts at seq ${fromSeq}`, { fromSeq });
          if (item.kind !== kind) {
            throw new ReconError(
              'INVALID_ARGUMENT',
              item.kind === 'INVALID'
                ? `seq ${fromSeq} is an event the server could not chain (${item.code}): it cannot be discarded, since later events link to it; fix the cause and retry it`
                : `seq ${fromSeq} was refused by the server (${item.code}): it is in the server's trail already; discard (dismiss) it instead`,
              { fromSeq, kind: item.kind },
            );
          }
        }
        const cleared = clearParked(store, { deviceId: store.deviceId, kind, ...(fromSeq !== undefined ? { fromSeq } : {}) });
        sync.publish();
        // The retried events go on the next cycle; start it now.
        if (action === 'retry' && cleared > 0) sync.syncNow().catch(() => undefined);
        return { cleared, status: status() };
      }),
  };
}
