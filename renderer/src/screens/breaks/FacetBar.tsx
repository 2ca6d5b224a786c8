import { useEffect, useRef } from 'react';
import type { CallResult, FilterModel } from '../../../../engine/contract/index.ts';
import { count } from '../../format.ts';
import './facets.css';

type Facets = CallResult<'breaks.facets'>;
type Facet = Facets['fields'];

type FacetColumn = 'field' | 'diffType' | 'reason' | 'status' | 'lifecycle';

const FACETS: { column: FacetColumn; label: string; pick: (f: Facets) => Facet }[] = [
  { column: 'field', label: 'Field', pick: (f) => f.fields },
  { column: 'diffType', label: 'Diff type', pick: (f) => f.diffTypes },
  { column: 'reason', label: 'Reason', pick: (f) => f.reasons },
  { column: 'status', label: 'Status', pick: (f) => f.statuses },
  // Break memory: a run from before it has no lifecycles, and the facet is not shown.
  { column: 'lifecycle', label: 'Lifecycle', pick: (f) => f.lifecycles },
];

const show = (v: string | null): string => (v === null ? '(none)' : v === '*' ? '(record)' : v);

/** The values picked on a facet (null = no value); none picked = all. */
export function facetPicks(value: FilterModel, col: FacetColumn): (string | null)[] {
  const f = value[col];
  return f?.filterType === 'set' ? f.values : [];
}

/**
 * Facets above the grid: each a menu of its values with counts, several values
 * per facet. The counts come from breaks.facets given every other filter, so a
 * facet shows what picking a value of it would leave.
 */
export function FacetBar({ facets, value, onChange }: { facets: Facets | undefined; value: FilterModel; onChange: (m: FilterModel) => void }) {
  const bar = useRef<HTMLDivElement>(null);
  // A click outside closes an open facet menu, as a menu does.
  useEffect(() => {
    const close = (e: MouseEvent): void => {
      for (const d of bar.current?.querySelectorAll('details[open]') ?? []) if (!d.contains(e.target as Node)) d.removeAttribute('open');
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);
  const set = (col: FacetColumn, values: (string | null)[]): void => {
    const next = { ...value };
    if (values.length === 0) delete next[col];
    else next[col] = { filterType: 'set', values };
    onChange(next);
  };
  return (
    <div className="facet-bar" ref={bar}>
      {FACETS.map(({ column, label, pick }) => {
        const picked = facetPicks(value, column);
        const options = facets ? pick(facets) : [];
        // A picked value the other filters leave no break of still shows, at 0, so it can be unpicked.
        const all: Facet = [...options, ...picked.filter((p) => !options.some((o) => o.value === p)).map((p) => ({ value: p, count: 0 }))];
        if (facets && all.length === 0) return null;
        const summary = picked.length === 0 ? 'All' : picked.length === 1 ? show(picked[0]!) : `${show(picked[0]!)} +${picked.length - 1}`;
        return (
          <details key={column} className={`facet${picked.length > 0 ? ' facet-active' : ''}`}>
            <summary aria-label={`${label} facet`} title={picked.length > 1 ? picked.map(show).join(', ') : undefined}>
              <span className="facet-label">{label}</span> <span className="facet-value">{summary}</span>
            </summary>
            <div className="facet-menu" role="group" aria-label={`${label} values`}>
              {all.map((o) => {
                const on = picked.includes(o.value);
                return (
                  <label key={o.value ?? '\u0000'} className={o.count === 0 ? 'facet-empty' : undefined}>
                    <input type="checkbox" checked={on} onChange={() => set(column, on ? picked.filter((p) => p !== o.value) : [...picked, o.value])} />
                    {show(o.value)} · {count(o.count)}
                  </label>
                );
              })}
              <button type="button" className="link" disabled={picked.length === 0} onClick={() => set(column, [])}>
                Any {label.toLowerCase()}
              </button>
            </div>
          </details>
        );
      })}
    </div>
  );
}
