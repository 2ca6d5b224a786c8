/**
 * Who is using the app: the engine's acting user and their roles. Screens use
 * it to hide what the engine would refuse (the engine checks every action
 * anyway). Reloads when users or roles change on this host.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { CallResult, RoleName } from '../../engine/contract/index.ts';
import { useClient, useEvent } from './bridge/use-client.ts';

type Me = CallResult<'users.me'>;

export interface Session {
  me: Me | undefined;
  has(role: RoleName): boolean;
  reload(): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const [me, setMe] = useState<Me>();
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    client.call('users.me', {}).then(
      (m) => live && setMe(m),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, tick]);
  useEffect(() => client.onState((s) => s === 'open' && reload()), [client, reload]);
  useEvent('workflow.changed', (e) => {
    if (e.what === 'users') reload();
  });
  const session = useMemo<Session>(() => ({ me, has: (role) => me?.roles.includes(role) ?? false, reload }), [me, reload]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside SessionProvider');
  return s;
}
