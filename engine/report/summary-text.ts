import { AGE_BUCKETS, type RunMemory } from './memory-figures.ts';
import type { RunEngine, RunMatching } from '../contract/index.ts';
import type { ExportSummary } from './summary.ts';

/** A matching run's results (engine/match), indented two spaces: rows per bucket and side, groups per type, then each rule's groups. */
export function matchingSummaryLines(m: RunMatching): string[] {
  const side = (x: { a: number; b: number }): string => `A ${n(x.a)} / B ${n(x.b)}`;
  return [
    `  matched rows ${side(m.matchedRows)}; unmatched ${side(m.unmatched)}; ambiguous ${side(m.ambiguous)}; duplicate ids ${side(m.duplicate)}`,
    `  groups by type: ${Object.entries(m.byType)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ')}; with an amount difference ${n(m.groupDifferences)}`,
    ...m.byRule.map((r) => `    rule ${r.rule} (${r.type}): ${n(r.groups)} groups, rows A ${n(r.rowsA)} / B ${n(r.rowsB)}`),
  ];
}

/** The summary as plain text, for a terminal, an e-mail or the evidence pack. */
export function renderSummaryText(s: ExportSummary): string {
  const c = s.counts;
  const b = s.breaks;
  const lines = [
    `Run ${s.runId} — ${s.definition}`,
    `  started ${s.startedAt}, finished ${s.finishedAt}`,
    ...(s.engine.name === 'clickhouse' ? [`  diff on ${engineText(s.engine)}`] : []),
    `  A: ${s.inputs.a.path} (${n(c.a)} rows, ${n(c.rejectedA)} rejected, sha256 ${s.inputs.a.sha256 || '—'})`,
    `  B: ${s.inputs.b.path} (${n(c.b)} rows, ${n(c.rejectedB)} rejected, sha256 ${s.inputs.b.sha256 || '—'})`,
    ...(s.memory ? lifecycleLines(s.memory) : []),
    '',
    ...(s.matching
      ? ['Matching', ...matchingSummaryLines(s.matching)]
      : [
          'Counts',
          `  matched ${n(c.matched)}: exact ${n(c.matchedExact)}, within tolerance ${n(c.matchedWithinTolerance)}, with breaks ${n(c.matchedWithBreaks)}`,
          `  missing in A ${n(c.missingInA)}, missing in B ${n(c.missingInB)}, counterpart rejected in A ${n(c.rejectedInA)} / in B ${n(c.rejectedInB)}`,
          `  duplicate keys A ${n(c.duplicateKeysA)} / B ${n(c.duplicateKeysB)} (rows A ${n(c.duplicateRowsA)} / B ${n(c.duplicateRowsB)})`,
        ]),
    ...(s.columnsOnlyInA.length + s.columnsOnlyInB.length > 0
      ? [`  columns only in A: ${s.columnsOnlyInA.join(', ') || '—'}; only in B: ${s.columnsOnlyInB.join(', ') || '—'}`]
      : []),
    '',
    `Quality gate: ${s.gate.passed ? 'PASSED' : `FAILED (${s.gate.reasons.join('; ')})`}`,
    `  unknown rate ${pct(s.gate.unknownRate)} (limit ${pct(s.gate.unknownRateLimit)}); model ${s.model.version ?? '—'}, threshold ${s.model.threshold ?? '—'}`,
    `  integrity checks: ${s.checks.filter((x) => x.passed).length}/${s.checks.length} passed (${byType(s)})`,
    ...s.checks.filter((x) => !x.passed).map((x) => `    FAIL ${x.name}: expected ${x.expected}, actual ${x.actual} — ${x.message}`),
    '',
    `Breaks: ${n(b.total)} (${pct(b.total === 0 ? 0 : b.autoExplained / b.total)} explained automatically)`,
    `  by type:   ${entries(b.byType)}`,
    `  by reason: ${entries(b.byReason)}`,
    `  by field:  ${entries(b.byField)}`,
  ];
  const r = s.review;
  lines.push(
    `  reviewed:  decided ${n(r.decided)} of ${n(r.breaks)} (accepted ${n(r.decidedByStatus.ACCEPTED)}, overridden ${n(r.decidedByStatus.OVERRIDDEN)}, rejected ${n(r.decidedByStatus.REJECTED)})`,
    `  proposals: ${n(r.proposals.pending)} waiting (${n(r.proposals.pendingBreaks)} breaks), ${n(r.proposals.approved)} approved, ${n(r.proposals.rejected)} rejected, ${n(r.proposals.withdrawn)} withdrawn`,
  );
  if (s.reasonRules && s.reasonRules.length > 0) {
    // The team's rules that gave reasons before the model (engine/rules): which version, and what it covered.
    lines.push('', 'Reason rules in force');
    for (const x of s.reasonRules) {
      lines.push(`  ${x.order} "${x.name}" (${x.ruleId} v${x.version}) → ${x.reason}: ${n(x.matched)} break(s)${x.unusable ? `; cannot apply: ${x.unusable}` : ''}; conditions ${x.conditionsSha256}`);
    }
  }
  if (s.controlTotals.length > 0) {
    lines.push('', 'Control totals (B − A)');
    for (const t of s.controlTotals) lines.push(`  ${t.field} ${t.currency}: A ${t.a}, B ${t.b}, difference ${t.difference}`);
  }
  if (s.topBreaks.length > 0) {
    lines.push('', 'Largest differences by amount');
    for (const t of s.topBreaks) {
      lines.push(`  #${t.breakId} ${t.key} ${t.field}${t.currency ? ` (${t.currency})` : ''}: A ${t.valueA ?? '—'}, B ${t.valueB ?? '—'}, delta ${t.delta}${t.reason ? `, ${t.reason}` : ''}`);
    }
  }
  lines.push('', `Generated ${s.generatedAt}`);
  return `${lines.join('\n')}\n`;
}

/** The run in its series: what changed since the previous run, and how old the breaks are. */
function lifecycleLines(m: RunMemory): string[] {
  if (m.previousRunId === null) return ['', `Series "${m.series}" as of ${m.asOf}: the first run of the series`];
  const l = m.lifecycle;
  const resolved = Object.entries(m.resolvedBy).map(([k, v]) => `${k} ${n(v)}`);
  return [
    '',
    `Series "${m.series}" as of ${m.asOf}, previous run ${m.previousRunId}`,
    `  since then: new ${n(l.new)}, carried ${n(l.carried)}, changed ${n(l.changed)}, resolved ${n(l.resolved)}; decisions carried ${n(m.decisionsCarried)}, dropped ${n(m.decisionsDropped)}`,
    ...(resolved.length > 0 ? [`  resolved:  ${resolved.join(', ')}`] : []),
    `  age (days): ${AGE_BUCKETS.map(([b, label]) => `${label} ${n(m.total[b])}`).join(', ')}${m.hasSla ? `; past their reason's SLA ${n(m.overdue)}` : ''}`,
  ];
}

const n = (v: number): string => v.toLocaleString('en-US');
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const entries = (m: Record<string, number>): string =>
  Object.entries(m)
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(', ') || '—';

function byType(s: ExportSummary): string {
  const types = new Map<string, [number, number]>();
  for (const c of s.checks) {
    const t = types.get(c.type) ?? [0, 0];
    types.set(c.type, [t[0] + (c.passed ? 1 : 0), t[1] + 1]);
  }
  return [...types].map(([t, [ok, all]]) => `${t.toLowerCase()} ${ok}/${all}`).join(', ') || 'none';
}

/** "ClickHouse cluster "recon" (database default; 2 shards: http://ch1:8123, http://ch2:8123)"; this workstation's DuckDB otherwise. */
export function engineText(e: RunEngine): string {
  if (e.name === 'duckdb') return "this workstation's DuckDB";
  const nodes = e.nodes ?? [];
  return `ClickHouse cluster "${e.clusterName ?? '?'}" (database ${e.database ?? 'default'}; ${nodes.length} shard(s): ${nodes.join(', ')}; normalized ${e.normalizedOn === 'cluster' ? 'on the cluster' : 'on the workstation'})`;
}
