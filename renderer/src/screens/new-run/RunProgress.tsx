import { useEffect, useRef, useState } from 'react';
import type { ErrorData } from '../../../../engine/contract/index.ts';
import { errorData } from '../../bridge/client.ts';
import { useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { useNav } from '../../navigation.ts';

type Outcome = { status: 'RUNNING' } | { status: 'COMPLETED' } | { status: 'FAILED' | 'CANCELLED'; error: ErrorData | null };

/** A started run's live bar, Cancel, and what happened (`onFinished` hears it too: the form can run again after a failure). */
export function RunProgress({ runId, onFinished }: { runId: string; onFinished?: (status: 'COMPLETED' | 'FAILED' | 'CANCELLED', error: ErrorData | null) => void }) {
  const client = useClient();
  const nav = useNav();
  const [progress, setProgress] = useState({ overall: 0, label: 'Starting' });
  const [outcome, setOutcome] = useState<Outcome>({ status: 'RUNNING' });
  const [cancelError, setCancelError] = useState<ErrorData>();
  const finished = useRef(onFinished);
  finished.current = onFinished;

  useEffect(() => {
    const offP = client.on('run.progress', (e) => {
      if (e.runId === runId) setProgress({ overall: e.overall, label: e.label });
    });
    const offF = client.on('run.finished', (e) => {
      if (e.runId !== runId) return;
      setOutcome(e.status === 'COMPLETED' ? { status: 'COMPLETED' } : { status: e.status, error: e.error });
      if (e.status === 'COMPLETED') setProgress({ overall: 1, label: 'Done' });
      finished.current?.(e.status, e.error);
    });
    return () => {
      offP();
      offF();
    };
  }, [client, runId]);

  const cancel = (): void => {
    client.call('runs.cancel', { runId }).catch((err: unknown) => setCancelError(errorData(err)));
  };

  return (
    <div className="run-progress panel" aria-live="polite">
      <div className="row">
        <span className="mono muted">Run {runId}</span>
        <span className={`pill status-${outcome.status.toLowerCase()}`}>{outcome.status}</span>
      </div>
      <ProgressBar value={progress.overall} label={progress.label} />
      <div className="row">
        {outcome.status === 'RUNNING' && (
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        )}
        {outcome.status === 'COMPLETED' && (
          <button type="button" className="primary" autoFocus onClick={() => nav.replace({ name: 'run', runId, tab: 'overview' })}>
            Open run
          </button>
        )}
      </div>
      {outcome.status !== 'RUNNING' && outcome.status !== 'COMPLETED' && outcome.error && <ErrorMessage error={outcome.error} />}
      {cancelError && <ErrorMessage error={cancelError} />}
    </div>
  );
}
