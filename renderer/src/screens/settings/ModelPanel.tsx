import { useEffect, useState } from 'react';
import type { ModelMetricsDto } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { age, count, percent } from '../../format.ts';
import { useSession } from '../../session.tsx';

const ROWS: [string, (m: ModelMetricsDto) => string][] = [
  ['Accuracy (best guess)', (m) => percent(m.accuracy)],
  ['Auto-attributed', (m) => percent(m.autoRate)],
  ['Accuracy when auto', (m) => percent(m.autoAccuracy)],
  ['Held-out breaks', (m) => count(m.evaluated)],
];

/** Seconds since `iso`, ticking while a job runs. */
function useElapsed(iso: string | undefined, running: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [running]);
  return iso ? Math.max(0, Math.round((now - Date.parse(iso)) / 1000)) : 0;
}

/** The attribution model: what it is and how good, retraining with reviewers' labels (off the main thread) and promotion. */
export function ModelPanel() {
  const client = useClient();
  const admin = useSession().has('admin');
  const info = useCall('model.info', {});
  const [last, setLast] = useState<string>();
  useEvent('model.progress', (e) => {
    setLast(e.message);
    if (info.data?.job?.jobId !== e.jobId) info.reload();
  });
  useEvent('model.finished', () => info.reload());
  useEvent('workflow.changed', (e) => e.what === 'model' && info.reload());
  const act = useAction(async (fn: () => Promise<unknown>) => {
    await fn();
    info.reload();
  });
  const m = info.data;
  const job = m?.job ?? null;
  const running = job?.state === 'RUNNING';
  const elapsed = useElapsed(job?.startedAt, running);

  return (
    <section className="panel settings-panel" aria-labelledby="model-title">
      <h4 id="model-title">Model</h4>
      {info.error && <ErrorMessage error={info.error} onRetry={info.reload} />}
      {m && (
        <dl className="facts model-facts">
          <dt>Version</dt>
          <dd className="mono strong">
            {m.version} {m.baseline && <span className="pill">shipped baseline</span>}
          </dd>
          <dt>Trained</dt>
          <dd>
            {m.trainedAt.slice(0, 10)} · {count(m.trainingSetSize)} labelled breaks · {m.classes.length} reasons
          </dd>
          {m.metrics &&
            ROWS.map(([label, f]) => (
              <Fact key={label} label={label} value={f(m.metrics!)} />
            ))}
          <dt>Your labels</dt>
          <dd>{count(m.labels)} accepted or overridden breaks can teach the next model</dd>
        </dl>
      )}
      {admin && !running && (
        <div className="row">
          <button type="button" disabled={act.busy} onClick={() => void act.run(() => client.call('model.retrain', {}))}>
            Retrain with reviewers’ labels
          </button>
          <span className="muted small">Takes a few minutes; runs in the background.</span>
        </div>
      )}
      {job && (
        <div className="retrain" aria-label="Retraining" aria-live="polite">
          <div className="row">
            <span className={`pill status-${job.state === 'RUNNING' ? 'running' : job.state === 'FAILED' ? 'failed' : 'completed'}`}>{job.state}</span>
            <span className="mono muted small">{job.jobId}</span>
            <span className="muted small">{running ? `${elapsed}s` : `finished ${age(job.finishedAt)}`}</span>
          </div>
          {running && (
            <div className="progress indeterminate" role="progressbar" aria-label="Retraining">
              <div className="progress-track">
                <div className="progress-fill" />
              </div>
              <span className="progress-label">{last ?? job.log.at(-1) ?? 'Starting…'}</span>
            </div>
          )}
          {job.error && <ErrorMessage error={job.error} />}
          {job.result && (
            <>
              <table className="data compact" aria-label="New model against current">
                <thead>
                  <tr>
                    <th>Held-out rows</th>
                    <th className="num">New {job.result.candidate.version}</th>
                    <th className="num">Current {job.result.current.version}</th>
                  </tr>
                </thead>
                <tbody>
                  {ROWS.map(([label, f]) => (
                    <tr key={label}>
                      <td>{label}</td>
                      <td className="num strong">{f(job.result!.candidate.metrics)}</td>
                      <td className="num">{f(job.result!.current.metrics)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className={`notice ${job.result.promotable ? 'ok' : 'warn'}`}>
                {job.state === 'PROMOTED'
                  ? 'Promoted: every new run uses this model.'
                  : job.result.promotable
                    ? `No worse than the current model on the same held-out rows (${count(job.result.workspaceLabels)} of your labels used): it can be promoted.`
                    : 'Worse than the current model on the held-out rows: it cannot be promoted.'}
              </p>
              {admin && job.state === 'DONE' && job.result.promotable && (
                <button type="button" className="primary" disabled={act.busy} onClick={() => void act.run(() => client.call('model.promote', { jobId: job.jobId }))}>
                  Promote {job.result.candidate.version}
                </button>
              )}
            </>
          )}
        </div>
      )}
      {act.error && <ErrorMessage error={act.error} onDismiss={act.clear} />}
      {!admin && <p className="muted small">An admin retrains and promotes models.</p>}
    </section>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}
