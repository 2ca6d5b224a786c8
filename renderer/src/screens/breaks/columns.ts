/**
 * The breaks grid's columns: plain value formatters and cell class rules
 * (no React cell renderers), so a million rows scroll smoothly.
 */
import type { ColDef, ValueFormatterParams } from 'ag-grid-community';
import type { BreakRow } from '../../../../engine/contract/index.ts';
import { modelGuess } from './review/status.ts';
import { ValueCellRenderer } from './value-cell.ts';

type Col = ColDef<BreakRow>;
type Fmt = ValueFormatterParams<BreakRow>;

const textFilter = { filter: 'agTextColumnFilter', floatingFilter: true, filterParams: { maxNumConditions: 2, debounceMs: 300 } } satisfies Col;
const numberFilter = { filter: 'agNumberColumnFilter', floatingFilter: true, filterParams: { maxNumConditions: 2, debounceMs: 300 } } satisfies Col;

/** "model: FX_DIFF · 87%": what the model said of a break a reason rule took (its guess when it was not sure). */
export function ruleModelText(row: Pick<BreakRow, 'ruleModelReason' | 'ruleModelConfidence' | 'ruleModelStatus'>): string {
  const pct = row.ruleModelConfidence === null ? '' : ` · ${Math.round(row.ruleModelConfidence * 100)}%`;
  return `model: ${row.ruleModelReason ?? '—'}${row.ruleModelStatus === 'AUTO' ? '' : ' (unsure)'}${pct}`;
}

/** The tooltip of a rule's break: which rule, and what the model said beside it. */
export function ruleTitle(row: BreakRow): string | undefined {
  if (!row.ruleName) return undefined;
  return `Reason rule "${row.ruleName}" (version ${row.ruleVersion ?? '?'}) gave ${row.reason ?? '—'}; the model said ${row.ruleModelReason ?? '—'}${
    row.ruleModelConfidence === null ? '' : ` (${Math.round(row.ruleModelConfidence * 100)}%, ${row.ruleModelStatus ?? '—'})`
  }`;
}

const deltaNumber = (row: BreakRow | undefined): number | null => {
  if (!row || row.delta === null) return null;
  const n = Number(row.delta);
  return Number.isFinite(n) ? n : null;
};

/** ∅ for a field with no value; nothing for whole-record breaks (missing, duplicate), which have no field value. */
const valueText = (p: Fmt): string => (p.value === null || p.value === undefined ? (p.data && p.data.field !== '*' ? '∅' : '') : String(p.value));

/** B − A with its sign; dates differ in days. */
const deltaText = (p: Fmt): string => {
  if (p.value === null || p.value === undefined) return '';
  const text = `${(deltaNumber(p.data) ?? 0) > 0 ? '+' : ''}${String(p.value)}`;
  return p.data?.fieldType === 'date' ? `${text} d` : p.data?.fieldType === 'timestamp' ? `${text} s` : text;
};

export const BREAK_COLUMN_DEFS: Col[] = [
  { field: 'breakId', headerName: '#', width: 72, ...numberFilter, floatingFilter: false, cellClass: 'num muted' },
  { field: 'key', headerName: 'Key', width: 120, ...textFilter, cellClass: 'mono' },
  { field: 'field', headerName: 'Field', width: 115, ...textFilter, valueFormatter: (p: Fmt) => (p.value === '*' ? '(record)' : (p.value ?? '')) },
  {
    field: 'diffType',
    headerName: 'Diff type',
    width: 164,
    ...textFilter,
    // A duplicate row says which side it is on.
    valueFormatter: (p: Fmt) => (p.value === 'DUPLICATE_KEY' && p.data?.side ? `DUPLICATE_KEY · ${p.data.side.toUpperCase()}` : (p.value ?? '')),
    cellClassRules: {
      'tag-mismatch': (p) => p.value === 'MISMATCH',
      'tag-missing': (p) => p.value === 'MISSING_IN_A' || p.value === 'MISSING_IN_B' || p.value === 'REJECTED_IN_A' || p.value === 'REJECTED_IN_B',
      'tag-dup': (p) => p.value === 'DUPLICATE_KEY',
    },
  },
  {
    field: 'valueA',
    headerName: 'Value A',
    flex: 1,
    minWidth: 105,
    ...textFilter,
    valueFormatter: valueText,
    // Characters that differ from B marked; the full value as the title (value-cell.ts).
    cellRenderer: ValueCellRenderer,
    cellClassRules: { 'cell-diff': (p) => p.data?.diffType === 'MISMATCH', 'cell-absent': (p) => p.data !== undefined && p.value === null },
  },
  {
    field: 'valueB',
    headerName: 'Value B',
    flex: 1,
    minWidth: 105,
    ...textFilter,
    valueFormatter: valueText,
    cellRenderer: ValueCellRenderer,
    cellClassRules: { 'cell-diff': (p) => p.data?.diffType === 'MISMATCH', 'cell-absent': (p) => p.data !== undefined && p.value === null },
  },
  {
    // B / A of number breaks, exact text from the engine; hidden until "B/A ratio" is ticked above the grid.
    field: 'ratio',
    colId: 'ratio',
    headerName: 'B / A',
    headerTooltip: 'B divided by A, exactly (10 decimals): a scale (×100) or an FX rate shows as the same ratio on many rows. Empty when A is zero or the field is not a number.',
    hide: true,
    width: 120,
    ...numberFilter,
    type: 'rightAligned',
    cellClass: 'mono',
  },
  {
    field: 'delta',
    headerName: 'Δ (B − A)',
    width: 125,
    ...numberFilter,
    type: 'rightAligned',
    valueFormatter: deltaText,
    cellClassRules: {
      'delta-pos': (p) => (deltaNumber(p.data) ?? 0) > 0,
      'delta-neg': (p) => (deltaNumber(p.data) ?? 0) < 0,
      'delta-large': (p) => Math.abs(deltaNumber(p.data) ?? 0) >= 1000,
    },
  },
  {
    field: 'reason',
    headerName: 'Reason',
    width: 125,
    ...textFilter,
    // A reviewer's reason (accepted or approved override) differs from the model's: mark it as decided; a reason rule's is marked too.
    cellClassRules: {
      'reason-unknown': (p) => p.value === 'UNKNOWN',
      'reason-decided': (p) => p.data?.status === 'ACCEPTED' || p.data?.status === 'OVERRIDDEN',
      'reason-rule': (p) => !!p.data?.ruleName && p.data.status === 'AUTO',
    },
    tooltipValueGetter: (p) => (p.data ? ruleTitle(p.data) : undefined),
  },
  {
    // The model's confidence in its best guess: the reason itself when AUTO, the suggestion (or "no known
    // pattern") when REVIEW. A sure guess that nothing known explains the break is no good news: only AUTO rows are green.
    field: 'confidence',
    headerName: "Model's guess",
    headerTooltip: "The model's confidence in its best guess. AUTO: the reason shown, attributed. REVIEW: the guess was not sure enough (or was that no known reason explains the break), so a person decides.",
    width: 172,
    ...numberFilter,
    type: 'rightAligned',
    valueFormatter: (p: Fmt) => {
      if (typeof p.value !== 'number' || !p.data) return '';
      // A reason rule gave the reason: what the model itself said, beside it.
      if (p.data.ruleName) return ruleModelText(p.data);
      const g = modelGuess(p.data);
      const pct = `${Math.round(p.value * 100)}%`;
      return g === null || g.sure ? pct : g.guess === 'no known pattern' ? `no known pattern · ${pct}` : `guess ${g.guess} · ${pct}`;
    },
    tooltipValueGetter: (p) => {
      if (p.data?.ruleName) return ruleTitle(p.data);
      const g = p.data ? modelGuess(p.data) : null;
      if (g === null || typeof p.value !== 'number') return undefined;
      return `The model's confidence in its best guess (${g.guess}): ${Math.round(p.value * 100)}%${g.sure ? ', attributed automatically' : ', waiting for a person'}`;
    },
    cellClassRules: {
      'conf-rule': (p) => !!p.data?.ruleName,
      'conf-low': (p) => typeof p.value === 'number' && p.value < 0.5 && p.data?.modelStatus === 'AUTO',
      'conf-high': (p) => typeof p.value === 'number' && p.value >= 0.9 && p.data?.modelStatus === 'AUTO',
      'conf-review': (p) => p.data !== undefined && p.data.modelStatus !== null && p.data.modelStatus !== 'AUTO',
    },
  },
  {
    field: 'status',
    headerName: 'Status',
    ...textFilter,
    width: 104,
    cellClassRules: {
      'tag-auto': (p) => p.value === 'AUTO',
      'tag-review': (p) => p.value === 'REVIEW',
      'tag-proposed': (p) => p.value === 'PROPOSED',
      'tag-decided': (p) => p.value === 'ACCEPTED' || p.value === 'OVERRIDDEN',
      'tag-rejected': (p) => p.value === 'REJECTED',
    },
  },
  { field: 'suggestedReason', headerName: 'Suggestion', width: 125, ...textFilter },
  // Break memory (the run's series): empty for a run from before it.
  {
    field: 'lifecycle',
    headerName: 'Lifecycle',
    headerTooltip: 'Against the previous run of the series: NEW (not open before), CARRIED (open before, same values) or CHANGED (open before, other values now).',
    width: 100,
    ...textFilter,
    cellClassRules: { 'tag-new': (p) => p.value === 'NEW', 'tag-carried': (p) => p.value === 'CARRIED', 'tag-changed': (p) => p.value === 'CHANGED' },
  },
  {
    // Sorted and filtered by "as-of date run-id" in the engine: a text filter finds either.
    colId: 'firstSeen',
    headerName: 'First seen',
    headerTooltip: "The as-of date of the run the break was first seen in; its run id in the cell's tooltip. Filter by a date or a run id.",
    width: 104,
    ...textFilter,
    valueGetter: (p) => p.data?.firstSeenAsOf ?? null,
    tooltipValueGetter: (p) => (p.data?.firstSeenRun ? `First seen in run ${p.data.firstSeenRun} (as of ${p.data.firstSeenAsOf ?? '?'})` : undefined),
    cellClass: 'mono',
  },
  { field: 'ageRuns', headerName: 'Age (runs)', headerTooltip: 'Consecutive runs of the series the break has been open in, this one included.', width: 96, ...numberFilter, type: 'rightAligned' },
  { field: 'ageDays', headerName: 'Age (days)', headerTooltip: 'Days since the as-of date it was first seen on.', width: 96, ...numberFilter, type: 'rightAligned' },
  {
    field: 'pastSla',
    headerName: 'SLA',
    headerTooltip: "Days past the SLA of the break's reason (Settings → Reason codes): overdue above 0, days left otherwise; empty when the reason has no SLA. Filter > 0 for the overdue breaks.",
    width: 110,
    ...numberFilter,
    type: 'rightAligned',
    valueFormatter: (p: Fmt) => (typeof p.value !== 'number' ? '' : p.value > 0 ? `overdue ${p.value} d` : `${-p.value} d left`),
    tooltipValueGetter: (p) => (p.data && p.data.slaDays !== null && p.data.ageDays !== null ? `${p.data.reason ?? ''}: SLA ${p.data.slaDays} d, open ${p.data.ageDays} d` : undefined),
    cellClassRules: { 'sla-overdue': (p) => typeof p.value === 'number' && p.value > 0, 'sla-due': (p) => p.value === 0 },
  },
  // Reason rules (issue 20) and the explanation in words; the run's model attribution otherwise.
  {
    colId: 'rule',
    headerName: 'Rule',
    headerTooltip: "The team's reason rule that gave the break its reason (name and version), before the model; empty where the model's reason stands.",
    width: 190,
    ...textFilter,
    valueGetter: (p) => p.data?.ruleName ?? null,
    valueFormatter: (p: Fmt) => (p.data?.ruleName ? `${p.data.ruleName} · v${p.data.ruleVersion ?? '?'}` : ''),
    tooltipValueGetter: (p) => (p.data ? ruleTitle(p.data) : undefined),
    cellClass: 'rule-cell',
  },
  {
    field: 'explanation',
    colId: 'explanation',
    headerName: 'Explanation',
    headerTooltip: "Why the break has its reason, in words: the model's strongest reason, or the rule that gave it.",
    width: 320,
    ...textFilter,
    tooltipValueGetter: (p) => (typeof p.value === 'string' ? p.value : undefined),
    cellClass: 'explanation-cell',
  },
];
