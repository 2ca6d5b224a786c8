import { useCallback, useEffect, useMemo, useState } from 'react';
import { useClient } from './bridge/use-client.ts';
import type { ConnectionState } from './bridge/transport.ts';
import { KeyHelp } from './components/KeyHelp.tsx';
import { useKeys } from './keys.ts';
import { NavContext, type Navigation, type Route } from './navigation.ts';
import { Screen } from './screens/Screen.tsx';
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
          {/* Team sync fills this in (issue 6): connection state and events waiting to sync. */}
          <span className="pill offline-badge" title="Team sync arrives in a later release: everything is kept in this workspace's local audit trail">
            Offline · local only
          </span>
        </footer>
        {help && <KeyHelp onClose={() => setHelp(false)} />}
      </div>
    </NavContext.Provider>
  );
}
