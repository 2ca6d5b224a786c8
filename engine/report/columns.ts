import { currentStatus, type ExportedBreak } from './break-rows.ts';

/**
 * The columns of the detailed exports (CSV and XLSX), in order. `input` marks
 * text that came from the input files or from people (keys, values, field
 * names, comments, user ids): always written as text. `number` marks numbers
 * we computed. New columns go at the end: programs read these files by position.
 */
export interface ExportColumn {
  header: string;
  kind: 'number' | 'text';
  input: boolean;
  width: number;
  value(r: ExportedBreak): string | null;
}

/** What was decided or proposed: "OVERRIDE FX_DIFF"; a proposal that did not take effect says so. */
const decision = (r: ExportedBreak): string | null => {
  const d = r.decision;
  if (!d) return null;
  const what = `${d.kind}${d.decisionReason ? ` ${d.decisionReason}` : ''}`;
  switch (d.outcome) {
    case 'PENDING':
      return `${what} (proposed, waiting for approval)`;
    case 'REJECTED':
      return `${what} (proposal rejected by ${d.outcomeBy ?? '?'})`;
    case 'WITHDRAWN':
      return `${what} (proposal withdrawn by ${d.outcomeBy ?? '?'})`;
    default:
      return what;
  }
};

/** Confidence as the model gives it, rounded to 2 decimals (a probability, not a measurement). */
const confidence = (r: ExportedBreak): string | null => (r.confidence === null ? null : String(Math.round(r.confidence * 100) / 100));

export const EXPORT_COLUMNS: readonly ExportColumn[] = [
  { header: 'Break ID', kind: 'number', input: false, width: 10, value: (r) => String(r.breakId) },
  { header: 'Key', kind: 'text', input: true, width: 18, value: (r) => r.key },
  { header: 'Field', kind: 'text', input: true, width: 16, value: (r) => r.field },
  { header: 'Diff type', kind: 'text', input: false, width: 14, value: (r) => r.diffType },
  { header: 'Side', kind: 'text', input: false, width: 6, value: (r) => r.side },
  { header: 'Value A', kind: 'text', input: true, width: 20, value: (r) => r.valueA },
  { header: 'Value B', kind: 'text', input: true, width: 20, value: (r) => r.valueB },
  { header: 'Delta', kind: 'number', input: false, width: 14, value: (r) => r.delta },
  { header: 'Field type', kind: 'text', input: false, width: 10, value: (r) => r.fieldType },
  { header: 'Reason', kind: 'text', input: false, width: 16, value: (r) => r.decision?.reason ?? r.modelReason },
  { header: 'Model reason', kind: 'text', input: false, width: 16, value: (r) => r.modelReason },
  { header: 'Suggested reason', kind: 'text', input: false, width: 16, value: (r) => r.suggestedReason },
  { header: 'Confidence', kind: 'number', input: false, width: 11, value: confidence },
  { header: 'Status', kind: 'text', input: false, width: 11, value: (r) => currentStatus(r) },
  { header: 'Decision', kind: 'text', input: false, width: 18, value: decision },
  { header: 'Decided by', kind: 'text', input: true, width: 14, value: (r) => r.decision?.decidedBy ?? null },
  { header: 'Decided at', kind: 'text', input: false, width: 22, value: (r) => r.decision?.decidedAt ?? null },
  // A proposal's outcome: PENDING, APPROVED, REJECTED (by an approver) or WITHDRAWN (by its maker); empty for a decision that took effect at once.
  { header: 'Proposal outcome', kind: 'text', input: false, width: 14, value: (r) => r.decision?.outcome ?? null },
  { header: 'Outcome by', kind: 'text', input: true, width: 14, value: (r) => r.decision?.outcomeBy ?? null },
  { header: 'Approved by', kind: 'text', input: true, width: 14, value: (r) => r.decision?.approvedBy ?? null },
  { header: 'Comment', kind: 'text', input: true, width: 30, value: (r) => r.decision?.comment ?? null },
  { header: 'Outcome comment', kind: 'text', input: true, width: 30, value: (r) => r.decision?.outcomeComment ?? null },
  // Break memory (engine/series), appended so the columns before keep their places; empty for a run from before it.
  { header: 'Lifecycle', kind: 'text', input: false, width: 10, value: (r) => r.memory?.lifecycle ?? null },
  { header: 'First seen run', kind: 'text', input: false, width: 22, value: (r) => r.memory?.firstSeenRun ?? null },
  { header: 'First seen as-of', kind: 'text', input: false, width: 12, value: (r) => r.memory?.firstSeenAsOf ?? null },
  { header: 'Age (runs)', kind: 'number', input: false, width: 9, value: (r) => (r.memory ? String(r.memory.ageRuns) : null) },
  { header: 'Age (days)', kind: 'number', input: false, width: 9, value: (r) => (r.memory ? String(r.memory.ageDays) : null) },
  // Reason rules (engine/rules): the rule that gave the reason, and what the model itself said; empty where the
  // model's reason stands and for a run from before rules. "Model reason" above is then the rule's (the attribution's).
  { header: 'Reason rule', kind: 'text', input: true, width: 24, value: (r) => r.rule?.name ?? null },
  { header: 'Rule version', kind: 'number', input: false, width: 9, value: (r) => (r.rule ? String(r.rule.version) : null) },
  { header: 'Rule ID', kind: 'text', input: false, width: 14, value: (r) => r.rule?.ruleId ?? null },
  { header: "Model's own reason", kind: 'text', input: false, width: 16, value: (r) => r.rule?.modelReason ?? null },
];
