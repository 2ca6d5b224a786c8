import { useCallback, useRef, useState } from 'react';
import type { ErrorData } from '../../../engine/contract/index.ts';
import { errorData } from './client.ts';

export interface Action<A extends unknown[], R> {
  /** Runs the action; resolves with its result, or undefined after an error (kept in `error`). */
  run: (...args: A) => Promise<R | undefined>;
  busy: boolean;
  error: ErrorData | undefined;
  clear: () => void;
}

/** A user-triggered call: busy while it runs (buttons disable, spinners show), its error kept as data. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): Action<A, R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorData>();
  const ref = useRef(fn);
  ref.current = fn;
  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await ref.current(...args);
    } catch (err) {
      setError(errorData(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(undefined), []);
  return { run, busy, error, clear };
}
