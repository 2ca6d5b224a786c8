import type { CheckResultDto, RunSummaryDto } from '../../../../engine/contract/index.ts';
import { count } from '../../format.ts';

/** Integrity checks, failures first: expected, actual, passed, discrepancy. */
export function ChecksTable({ checks }: { checks: CheckResultDto[] }) {
  const sorted = [...checks].sort((x, y) => Number(x.passed) - Number(y.passed));
  return (
    <div className="panel">
      <h4>Integrity checks</h4>
      {checks.length === 0 && <p className="muted small">This run recorded no integrity checks.</p>}
      <div className="table-scroll short" hidden={checks.length === 0}>
        <table className="data compact" aria-label="Integrity checks">
          <thead>
            <tr>
              <th />
              <th>Check</th>
              <th>Side</th>
              <th className="num">Expected</th>
              <th className="num">Actual</th>
              <th className="num">Discrepancy</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((c) => (
              <tr key={`${c.name}:${c.side}`} className={c.passed ? undefined : 'failed'}>
                <td className={c.passed ? 'ok' : 'bad'} aria-label={c.passed ? 'passed' : 'failed'}>
                  {c.passed ? '✓' : '✗'}
                </td>
                <td className="mono">{c.name}</td>
                <td>{c.side.toUpperCase()}</td>
                <td className="num mono">{c.expected}</td>
                <td className="num mono">{c.actual}</td>
                <td className="num mono">{c.discrepancy ?? ''}</td>
                <td className="small">{c.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** A against B per amount field and currency. */
export function ControlTotals({ totals }: { totals: RunSummaryDto['controlTotals'] }) {
  return (
    <div className="panel">
      <h4>Control totals</h4>
      {totals.length === 0 ? (
        <p className="muted small">No decimal amount fields.</p>
      ) : (
        <table className="data compact" aria-label="Control totals">
          <thead>
            <tr>
              <th>Field</th>
              <th>Ccy</th>
              <th className="num">A</th>
              <th className="num">B</th>
              <th className="num">B − A</th>
            </tr>
          </thead>
          <tbody>
            {totals.map((t) => (
              <tr key={`${t.field}:${t.currency}`}>
                <td>{t.field}</td>
                <td>{t.currency}</td>
                <td className="num mono">{t.a}</td>
                <td className="num mono">{t.b}</td>
                <td className={`num mono ${/^-?0(\.0+)?$/.test(t.difference) ? 'muted' : 'bad'}`}>{t.difference}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The first rejected rows: file, line, column, raw value and why. */
export function RejectsSample({ summary }: { summary: RunSummaryDto }) {
  const r = summary.rejects;
  return (
    <div className="panel">
      <h4>
        Rejected rows <span className="muted small">A {count(r.a)} · B {count(r.b)}</span>
      </h4>
      {r.sample.length === 0 ? (
        <p className="muted small">Every row loaded.</p>
      ) : (
        <table className="data compact" aria-label="Rejected rows">
          <thead>
            <tr>
              <th>Side</th>
              <th className="num">Line</th>
              <th>Column</th>
              <th>Raw value</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {r.sample.map((x, i) => (
              <tr key={i}>
                <td>{x.side.toUpperCase()}</td>
                <td className="num">{x.line ?? '?'}</td>
                <td>{x.column ?? ''}</td>
                <td className="mono">{x.rawValue ?? ''}</td>
                <td className="small">{x.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
