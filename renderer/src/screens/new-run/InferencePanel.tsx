import type { ErrorData, InferenceReportDto } from '../../../../engine/contract/index.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import type { TaskProgress } from '../../bridge/use-task.ts';
import { InferenceRuleOffer } from '../rules/InferenceRuleOffer.tsx';
import { Confidence } from './Confidence.tsx';
import type { RuleChoice } from './draft.ts';

type Report = InferenceReportDto;
type Dialect = Report['files']['a'];
type Question = Report['questions'][number];

interface Props {
  report: Report | null;
  progress: TaskProgress | null;
  error: ErrorData | undefined;
  rules: RuleChoice[];
  /** Answers given to the date-format questions, by "field/side". */
  answers: Record<string, string>;
  canSuggest: boolean;
  onSuggest: () => void;
  onCancel: () => void;
  onRule: (index: number, accepted: boolean) => void;
  onAnswer: (q: Question, option: string) => void;
  /** The definition's name, the scope of a reason rule made from a proposal (empty: the whole workspace). */
  definitionName?: string;
}

const n = (x: number): string => x.toLocaleString('en-US');
const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

/** One line of a file's dialect: the choice, its confidence and its reason. */
function DialectLine({ label, choice }: { label: string; choice: { value: unknown; confidence: number; reason: string } | undefined }) {
  if (!choice) return null;
  const shown = choice.value === '\t' ? 'tab' : choice.value === null ? 'ISO' : Array.isArray(choice.value) ? choice.value.join(', ') : String(choice.value);
  return (
    <li>
      <span className="strong">{label}</span> <code>{shown}</code> <Confidence value={choice.confidence} /> <span className="muted">{choice.reason}</span>
    </li>
  );
}

function DialectList({ d }: { d: Dialect }) {
  return (
    <div>
      <h5>
        Source {d.side.toUpperCase()} · {d.rowsExact ? n(d.rows) : `≈${n(d.rows)}`} records, {n(d.sampled)} sampled
      </h5>
      <ul className="choices small" aria-label={`How source ${d.side.toUpperCase()} is written`}>
        <DialectLine label="Format" choice={d.format} />
        <DialectLine label="Encoding" choice={d.encoding} />
        <DialectLine label="Delimiter" choice={d.delimiter} />
        <DialectLine label="Header" choice={d.header} />
        <DialectLine label="Decimal separator" choice={d.decimalSeparator} />
        <DialectLine label="Grouping" choice={d.thousandsSeparator} />
        <DialectLine label="Empty markers" choice={d.nullValues} />
        {d.dateFormats.map((f) => (
          <DialectLine key={f.column} label={`Dates in ${f.column}`} choice={f.format} />
        ))}
      </ul>
    </div>
  );
}

const RULE_WORDS: Record<RuleChoice['proposal']['kind'], string> = {
  scale: 'B is A scaled',
  'day-shift': 'dates shifted by calendar days',
  'business-day-shift': 'dates shifted by business days',
  'sign-flip': 'sign flipped',
  'abs-tolerance': 'values differ a little on most records: absolute tolerance',
  'rel-tolerance': 'values differ in proportion to their size: relative tolerance',
  'day-tolerance': 'dates lag by a varying number of days: day tolerance',
};

/** The measured value as a person reads it: ×100, +1 days, ≤ 400. */
function ruleValue(r: RuleChoice['proposal']): string {
  switch (r.kind) {
    case 'scale':
      return `×${r.value}`;
    case 'sign-flip':
      return '×−1';
    case 'abs-tolerance':
      return `|A−B| ≤ ${r.tolerance?.abs ?? r.value}`;
    case 'rel-tolerance':
      return `|A−B| ≤ ${r.tolerance?.rel ?? r.value} × the value`;
    case 'day-tolerance':
      return `≤ ${r.value} days apart`;
    default:
      return `${r.value > 0 ? '+' : ''}${r.value} days`;
  }
}

/**
 * The rule proposals of one kind (column-wide or sporadic), each with what it
 * explains, a box to accept it (normalize it away) and, instead, "as a reason
 * rule…": keep the breaks and explain them by a team rule.
 */
function RuleList({ rules, columnWide, onRule, definitionName }: { rules: RuleChoice[]; columnWide: boolean; onRule: (index: number, accepted: boolean) => void; definitionName: string | null }) {
  return (
    <ul>
      {rules.map(({ proposal: r, accepted }, i) =>
        r.columnWide !== columnWide ? null : (
          <li key={`${r.field}-${r.kind}-${r.value}`}>
            <label className="check">
              <input type="checkbox" checked={accepted} onChange={(e) => onRule(i, e.target.checked)} aria-label={`Apply rule: ${r.field} ${RULE_WORDS[r.kind]}`} />
              <span className="strong">{r.field}</span>: {RULE_WORDS[r.kind]} ({ruleValue(r)})
            </label>{' '}
            <span className={`pill ${r.columnWide ? 'confidence-high' : 'confidence-low'}`}>{r.columnWide ? 'column-wide' : 'sporadic: likely breaks'}</span>{' '}
            <span className="small">
              explains {n(r.explains)} of {n(r.compared)} matched records ({pct(r.compared === 0 ? 0 : r.explains / r.compared)}), ≈{n(r.estimatedRecords)} in the whole file.
            </span>{' '}
            <span className="muted small">{r.reason}</span>{' '}
            <InferenceRuleOffer pattern={{ kind: r.kind, field: r.field, value: r.value }} definition={definitionName} label={`${r.field} ${RULE_WORDS[r.kind]}`} />
          </li>
        ),
      )}
    </ul>
  );
}

/**
 * What inference found, for a person to confirm: each file's dialect, the
 * key, rule proposals to accept, questions it would not decide, and the
 * value maps it refused (a spelling variant is a break, not a map).
 */
export function InferencePanel({ report, progress, error, rules, answers, canSuggest, onSuggest, onCancel, onRule, onAnswer, definitionName }: Props) {
  const scope = definitionName?.trim() ? definitionName.trim() : null;
  return (
    <div className="panel inference" aria-label="Suggested set-up">
      <div className="row">
        <p className="muted small grow">
          {report
            ? `Suggested from ${n(report.sample.rows)}-row samples of both files; ${n(report.sample.matchedRecords)} records matched on the key. Check each suggestion below, then change what is wrong.`
            : 'Preview both files (or press Suggest) and the engine proposes the mapping, key, types, value maps and rules from samples of both files.'}
        </p>
        {progress ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : (
          <button type="button" disabled={!canSuggest} onClick={onSuggest}>
            {report ? 'Suggest again' : 'Suggest'}
          </button>
        )}
      </div>
      {progress && <ProgressBar value={progress.overall} label={progress.label} />}
      {error && <ErrorMessage error={error} />}
      {report && (
        <>
          <p className="key-choice" aria-label="Suggested key">
            <span className="strong">Key</span> <code>{report.key.value.join(' + ')}</code> ↔ <code>{report.key.bColumns.join(' + ')}</code>{' '}
            <Confidence value={report.key.confidence} /> <span className="muted small">{report.key.reason}</span>
          </p>
          {report.currencyField && (
            <p className="small">
              <span className="strong">Currency</span> <code>{report.currencyField.value}</code> <Confidence value={report.currencyField.confidence} />{' '}
              <span className="muted">{report.currencyField.reason}</span>
            </p>
          )}
          <div className="two-up">
            <DialectList d={report.files.a} />
            <DialectList d={report.files.b} />
          </div>
          {report.questions.length > 0 && (
            <div className="questions" role="group" aria-label="Questions for you">
              <h5>Needs your decision</h5>
              <ul>
                {report.questions.map((q, i) => {
                  const id = `${q.field ?? ''}/${q.side ?? ''}`;
                  const answerable = q.field !== undefined && q.side !== undefined && q.options.length > 0;
                  return (
                    <li key={i}>
                      {q.message}
                      {q.hint && <span className="muted small"> {q.hint}</span>}
                      {answerable && (
                        <select aria-label={`Answer for ${q.field} (${q.side?.toUpperCase()})`} value={answers[id] ?? ''} onChange={(e) => e.target.value !== '' && onAnswer(q, e.target.value)}>
                          <option value="">(not compared until you choose)</option>
                          {q.options.map((o) => (
                            <option key={o} value={o}>
                              {o}
                            </option>
                          ))}
                        </select>
                      )}
                    </li>
                  );
                })}
              </ul>
            </div>
          )}
          {rules.some((r) => r.proposal.columnWide) && (
            <div className="rules" role="group" aria-label="Proposed rules">
              <h5>Proposed rules</h5>
              <p className="muted small">
                Column-wide patterns that look like a convention rather than breaks, and tolerances for values two systems never agree on exactly. Accept one to normalize it (or
                set the field's tolerance) before comparing; leave it to see them as breaks.
              </p>
              <RuleList rules={rules} columnWide onRule={onRule} definitionName={scope} />
            </div>
          )}
          {rules.some((r) => !r.proposal.columnWide) && (
            <details className="small sporadic-rules">
              <summary>{rules.filter((r) => !r.proposal.columnWide).length} sporadic patterns: likely breaks, not conventions</summary>
              <RuleList rules={rules} columnWide={false} onRule={onRule} definitionName={scope} />
            </details>
          )}
          {report.refusedMaps.length > 0 && (
            <details className="small">
              <summary>{report.refusedMaps.length} value differences kept as breaks, not mapped</summary>
              <ul>
                {report.refusedMaps.map((m, i) => (
                  <li key={i}>
                    {m.field}: <code>{m.from}</code> ↔ <code>{m.to}</code> ({n(m.records)} records): {m.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {(report.unmatched.a.length > 0 || report.unmatched.b.length > 0) && (
            <p className="small muted">
              {report.unmatched.a.length > 0 && <>Only in A: {report.unmatched.a.join(', ')}. </>}
              {report.unmatched.b.length > 0 && <>Only in B: {report.unmatched.b.join(', ')}.</>}
            </p>
          )}
          {report.warnings.length > 0 && (
            <ul className="warnings small">
              {report.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
