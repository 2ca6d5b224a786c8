import { currentStatus, type BreakRow } from './break-rows.ts';

/**
 * The columns of the detailed exports (CSV and XLSX), in order. `input` marks
 * text that came from the input files or from people (keys, values, field
 * names, comments, user ids): always written as text. `number` marks numbers
 * we computed.
 */
export interface ExportColumn {
  header: string;
  kind: 'number' | 'text';
  input: boolean;
  width: number;
  value(r: BreakRow): string | null;
}

const decision = (r: BreakRow): string | null => (r.decision ? `${r.decision.kind}${r.decision.reason ? ` ${r.decision.reason}` : ''}` : null);

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
  { header: 'Reason', kind: 'text', input: false, width: 16, value: (r) => r.decision?.reason ?? r.reason },
  { header: 'Model reason', kind: 'text', input: false, width: 16, value: (r) => r.reason },
  { header: 'Suggested reason', kind: 'text', input: false, width: 16, value: (r) => r.suggestedReason },
  { header: 'Confidence', kind: 'number', input: false, width: 11, value: (r) => (r.confidence === null ? null : String(r.confidence)) },
  { header: 'Status', kind: 'text', input: false, width: 11, value: (r) => currentStatus(r) },
  { header: 'Decision', kind: 'text', input: false, width: 18, value: decision },
  { header: 'Decided by', kind: 'text', input: true, width: 14, value: (r) => r.decision?.decidedBy ?? null },
  { header: 'Decided at', kind: 'text', input: false, width: 22, value: (r) => r.decision?.decidedAt ?? null },
  { header: 'Approved by', kind: 'text', input: true, width: 14, value: (r) => r.decision?.approvedBy ?? null },
  { header: 'Comment', kind: 'text', input: true, width: 30, value: (r) => r.decision?.comment ?? null },
];
