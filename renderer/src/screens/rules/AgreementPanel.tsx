import type { CallResult } from '../../../../engine/contract/index.ts';
import { useCall, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { count, percent } from '../../format.ts';
import { useNav } from '../../navigation.ts';
import './rules.css';

type Report = CallResult<'rules.agreement'>;
type Accuracy = Report['accuracy']['rules'][number];

const KINDS = [
  { kind: 'AGREE', label: 'Agree', title: 'A rule gave the reason and the model was sure of the same' },
  { kind: 'DISAGREE', label: 'Disagree', title: 'A rule gave one reason, the model was sure of another' },
  { kind: 'RULE_ONLY', label: 'Rule only', title: 'A rule covers the break; the model was not sure' },
  { kind: 'MODEL_ONLY', label: 'Model only', title: 'No rule covers the break; the model was sure (AUTO)' },
] as const;

/**
 * A run's rules against its model (issue 20): where they agree, disagree (both
 * reasons side by side), only a rule covers a break or only the model is sure;
 * and, against reviewers' decisions, the accuracy per reason of each.
 */
export function AgreementPanel({ runId }: { runId: string }) {
  const nav = useNav();
  const report = useCall('rules.agreement', { runId, limit: 500 });
  // Reviewers' decisions are the labels the accuracy is measured against.
  useEvent('workflow.changed', (e) => (e.runId === null || e.runId === runId) && (e.what === 'decision' || e.what === 'approval') && report.reload());
  if (report.error) return <ErrorMessage error={report.error} onRetry={report.reload} />;
  const r = report.data;
  if (!r) return <span className="spinner" />;
  const disagreements = r.items.filter((i) => i.kind === 'DISAGREE');
  return (
    <div className="agreement" aria-label="Rules against the model">
      {r.beforeRules && <p className="notice">This run was made before reason rules: no rule applied to it, so only the model's sure breaks are counted.</p>}
      <p className="muted small">
        {r.rulesInForce.length === 0
          ? 'No reason rule was in force for this run.'
          : `Rules in force for this run: ${r.rulesInForce.map((x) => `${x.name} v${x.version} (${count(x.matched)})`).join(', ')}.`}
      </p>
      <div className="agreement-counts" role="list" aria-label="Agreement counts">
        {KINDS.map((k) => (
          <div key={k.kind} className="figure" role="listitem" title={k.title} aria-label={`${k.label}: ${r.counts[k.kind]}`}>
            <span className="muted small">{k.label}</span>
            <strong>{count(r.counts[k.kind])}</strong>
          </div>
        ))}
        <div className="figure" role="listitem" aria-label={`Breaks: ${r.counts.breaks}`}>
          <span className="muted small">Breaks</span>
          <strong>{count(r.counts.breaks)}</strong>
        </div>
      </div>
      <h4>Where they disagree</h4>
      {disagreements.length === 0 ? (
        <p className="muted small">Rules and model do not disagree on any break of this run.</p>
      ) : (
        <table className="data compact" aria-label="Disagreements">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>Key</th>
              <th>Field</th>
              <th>Rule says</th>
              <th>Model says</th>
              <th>Reviewer</th>
            </tr>
          </thead>
          <tbody>
            {disagreements.map((i) => (
              <tr key={i.breakId}>
                <td className="num">
                  <button type="button" className="link" onClick={() => nav.go({ name: 'break', runId, breakId: i.breakId })}>
                    {i.breakId}
                  </button>
                </td>
                <td className="mono">{i.key}</td>
                <td>{i.field === '*' ? '(record)' : i.field}</td>
                <td>
                  <span className="mono">{i.ruleReason}</span> <span className="muted small">{i.ruleName}</span>
                </td>
                <td>
                  <span className="mono">{i.modelReason ?? '—'}</span> <span className="muted small">{percent(i.modelConfidence, 0)}</span>
                </td>
                <td className="mono small">{i.decided ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Against reviewers' decisions</h4>
      <div className="agreement-columns">
        <AccuracyTable title="Rules" rows={r.accuracy.rules} />
        <AccuracyTable title="Model" rows={r.accuracy.model} />
      </div>
    </div>
  );
}

/** Accuracy per reason: of the breaks given that reason that a reviewer labelled, the share the reviewer agreed with. */
function AccuracyTable({ title, rows }: { title: string; rows: Accuracy[] }) {
  return (
    <table className="data compact" aria-label={`Accuracy of the ${title.toLowerCase()}`}>
      <caption className="small">{title}</caption>
      <thead>
        <tr>
          <th>Reason</th>
          <th className="num">Labelled</th>
          <th className="num">Agreed</th>
          <th className="num">Accuracy</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={4} className="muted small">
              No reviewer has decided on a break given a reason here yet.
            </td>
          </tr>
        )}
        {rows.map((a) => (
          <tr key={a.reason}>
            <td className="mono">{a.reason}</td>
            <td className="num">{count(a.labelled)}</td>
            <td className="num">{count(a.correct)}</td>
            <td className="num">{percent(a.accuracy, 0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
