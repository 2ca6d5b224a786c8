import { useCallback, useEffect, useMemo, useState } from 'react';
import { useClient } from './bridge/use-client.ts';
import type { ConnectionState } from './bridge/transport.ts';
import { KeyHelp } from './components/KeyHelp.tsx';
import { useKeys } from './keys.ts';
import { NavContext, type Navigation, type Route } from './navigation.ts';
import { Screen } from './screens/Screen.tsx';
import { InboxBadge } from './screens/approvals/ConflictInbox.tsx';
import { syncSummary, useSyncStatus } from './screens/settings/use-sync-status.ts';
import { SECTIONS, sectionOf } from './sections.ts';
import { useSession } from './session.tsx';

/** The status bar's text: which host, which version, connected or not. */
function useHostStatus(): { text: string; state: ConnectionState } {
  const client = useClient();
  const [state, setState] = useState<ConnectionState>('connecting');
  const [version, setVersion] = useState<string>();
  useEffect(() => client.onState(setState), [client]);
  useEffect(() => {
    if (state !== 'open') return;
    client.call('app.version', {}).then(
      (v) => setVersion(`v${v.version} · DuckDB ${v.duckdb} · workspace ${v.workspace}`),
      () => setVersion(undefined),
    );
  }, [client, state]);
  const host = client.kind === 'desktop' ? 'Desktop app' : 'Browser host';
  const conn = state === 'open' ? '' : state === 'connecting' ? ' · connecting…' : ' · disconnected';
  return { text: `${host}${version ? ` ${version}` : ''}${conn}`, state };
}

/** Who is acting, with their roles: every decision is recorded under this name. */
function UserBadge() {
  const { me } = useSession();
  if (!me) return null;
  const roles = me.roles.length > 0 ? me.roles.join(', ') : me.workspaceHasUsers ? 'no roles' : 'first user: becomes admin';
  return (
    <span className="user-badge" aria-label="Current user" title={`Acting as ${me.displayName} (${me.userId})`}>
      <span className="user-name">{me.userId}</span> · {roles}
    </span>
  );
}

/**
 * Team sync at a glance: online, offline, syncing or not configured, with the
 * events waiting to go up; live from the host's `sync.status` events. A click
 * syncs now, or opens Settings when there is no connection yet.
 */
function SyncBadge({ openSettings }: { openSettings: () => void }) {
  const client = useClient();
  const { overview: s } = useSyncStatus();
  if (!s) return null;
  const text = syncSummary(s);
  const title = [
    s.server ? `Team server ${s.server}` : 'No team connection: set it up in Settings → Team connection',
    s.configured ? `Last sync: ${s.lastSyncAt ? s.lastSyncAt.replace('T', ' ').slice(0, 19) : 'never'}` : null,
    s.lastError ? `${s.lastError.code}: ${s.lastError.message}` : null,
    s.configured ? 'Click to sync now' : 'Click to open Settings',
  ]
    .filter((x) => x !== null)
    .join('\n');
  const onClick = (): void => {
    if (s.configured) client.call('sync.now', {}).catch(() => undefined); // a failure shows in the badge itself
    else openSettings();
  };
  return (
    <button type="button" className={`pill sync-badge sync-${s.state}${s.parked.length > 0 ? ' sync-parked' : ''}`} aria-label={`Team sync: ${text}`} title={title} onClick={onClick}>
      <span className="sync-dot" aria-hidden="true" />
      {text}
    </button>
  );
}

/** The application shell: header, section navigation, the current screen and a status bar. */
export function App() {
  const [stack, setStack] = useState<Route[]>([{ name: 'runs' }]);
  const [help, setHelp] = useState(false);
  const route = stack[stack.length - 1]!;
  const status = useHostStatus();

  const back = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const nav = useMemo<Navigation>(
    () => ({
      route,
      go: (r) => setStack((s) => [...s, r]),
      replace: (r) => setStack((s) => [...s.slice(0, -1), r]),
      back,
    }),
    [route, back],
  );
  useKeys({
    '?': () => setHelp((h) => !h),
    Escape: () => (help ? setHelp(false) : back()),
  });
  const active = sectionOf(route);

  return (
    <NavContext.Provider value={nav}>
      <div className="shell">
        <header className="shell-header">
          <h1>Recon Workstation</h1>
          <button type="button" className="link keys-hint" onClick={() => setHelp(true)}>
            Keys <kbd>?</kbd>
          </button>
        </header>
        <nav className="shell-nav" aria-label="Sections">
          <ul>
            {SECTIONS.map((s) => (
              <li key={s.id}>
                <button type="button" aria-current={s.id === active ? 'page' : undefined} onClick={() => setStack([{ name: s.id }])}>
                  {s.label}
                  {s.id === 'approvals' && <InboxBadge />}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <main className="shell-main">
          <Screen route={route} />
        </main>
        <footer className="shell-status">
          <span role="status" className={`conn conn-${status.state}`}>
            {status.text}
          </span>
          <UserBadge />
          <SyncBadge openSettings={() => setStack([{ name: 'settings' }])} />
        </footer>
        {help && <KeyHelp onClose={() => setHelp(false)} />}
      </div>
    </NavContext.Provider>
  );
}
