/**
 * The sync status a UI shows (status-bar badge, settings screen): read from
 * the workspace store, plus what a running SyncLoop knows live (syncing,
 * the last error, the next retry).
 */
import { sql } from '../store/sql.ts';
import type { ReadTx, Store } from '../store/store.ts';
import { describeServer } from './connection.ts';
import { getState, listParked, readConnection, type ParkedItem } from './local-state.ts';
import { readRestored, restoredMessage, type RestoredState } from './restored.ts';
import { readWindow } from './pull-scope.ts';

/** The badge: no team server configured, not reachable, reachable, or a cycle running now. */
export type SyncState = 'disabled' | 'offline' | 'online' | 'syncing';

/** What only a running engine knows. */
export interface LiveSyncStatus {
  state: SyncState;
  lastError: { code: string; message: string; at: string } | null;
  /** When the engine tries again (backoff after a failure, or the next regular cycle). */
  nextAttemptAt: string | null;
  /** Consecutive failed cycles (0 after a success). */
  failures: number;
}

/** Everything the UI shows about sync. */
export interface SyncStatus extends LiveSyncStatus {
  configured: boolean;
  /** "user@host:port/database", or null. */
  server: string | null;
  /** The login this workstation signs in as (the person's own). */
  signedInAs: string | null;
  /** This device's audit events not yet acknowledged by the server. */
  queueLength: number;
  /** The last complete cycle (push and pull). */
  lastSyncAt: string | null;
  lastPushAt: string | null;
  lastPullAt: string | null;
  /** The highest seq of this device the server holds (its real head when the workspace was found restored). */
  serverSeq: number | null;
  /** Refused and invalid events, oldest first. */
  parked: ParkedItem[];
  /** Set when an INVALID park stops this device's chain: pushing waits from this seq. */
  blockedFromSeq: number | null;
  /**
   * Set when the server holds events of this device the local chain lacks or
   * has differently (a restored backup, a copied workspace): nothing of this
   * device is pushed; it also shows as an INVALID park coded WORKSPACE_RESTORED.
   */
  restored: (RestoredState & { message: string }) | null;
  /**
   * Set when this workspace's first pull was windowed (pull-scope.ts): the window's start, its recons
   * (null: all), and the events other devices' chains hold before their anchors, not pulled here
   * (`recon sync pull --history` brings them).
   */
  window?: { since: string; recons: string[] | null; done: boolean; notPulledEvents: number; anchoredDevices: number; historyBefore: string | null } | null;
}

/** The status from the store alone (a CLI, or a UI before the engine started). */
export function readSyncStatus(store: Store, live: Partial<LiveSyncStatus> = {}): SyncStatus {
  const connection = readConnection(store);
  return store.read((tx) => {
    const parked = listParked(tx);
    const restored = readRestored(tx);
    const blocked = parked.filter((p) => p.kind === 'INVALID' && p.deviceId === store.deviceId).map((p) => p.fromSeq);
    if (restored) blocked.push(restored.commonSeq + 1);
    return {
      state: live.state ?? (connection ? 'offline' : 'disabled'),
      lastError: live.lastError ?? null,
      nextAttemptAt: live.nextAttemptAt ?? null,
      failures: live.failures ?? 0,
      configured: connection !== null,
      server: connection ? describeServer(connection) : null,
      signedInAs: connection ? connection.user : null,
      queueLength: tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM outbox WHERE device_id = ${store.deviceId} AND pushed_at IS NULL`)?.n ?? 0,
      lastSyncAt: getState<string>(tx, 'sync.lastAt') ?? null,
      lastPushAt: getState<string>(tx, 'push.lastAt') ?? null,
      lastPullAt: getState<string>(tx, 'pull.lastAt') ?? null,
      serverSeq: restored?.serverSeq ?? getState<number>(tx, 'push.ackSeq') ?? null,
      parked,
      blockedFromSeq: blocked.length > 0 ? Math.min(...blocked) : null,
      restored: restored ? { ...restored, message: restoredMessage(restored) } : null,
      window: windowStatus(tx),
    };
  });
}

function windowStatus(tx: ReadTx): SyncStatus['window'] {
  const w = readWindow(tx);
  if (!w) return null;
  // historyBefore: the earliest start of the events held (a history pull moves anchors back, for every device alike).
  const a = tx.get<{ n: number | null; devices: number; before: string | null }>(
    sql`SELECT sum(anchor_seq) AS n, count(*) AS devices, min(since) AS before FROM chain_anchors WHERE device_id <> ${tx.deviceId}`,
  );
  return { since: w.since, recons: w.recons, done: w.done, notPulledEvents: a?.n ?? 0, anchoredDevices: a?.devices ?? 0, historyBefore: a?.before ?? null };
}
