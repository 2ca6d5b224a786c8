import type { CallResult, FilterModel } from '../../../../engine/contract/index.ts';
import { BarChart, type Bar } from '../../components/BarChart.tsx';
import { count, percent } from '../../format.ts';
import { useCall } from '../../bridge/use-client.ts';
import { MatchingCounts } from '../matching/MatchingCounts.tsx';
import '../matching/matching.css';
import { AgeingPanel } from './AgeingPanel.tsx';
import { ChecksTable, ControlTotals, LargestDifferences, RejectsSample } from './RunTables.tsx';

type Run = CallResult<'runs.get'>;

const bars = (r: Record<string, number>, label: (k: string) => string = (k) => k): Bar[] =>
  Object.entries(r)
    .map(([k, v]) => ({ label: label(k), value: v }))
    .sort((x, y) => y.value - x.value);

const TYPE_TONE: Record<string, Bar['tone']> = {
  MISMATCH: 'warn',
  MISSING_IN_A: 'bad',
  MISSING_IN_B: 'bad',
  DUPLICATE_KEY: 'bad',
  REJECTED_IN_A: 'bad',
  REJECTED_IN_B: 'bad',
};

/** Counts, matched share, where the breaks are, integrity checks, control totals, rejects and warnings. */
export function RunOverview({
  run,
  onFilter,
  onOpen,
  onOpenRun,
  onOpenMatching,
}: {
  run: Run;
  onFilter: (m: FilterModel) => void;
  onOpen: (breakId: number) => void;
  onOpenRun?: (runId: string) => void;
  /** A matching run: opens its matching view. */
  onOpenMatching?: () => void;
}) {
  const s = run.summary;
  const largest = useCall('breaks.largest', { runId: s.runId });
  const c = s.counts;
  const matchedShare = c.matched / Math.max(1, Math.max(c.a, c.b));
  const pick = (col: 'field' | 'diffType' | 'reason' | 'status', value: string): void => onFilter({ [col]: { filterType: 'set' as const, values: [value === '(record)' ? '*' : value] } });
  const tiles: [string, string, string?][] = [
    ['Records A', count(c.a), `${count(c.rejectedA)} rejected`],
    ['Records B', count(c.b), `${count(c.rejectedB)} rejected`],
    ['Matched', percent(matchedShare), `${count(c.matched)} keys`],
    ['Exact', count(c.matchedExact)],
    ['Within tolerance', count(c.matchedWithinTolerance)],
    ['With breaks', count(c.matchedWithBreaks)],
    ['Missing in A', count(c.missingInA)],
    ['Missing in B', count(c.missingInB)],
    ...(c.rejectedInA || c.rejectedInB
      ? ([['Counterpart rejected', `${count(c.rejectedInA ?? 0)} / ${count(c.rejectedInB ?? 0)}`, 'rejected in A / in B']] as [string, string, string][])
      : []),
    [
      'Duplicate keys',
      `${count(c.duplicateKeysA)} / ${count(c.duplicateKeysB)}`,
      c.duplicateRowsA === undefined ? 'A / B' : `A / B · ${count(c.duplicateRowsA)} / ${count(c.duplicateRowsB ?? 0)} rows`,
    ],
    ['Breaks', count(s.breaks.total)],
    ['Unknown rate', percent(run.gate.unknownRate), `limit ${percent(run.gate.unknownRateLimit, 0)}`],
    ['Checks', `${s.checks.filter((x) => x.passed).length}/${s.checks.length}`, s.checksPassed ? 'all passed' : 'some failed'],
    // One figure everywhere (engine/report/review-figures.ts): breaks whose status is final now.
    ['Decided', count(run.review.decided), 'final decisions'],
    ['Proposals', count(run.review.pendingProposals), 'waiting for an approver'],
  ];

  return (
    <div className="overview">
      <div className="tiles">
        {tiles.map(([label, value, note]) => (
          <div key={label} className={`tile ${label === 'Checks' && !s.checksPassed ? 'tile-bad' : ''}`}>
            <span className="tile-label">{label}</span>
            <span className="tile-value">{value}</span>
            {note && <span className="tile-note">{note}</span>}
          </div>
        ))}
      </div>
      {s.matching && <MatchingCounts matching={s.matching} {...(onOpenMatching ? { onOpen: onOpenMatching } : {})} />}
      <div className="charts">
        <BarChart title="Breaks by type" bars={bars(s.breaks.byType).map((b) => ({ ...b, tone: TYPE_TONE[b.label] ?? 'neutral' }))} onSelect={(v) => pick('diffType', v)} />
        <BarChart title="Breaks by field" bars={bars(s.breaks.byField, (k) => (k === '*' ? '(record)' : k))} onSelect={(v) => pick('field', v)} />
        {run.attribution ? (
          <BarChart title="Breaks by reason" bars={bars(run.attribution.byReason).map((b) => ({ ...b, tone: b.label === 'UNKNOWN' ? 'warn' : 'ok' }))} onSelect={(v) => pick('reason', v)} />
        ) : (
          <figure className="bar-chart">
            <figcaption>Breaks by reason</figcaption>
            <p className="muted small">This run has not been attributed yet.</p>
          </figure>
        )}
        <BarChart
          title="Review decisions"
          bars={bars(run.review.byStatus).map((b) => ({ ...b, tone: b.label === 'REJECTED' ? 'bad' : b.label === 'PROPOSED' ? 'warn' : b.label === 'REVIEW' ? 'neutral' : 'ok' }))}
          onSelect={(v) => pick('status', v)}
        />
      </div>
      <AgeingPanel runId={s.runId} onFilter={onFilter} onOpenRun={(id) => onOpenRun?.(id)} />
      <ChecksTable checks={s.checks} />
      <div className="two-up">
        <ControlTotals totals={s.controlTotals} />
        <LargestDifferences largest={largest.data} onOpen={onOpen} />
      </div>
      <RejectsSample summary={s} />
      {s.engine?.name === 'clickhouse' && (
        <div className="panel" data-testid="run-engine">
          <h4>Diff on a ClickHouse cluster</h4>
          <p>
            Cluster “{s.engine.clusterName}”, database {s.engine.database ?? 'default'}, {(s.engine.nodes ?? []).length} shard(s): {(s.engine.nodes ?? []).join(', ')}. The
            rows were read here and normalized {s.engine.normalizedOn === 'cluster' ? 'on the cluster (and checked against this workstation’s staging)' : 'here'}; the
            duplicate keys and the join ran on the cluster, and only the differing pairs came back.
          </p>
        </div>
      )}
      {(s.columnsOnlyInA.length > 0 || s.columnsOnlyInB.length > 0) && (
        <div className="panel" data-testid="one-sided-columns">
          <h4>Columns on one side only (not compared)</h4>
          <ul className="warnings">
            {s.columnsOnlyInA.length > 0 && <li>Only in A: {s.columnsOnlyInA.join(', ')}</li>}
            {s.columnsOnlyInB.length > 0 && <li>Only in B: {s.columnsOnlyInB.join(', ')}</li>}
          </ul>
        </div>
      )}
      {(s.warnings.a.length > 0 || s.warnings.b.length > 0) && (
        <div className="panel">
          <h4>Warnings</h4>
          <ul className="warnings">
            {s.warnings.a.map((w) => (
              <li key={`a${w}`}>A: {w}</li>
            ))}
            {s.warnings.b.map((w) => (
              <li key={`b${w}`}>B: {w}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
