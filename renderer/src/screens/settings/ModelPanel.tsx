import { useEffect, useState } from 'react';
import type { HeldOutDto, ModelMetricsDto, RetrainProgressDto } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { age, count, percent } from '../../format.ts';
import { useSession } from '../../session.tsx';

const ROWS: [string, (m: ModelMetricsDto) => string][] = [
  ['Accuracy (best guess)', (m) => percent(m.accuracy)],
  ['Auto-attributed', (m) => percent(m.autoRate)],
  ['Accuracy when auto', (m) => percent(m.autoAccuracy)],
];

const STAGES: [RetrainProgressDto['stage'], string][] = [
  ['labels', 'Reading labels'],
  ['features', 'Building features'],
  ['training', 'Training trees'],
  ['scoring', 'Scoring'],
  ['promoting', 'Promoting'],
];

/** "11,484 held-out breaks: 11,470 baseline + 14 of your labels" — the one set every figure here is on (engine/training/held-out.ts). */
function heldOutText(h: Pick<HeldOutDto, 'baseline' | 'workspace'>): string {
  return `${count(h.baseline + h.workspace)} held-out breaks: ${count(h.baseline)} baseline + ${count(h.workspace)} of your labels`;
}

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
  const [progress, setProgress] = useState<RetrainProgressDto | null>(null);
  useEvent('model.progress', (e) => {
    setLast(e.message);
    if (e.progress) setProgress(e.progress);
    if (info.data?.job?.jobId !== e.jobId) info.reload();
  });
  useEvent('model.finished', () => {
    setProgress(null);
    info.reload();
  });
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
          <dt>Measured on</dt>
          <dd>
            {m.heldOut ? heldOutText(m.heldOut) : m.metrics ? `${count(m.metrics.evaluated)} held-out breaks` : 'not measured yet'}
            {m.heldOut && !m.heldOut.upToDate && <span className="muted small"> · your labels changed since: Retrain measures again</span>}
          </dd>
          <dt>Your labels</dt>
          <dd>{count(m.labels)} accepted or overridden breaks can teach the next model</dd>
        </dl>
      )}
      {admin && !running && (
        <div className="row">
          <button type="button" disabled={act.busy} onClick={() => void act.run(() => client.call('model.retrain', {}))}>
            Retrain with reviewers’ labels
          </button>
          <span className="muted small">Runs in the background; about half a minute.</span>
        </div>
      )}
      {job && (
        <div className="retrain" aria-label="Retraining" aria-live="polite">
          <div className="row">
            <span className={`pill status-${job.state === 'RUNNING' ? 'running' : job.state === 'FAILED' ? 'failed' : job.state === 'CANCELLED' ? 'cancelled' : 'completed'}`}>{job.state}</span>
            <span className="mono muted small">{job.jobId}</span>
            <span className="muted small">{running ? `${elapsed}s` : `finished ${age(job.finishedAt)}`}</span>
          </div>
          {running && <RetrainBar progress={progress ?? job.progress} fallback={last ?? job.log.at(-1) ?? 'Starting…'} />}
          {running && admin && (
            <button type="button" disabled={act.busy} onClick={() => void act.run(() => client.call('model.cancel', { jobId: job.jobId }))}>
              Cancel
            </button>
          )}
          {job.state === 'CANCELLED' && <p className="notice">Cancelled: the current model is unchanged.</p>}
          {job.error && <ErrorMessage error={job.error} />}
          {job.result && (
            <>
              <table className="data compact" aria-label="New model against current">
                <caption className="muted small">On {heldOutText(job.result.heldOut)}</caption>
                <thead>
                  <tr>
                    <th>Held-out breaks</th>
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

/** Stage k of 5 by name, and a determinate bar for the stage's fraction. */
function RetrainBar({ progress, fallback }: { progress: RetrainProgressDto | null; fallback: string }) {
  const at = progress ? STAGES.findIndex(([s]) => s === progress.stage) : -1;
  const pct = Math.round((progress?.fraction ?? 0) * 100);
  return (
    <div className="retrain-progress">
      <ol className="retrain-stages muted small" aria-label="Retraining stages">
        {STAGES.map(([stage, title], i) => (
          <li key={stage} className={i < at ? 'done' : i === at ? 'strong' : ''} aria-current={i === at ? 'step' : undefined}>
            {title}
          </li>
        ))}
      </ol>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Retraining">
        <div className="progress-track">
          <div className="progress-fill" style={{ width: `${pct}%` }} />
        </div>
        <span className="progress-label">
          {progress ? `${STAGES[at]?.[1] ?? progress.stage} (${at + 1}/${STAGES.length}) · ${pct}% · ${progress.message}` : fallback}
        </span>
      </div>
    </div>
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
