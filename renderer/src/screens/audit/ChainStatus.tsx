import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count } from '../../format.ts';

/** The chain verification: every device's hash chain walked; ok, or the first broken link. */
export function ChainStatus() {
  const report = useCall('audit.verify', {});
  useEvent('workflow.changed', () => report.reload());
  const r = report.data;
  return (
    <div className={`panel chain-status ${r ? (r.ok ? 'chain-ok' : 'chain-broken') : ''}`} aria-label="Chain verification">
      <div className="row">
        <h4>Chain verification</h4>
        <span className="spacer" />
        <button type="button" onClick={report.reload} disabled={report.loading}>
          {report.loading && <span className="spinner" />} Verify again
        </button>
      </div>
      {report.error && <ErrorMessage error={report.error} onRetry={report.reload} />}
      {r?.ok && (
        <p role="status">
          <span className="pill gate-pass">VERIFIED</span> {count(r.events)} events on {r.devices.length} device{r.devices.length === 1 ? '' : 's'}, every hash links to the one
          before it.{' '}
          {r.devices.map((d) => (
            <span key={d.deviceId} className="mono muted small" title={d.headHash}>
              {d.deviceId.slice(0, 8)}… seq 1..{d.headSeq} head {d.headHash.slice(0, 12)}…
            </span>
          ))}
        </p>
      )}
      {r && !r.ok && r.firstBreak && (
        <p role="status">
          <span className="pill gate-fail">BROKEN</span> first broken link: device <span className="mono">{r.firstBreak.deviceId.slice(0, 8)}…</span> seq {r.firstBreak.seq} ·{' '}
          <strong>{r.firstBreak.problem}</strong> · {r.firstBreak.message}
        </p>
      )}
    </div>
  );
}
