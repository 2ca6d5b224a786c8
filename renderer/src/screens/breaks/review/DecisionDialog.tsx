import type { BreakRow, ReasonDto } from '../../../../../engine/contract/index.ts';
import { useAction } from '../../../bridge/use-action.ts';
import { useClient } from '../../../bridge/use-client.ts';
import { DecisionForm, type FormValue } from './DecisionForm.tsx';
import { outcomeText, statusClass, suggestionOf } from './status.ts';

/** Override (o) or reject (r) the grid's selected break without leaving the grid. */
export function DecisionDialog(props: { runId: string; row: BreakRow; kind: 'OVERRIDE' | 'REJECT'; reasons: ReasonDto[]; onDone: (text: string) => void; onClose: () => void }) {
  const { row } = props;
  const client = useClient();
  const act = useAction((v: FormValue) =>
    client.call('review.decide', { runId: props.runId, breakId: row.breakId, kind: props.kind, ...(v.reason ? { reason: v.reason } : {}), ...(v.comment ? { comment: v.comment } : {}) }),
  );
  const submit = async (v: FormValue): Promise<void> => {
    const r = await act.run(v);
    if (r) props.onDone(`Break #${row.breakId}: ${outcomeText(r.kind, r.proposal, r.breakCount)}`);
  };
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label={`${props.kind === 'OVERRIDE' ? 'Override' : 'Reject'} break ${row.breakId}`} onClick={props.onClose}>
      <div className="overlay-panel decision-dialog" onClick={(e) => e.stopPropagation()}>
        <h2>
          {props.kind === 'OVERRIDE' ? 'Override' : 'Reject'} break #{row.breakId} <span className={statusClass(row.status)}>{row.status ?? '—'}</span>
        </h2>
        <table className="data compact">
          <tbody>
            <tr>
              <th>Key</th>
              <td className="mono">{row.key}</td>
              <th>Field</th>
              <td>{row.field === '*' ? '(record)' : row.field}</td>
            </tr>
            <tr>
              <th>A</th>
              <td className="mono">{row.valueA ?? '∅'}</td>
              <th>B</th>
              <td className="mono">{row.valueB ?? '∅'}</td>
            </tr>
            <tr>
              <th>Δ</th>
              <td className="mono">{row.delta ?? '—'}</td>
              <th>Suggested</th>
              <td className="mono">
                {suggestionOf(row) ?? '—'} {row.confidence !== null && <span className="muted">{Math.round(row.confidence * 100)}%</span>}
              </td>
            </tr>
          </tbody>
        </table>
        <DecisionForm kind={props.kind} reasons={props.reasons} exclude={suggestionOf(row)} busy={act.busy} error={act.error} onSubmit={(v) => void submit(v)} onCancel={props.onClose} />
      </div>
    </div>
  );
}
