import { AGE_BUCKETS, type RunMemory } from './memory-figures.ts';
import { engineText } from './summary-text.ts';
import type { ExportSummary } from './summary.ts';

/** The Summary sheet's rows: label, then a count, a rate ("pct") or text. */
export type SummaryRow = [string, string | number] | [string, number, 'pct'];

/** The rows, in reading order. */
export function summaryRows(s: ExportSummary): SummaryRow[] {
  const c = s.counts;
  const rows: SummaryRow[] = [
    ['Run', s.runId],
    ['Definition', s.definition],
    ['Started', s.startedAt],
    ['Finished', s.finishedAt],
    ...(s.memory ? seriesRows(s.memory) : []),
    ['Source A', s.inputs.a.path],
    ['Source A SHA-256', s.inputs.a.sha256 || '—'],
    ['Source B', s.inputs.b.path],
    ['Source B SHA-256', s.inputs.b.sha256 || '—'],
    ...(s.engine.name === 'clickhouse' ? [['Diff on', engineText(s.engine)] as [string, string]] : []),
    ['Rows A', c.a],
    ['Rows B', c.b],
    ['Rejected A', c.rejectedA],
    ['Rejected B', c.rejectedB],
    ['Matched', c.matched],
    ['Matched exactly', c.matchedExact],
    ['Matched within tolerance', c.matchedWithinTolerance],
    ['Matched with breaks', c.matchedWithBreaks],
    ['Missing in A', c.missingInA],
    ['Missing in B', c.missingInB],
    ['Counterpart rejected in A', c.rejectedInA],
    ['Counterpart rejected in B', c.rejectedInB],
    ['Duplicate keys A', c.duplicateKeysA],
    ['Duplicate keys B', c.duplicateKeysB],
    ['Rows with a duplicated key A', c.duplicateRowsA],
    ['Rows with a duplicated key B', c.duplicateRowsB],
    ['Columns only in A', s.columnsOnlyInA.join(', ')],
    ['Columns only in B', s.columnsOnlyInB.join(', ')],
    ['Breaks', s.breaks.total],
    ['Explained automatically', s.breaks.total === 0 ? 0 : s.breaks.autoExplained / s.breaks.total, 'pct'],
    ['Quality gate', s.gate.passed ? 'PASSED' : `FAILED: ${s.gate.reasons.join('; ')}`],
    ['Unknown rate', s.gate.unknownRate, 'pct'],
    ['Unknown rate limit', s.gate.unknownRateLimit, 'pct'],
    ['Model version', s.model.version ?? '—'],
    ['Integrity checks passed', `${s.checks.filter((x) => x.passed).length} of ${s.checks.length}`],
  ];
  for (const x of s.checks) rows.push([`Check ${x.name}`, `${x.passed ? 'passed' : 'FAILED'}: expected ${x.expected}, actual ${x.actual}`]);
  for (const [k, v] of Object.entries(s.breaks.byReason)) rows.push([`Breaks with reason ${k}`, v]);
  for (const [k, v] of Object.entries(s.breaks.byField)) rows.push([`Breaks on field ${k}`, v]);
  const r = s.review;
  rows.push(
    ['Decided', r.decided],
    ['Decided: accepted', r.decidedByStatus.ACCEPTED],
    ['Decided: overridden', r.decidedByStatus.OVERRIDDEN],
    ['Decided: rejected', r.decidedByStatus.REJECTED],
    ['Proposals waiting', r.proposals.pending],
    ['Breaks in waiting proposals', r.proposals.pendingBreaks],
    ['Proposals approved', r.proposals.approved],
    ['Proposals rejected', r.proposals.rejected],
    ['Proposals withdrawn', r.proposals.withdrawn],
  );
  if (s.memory) rows.push(...lifecycleRows(s.memory));
  for (const t of s.controlTotals) rows.push([`Control total ${t.field} ${t.currency} (B − A)`, t.difference]);
  rows.push(['Generated', s.generatedAt]);
  return rows;
}

/** Where the run stands in its series. */
function seriesRows(m: RunMemory): SummaryRow[] {
  return [
    ['Series', m.series],
    ['As-of date', m.asOf],
    ['Previous run', m.previousRunId ?? '— (first run of the series)'],
  ];
}

/** What changed since the previous run, and how old the breaks are, per reason now. */
function lifecycleRows(m: RunMemory): SummaryRow[] {
  const rows: SummaryRow[] = [
    ['New breaks', m.lifecycle.new],
    ['Carried breaks', m.lifecycle.carried],
    ['Changed breaks', m.lifecycle.changed],
    ['Resolved breaks', m.lifecycle.resolved],
  ];
  for (const [k, v] of Object.entries(m.resolvedBy)) rows.push([`Resolved: ${k}`, v]);
  rows.push(['Decisions carried', m.decisionsCarried], ['Decisions dropped', m.decisionsDropped]);
  if (m.hasSla) rows.push(['Breaks past their SLA', m.overdue]);
  for (const [b, label] of AGE_BUCKETS) rows.push([`Age ${label} days, all reasons`, m.total[b]]);
  for (const r of m.byReason) {
    for (const [b, label] of AGE_BUCKETS) rows.push([`Age ${label} days, reason ${r.reason}`, r[b]]);
    if (r.slaDays !== null) rows.push([`Past the SLA of ${r.slaDays} days, reason ${r.reason}`, r.overdue]);
  }
  return rows;
}
