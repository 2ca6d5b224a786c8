import type { FilterModel } from '../../../../engine/contract/index.ts';

/** A quick filter: one click sets (or, pressed again, clears) its part of the grid's filter model. */
interface QuickFilter {
  label: string;
  title: string;
  column: 'lifecycle' | 'pastSla';
  filter: NonNullable<FilterModel['lifecycle']>;
}

export const QUICK_FILTERS: readonly QuickFilter[] = [
  { label: 'New today', title: 'Breaks not open in the previous run of the series (lifecycle NEW)', column: 'lifecycle', filter: { filterType: 'set', values: ['NEW'] } },
  { label: 'Changed', title: 'Breaks open before whose values moved since the previous run (lifecycle CHANGED)', column: 'lifecycle', filter: { filterType: 'set', values: ['CHANGED'] } },
  {
    label: 'Overdue',
    title: "Breaks open longer than the SLA of their reason (Settings → Reason codes)",
    column: 'pastSla',
    filter: { filterType: 'number', type: 'greaterThan', filter: 0 },
  },
];

const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);

/** Whether quick filter `q` is what the model holds now. */
export function isOn(model: FilterModel, q: QuickFilter): boolean {
  return same(model[q.column], q.filter);
}

/** The model with `q` set, or cleared when it was on. The lifecycle ones replace each other; the facet bar shows them as its pick. */
export function toggle(model: FilterModel, q: QuickFilter): FilterModel {
  const next = { ...model };
  if (isOn(model, q)) delete next[q.column];
  else next[q.column] = q.filter;
  return next;
}

/** "New today", "Changed", "Overdue" above the breaks grid (runs with break memory only). */
export function QuickFilters({ value, onChange }: { value: FilterModel; onChange: (m: FilterModel) => void }) {
  return (
    <div className="quick-filters" role="group" aria-label="Quick filters">
      {QUICK_FILTERS.map((q) => (
        <button key={q.label} type="button" aria-pressed={isOn(value, q)} title={q.title} onClick={() => onChange(toggle(value, q))}>
          {q.label}
        </button>
      ))}
    </div>
  );
}
