import { useCallback, useRef, useState } from 'react';
import type { ErrorData } from '../../../engine/contract/index.ts';
import { errorData } from './client.ts';
import { useClient, useEvent } from './use-client.ts';

export interface TaskProgress {
  label: string;
  overall: number;
}

export interface Task<A extends unknown[], R> {
  /** Starts the work under a fresh task id; resolves with its result, or undefined after an error or a cancel (kept in `error`). */
  run: (...args: A) => Promise<R | undefined>;
  /** Progress of the running task, null when idle. */
  progress: TaskProgress | null;
  busy: boolean;
  error: ErrorData | undefined;
  cancel: () => void;
  clear: () => void;
}

let counter = 0;
const freshTaskId = (): string => `t${Date.now().toString(36)}-${(++counter).toString(36)}`;

/**
 * A long call that runs on the host's task worker (inference, exports): it is
 * given a task id, its task.progress events feed a bar, and Cancel stops it
 * through tasks.cancel.
 */
export function useTask<A extends unknown[], R>(fn: (taskId: string, ...args: A) => Promise<R>): Task<A, R> {
  const client = useClient();
  const [progress, setProgress] = useState<TaskProgress | null>(null);
  const [error, setError] = useState<ErrorData>();
  const current = useRef<string | null>(null);
  const ref = useRef(fn);
  ref.current = fn;

  useEvent('task.progress', (e) => {
    if (e.taskId === current.current) setProgress({ label: e.label, overall: e.overall });
  });

  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    const taskId = freshTaskId();
    current.current = taskId;
    setProgress({ label: 'Starting', overall: 0 });
    setError(undefined);
    try {
      return await ref.current(taskId, ...args);
    } catch (err) {
      // A newer run replaced this one: its outcome is no longer news.
      if (current.current === taskId) setError(errorData(err));
      return undefined;
    } finally {
      if (current.current === taskId) {
        current.current = null;
        setProgress(null);
      }
    }
  }, []);

  const cancel = useCallback(() => {
    const taskId = current.current;
    if (taskId !== null) client.call('tasks.cancel', { taskId }).catch((err: unknown) => setError(errorData(err)));
  }, [client]);
  const clear = useCallback(() => setError(undefined), []);
  return { run, progress, busy: progress !== null, error, cancel, clear };
}
