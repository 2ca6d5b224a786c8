import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { CallArgs, CallResult, ContractEventType, ErrorData, EventOf } from '../../../engine/contract/index.ts';
import type { CallName } from '../../../engine/contract/names.ts';
import { errorData, type ReconClient } from './client.ts';

export const ClientContext = createContext<ReconClient | null>(null);

export function useClient(): ReconClient {
  const client = useContext(ClientContext);
  if (client === null) throw new Error('useClient outside ClientContext');
  return client;
}

export interface CallState<T> {
  data: T | undefined;
  error: ErrorData | undefined;
  loading: boolean;
  reload: () => void;
}

/** Calls `name` with `args` whenever the serialized args change; null args skip the call. */
export function useCall<K extends CallName>(name: K, args: CallArgs<K> | null): CallState<CallResult<K>> {
  const client = useClient();
  const [data, setData] = useState<CallResult<K>>();
  const [error, setError] = useState<ErrorData>();
  const [loading, setLoading] = useState(args !== null);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(args);
  const argsRef = useRef(args);
  argsRef.current = args;

  useEffect(() => {
    const current = argsRef.current;
    if (current === null) return;
    let live = true;
    setLoading(true);
    client.call(name, current).then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(errorData(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [client, name, key, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** Calls `listener` for every host event of `type` while the component is mounted. */
export function useEvent<T extends ContractEventType>(type: T, listener: (event: EventOf<T>) => void): void {
  const client = useClient();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => client.on(type, (e) => ref.current(e)), [client, type]);
}
