import { useEffect, useMemo, useState } from 'react';
import type { CallState } from '../../bridge/use-client.ts';
import type { SyncOverview, SyncStatusDto } from '../../../../engine/contract/index.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';

export interface SyncStatusState {
  /** The last `sync.status` answer with the live status from `sync.status` events laid over it. */
  overview: SyncOverview | undefined;
  call: CallState<SyncOverview>;
}

/**
 * Team sync's status, live: read once (and again after a reconnect), then
 * kept current by the host's `sync.status` events. The connection and
 * keychain parts change only through calls, which reload.
 */
export function useSyncStatus(): SyncStatusState {
  const client = useClient();
  const call = useCall('sync.status', {});
  const [live, setLive] = useState<SyncStatusDto>();
  const { reload } = call;
  useEffect(() => client.onState((s) => s === 'open' && reload()), [client, reload]);
  // A fresh answer already holds the newest status.
  useEffect(() => setLive(undefined), [call.data]);
  useEvent('sync.status', (e) => setLive(e.status));
  const overview = useMemo(() => (call.data ? { ...call.data, ...(live ?? {}) } : undefined), [call.data, live]);
  return { overview, call };
}

/** The badge's words for a state. */
export const SYNC_STATE_TEXT: Record<SyncStatusDto['state'], string> = {
  disabled: 'Not configured',
  offline: 'Offline',
  online: 'Online',
  syncing: 'Syncing',
};

/** "Online · synced", "Offline · 12 queued", "Not configured · 3 queued", with parked events when any. */
export function syncSummary(s: SyncStatusDto): string {
  const n = s.queueLength;
  const queue = n === 0 ? (s.state === 'online' ? 'synced' : 'nothing queued') : `${n.toLocaleString('en-US')} queued`;
  const parked = s.parked.length > 0 ? ` · ${s.parked.length} parked` : '';
  return `${SYNC_STATE_TEXT[s.state]} · ${queue}${parked}`;
}
