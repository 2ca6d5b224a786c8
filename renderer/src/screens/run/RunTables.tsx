import type { CallResult, CheckResultDto, RunSummaryDto } from '../../../../engine/contract/index.ts';
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

/**
 * The largest differences on decimal fields, by currency when a currency
 * field is mapped: amounts in different currencies are never ranked together.
 */
export function LargestDifferences({ largest, onOpen }: { largest: CallResult<'breaks.largest'> | undefined; onOpen: (breakId: number) => void }) {
  if (largest === undefined) return null;
  const byCcy = largest.currencyField !== null;
  const title = byCcy ? 'Largest differences by currency' : 'Largest differences';
  return (
    <div className="panel largest">
      <h4>{title}</h4>
      {largest.groups.length === 0 ? (
        <p className="muted small">No differences on decimal fields.</p>
      ) : (
        <>
          <p className="muted small">
            {byCcy
              ? `Ranked within each record's currency (field ${largest.currencyField}), never across currencies. Breaks on amounts: ${largest.groups.map((g) => `${g.currency ?? '(none)'} ${count(g.breaks)}`).join(' · ')}.`
              : 'No currency field is mapped: amounts are ranked as they are.'}
          </p>
          <div className="table-scroll">
            <table className="data compact" aria-label={title}>
              <thead>
                <tr>
                  {byCcy && <th>Ccy</th>}
                  <th>Field</th>
                  <th>Key</th>
                  <th className="num">A</th>
                  <th className="num">B</th>
                  <th className="num">B − A</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {largest.groups.flatMap((g) =>
                  g.top.map((t, i) => (
                    <tr key={t.breakId}>
                      {byCcy && (
                        <td data-col="ccy" className={i === 0 ? 'strong ccy-first' : 'muted'}>
                          {g.currency ?? '(none)'}
                        </td>
                      )}
                      <td className={i === 0 && byCcy ? 'ccy-first' : undefined}>{t.field}</td>
                      <td data-col="key" className={`mono${i === 0 && byCcy ? ' ccy-first' : ''}`}>
                        {t.key}
                      </td>
                      <td className={`num mono${i === 0 && byCcy ? ' ccy-first' : ''}`}>{t.valueA ?? '∅'}</td>
                      <td className={`num mono${i === 0 && byCcy ? ' ccy-first' : ''}`}>{t.valueB ?? '∅'}</td>
                      <td className={`num mono strong${i === 0 && byCcy ? ' ccy-first' : ''}`}>
                        {t.delta.startsWith('-') ? '' : '+'}
                        {t.delta}
                      </td>
                      <td className={i === 0 && byCcy ? 'ccy-first' : undefined}>
                        <button type="button" className="link" onClick={() => onOpen(t.breakId)}>
                          #{t.breakId}
                        </button>
                      </td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
