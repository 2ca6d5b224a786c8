import type { CallResult } from '../../../../engine/contract/index.ts';
import { count } from '../../format.ts';
import { useNav } from '../../navigation.ts';
import { statusClass } from '../breaks/review/status.ts';

type Preview = CallResult<'rules.preview'>;

/** Items shown per run; the counts above them are always complete. */
const SHOWN = 25;

/**
 * The what-if of a rule, item by item: per run (the one asked about, then
 * the recent runs of its series), the breaks it would cover, those it would
 * re-attribute, and those a reviewer had decided otherwise, listed first.
 */
export function RulePreview({ preview }: { preview: Preview }) {
  const nav = useNav();
  const t = preview.totals;
  if (preview.runId === null) return <p className="muted small">No completed run of this definition on this workstation yet: nothing to preview.</p>;
  return (
    <div className="rule-preview" aria-label="What-if">
      <p className="rule-preview-totals" role="status">
        Would cover <strong>{count(t.matched)}</strong> break{t.matched === 1 ? '' : 's'} in {count(preview.runs.length)} run{preview.runs.length === 1 ? '' : 's'} · re-attribute{' '}
        <strong>{count(t.reattributed)}</strong> ·{' '}
        <span className={t.decidedOtherwise > 0 ? 'bad' : undefined}>
          <strong>{count(t.decidedOtherwise)}</strong> decided otherwise by reviewers
        </span>
      </p>
      {preview.runs.map((r) => (
        <details key={r.runId} className="rule-preview-run" open={r.current}>
          <summary>
            {r.current ? 'This run' : 'Earlier run'} <span className="mono small">{r.runId}</span>: {count(r.matched)} covered · {count(r.reattributed)} re-attributed ·{' '}
            <span className={r.decidedOtherwise > 0 ? 'bad' : undefined}>{count(r.decidedOtherwise)} decided otherwise</span>
            {r.unusable && <span className="warn small"> · cannot apply: {r.unusable}</span>}
          </summary>
          {r.items.length > 0 && (
            <table className="data compact evidence" aria-label={`What-if of run ${r.runId}`}>
              <thead>
                <tr>
                  <th className="num">#</th>
                  <th>Key</th>
                  <th>Field</th>
                  <th>Value A</th>
                  <th>Value B</th>
                  <th>Now</th>
                  <th>Becomes</th>
                  <th>Reviewer</th>
                </tr>
              </thead>
              <tbody>
                {r.items.slice(0, SHOWN).map((i) => (
                  <tr key={i.breakId} className={i.decidedOtherwise ? 'decided-otherwise' : undefined}>
                    <td className="num muted">
                      <button type="button" className="link" title="Open the break" onClick={() => nav.go({ name: 'break', runId: r.runId, breakId: i.breakId })}>
                        {i.breakId}
                      </button>
                    </td>
                    <td className="mono">{i.key}</td>
                    <td>{i.field === '*' ? '(record)' : i.field}</td>
                    <td className="mono">{i.valueA ?? '∅'}</td>
                    <td className="mono">{i.valueB ?? '∅'}</td>
                    <td>
                      <span className="mono small">{i.currentReason ?? '—'}</span> <span className={statusClass(i.currentStatus)}>{i.currentStatus ?? '—'}</span>
                      {i.currentRule && <span className="muted small"> (rule {i.currentRule})</span>}
                    </td>
                    <td className="mono small">{i.reattributes ? `${i.ruleReason} AUTO` : 'unchanged'}</td>
                    <td className="small">
                      {i.decision ? (
                        <span className={i.decidedOtherwise ? 'bad' : undefined}>
                          {i.decision.status} {i.decision.reason ?? ''} {i.decision.decidedBy ? `by ${i.decision.decidedBy}` : ''}
                          {i.decidedOtherwise && ' · decided otherwise'}
                        </span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {r.items.length > SHOWN && <p className="muted small">…and {count(r.matched - SHOWN)} more (decided otherwise and re-attributed ones are listed first).</p>}
        </details>
      ))}
    </div>
  );
}
