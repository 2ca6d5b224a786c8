import type { CallResult, FilterModel } from '../../../../engine/contract/index.ts';
import { count } from '../../format.ts';

type Facets = CallResult<'breaks.facets'>;
/** The option value standing for "no value" (a break the model has not seen). */
const NONE = '__none__';

type FacetColumn = 'field' | 'diffType' | 'reason' | 'status';

const FACETS: { column: FacetColumn; label: string; pick: (f: Facets) => Facets['fields'] }[] = [
  { column: 'field', label: 'Field', pick: (f) => f.fields },
  { column: 'diffType', label: 'Diff type', pick: (f) => f.diffTypes },
  { column: 'reason', label: 'Reason', pick: (f) => f.reasons },
  { column: 'status', label: 'Status', pick: (f) => f.statuses },
];

/** Group-like pickers from breaks.facets: one value per facet, with its count. */
export function FacetBar({ facets, value, onChange }: { facets: Facets | undefined; value: FilterModel; onChange: (m: FilterModel) => void }) {
  const current = (col: FacetColumn): string => {
    const f = value[col];
    return f?.filterType === 'set' && f.values.length === 1 ? (f.values[0] ?? NONE) : '';
  };
  const set = (col: FacetColumn, v: string): void => {
    const next = { ...value };
    if (v === '') delete next[col];
    else next[col] = { filterType: 'set', values: [v === NONE ? null : v] };
    onChange(next);
  };
  return (
    <div className="facet-bar">
      {FACETS.map(({ column, label, pick }) => {
        const options = facets ? pick(facets) : [];
        if (facets && options.length === 0) return null;
        return (
          <label key={column}>
            <span>{label}</span>
            <select aria-label={`${label} facet`} value={current(column)} onChange={(e) => set(column, e.target.value)}>
              <option value="">All</option>
              {options.map((o) => (
                <option key={o.value ?? NONE} value={o.value ?? NONE}>
                  {o.value === null ? '(none)' : o.value === '*' ? '(record)' : o.value} · {count(o.count)}
                </option>
              ))}
            </select>
          </label>
        );
      })}
    </div>
  );
}
