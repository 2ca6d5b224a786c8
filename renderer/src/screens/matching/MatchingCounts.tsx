import type { RunMatching } from '../../../../engine/contract/index.ts';
import { BarChart } from '../../components/BarChart.tsx';
import { count } from '../../format.ts';

/** A matching run's counts on its overview: where every row went per side, and the groups per match type and per rule (as the run left them). */
export function MatchingCounts({ matching, onOpen }: { matching: RunMatching; onOpen?: () => void }) {
  const m = matching;
  const tiles: [string, string, string][] = [
    ['Matched rows', `${count(m.matchedRows.a)} / ${count(m.matchedRows.b)}`, 'A / B'],
    ['Unmatched', `${count(m.unmatched.a)} / ${count(m.unmatched.b)}`, 'A / B'],
    ['Ambiguous', `${count(m.ambiguous.a)} / ${count(m.ambiguous.b)}`, 'A / B'],
    ['Duplicate ids', `${count(m.duplicate.a)} / ${count(m.duplicate.b)}`, 'A / B'],
    ['Groups with a difference', count(m.groupDifferences), 'within tolerance'],
  ];
  return (
    <section className="panel matching-counts" aria-label="Matching counts">
      <header className="match-section-header">
        <h4>Matching</h4>
        {onOpen && (
          <button type="button" className="link" onClick={onOpen}>
            Open the matching view (m)
          </button>
        )}
      </header>
      <div className="tiles">
        {tiles.map(([label, value, note]) => (
          <div key={label} className="tile">
            <span className="tile-label">{label}</span>
            <span className="tile-value">{value}</span>
            <span className="tile-note">{note}</span>
          </div>
        ))}
      </div>
      <div className="charts">
        <BarChart title="Groups by match type" bars={Object.entries(m.byType).map(([label, value]) => ({ label, value, tone: 'ok' as const }))} />
        <BarChart title="Groups by rule" bars={m.byRule.map((r) => ({ label: `${r.rule} (${r.type})`, value: r.groups, tone: 'ok' as const }))} />
      </div>
    </section>
  );
}
