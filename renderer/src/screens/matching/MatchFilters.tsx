import { useEffect, useRef, useState } from 'react';
import { MATCH_TYPE_NAMES, type MatchFilter } from '../../../../engine/contract/index.ts';

interface Draft {
  rule: string;
  matchType: string;
  amountMin: string;
  amountMax: string;
  dateFrom: string;
  dateTo: string;
  text: string;
}

const EMPTY: Draft = { rule: '', matchType: '', amountMin: '', amountMax: '', dateFrom: '', dateTo: '', text: '' };
const AMOUNT = /^\d+(\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The draft as the contract's filter: empty and malformed parts left out (an amount is typed digit by digit). */
function toFilter(d: Draft): MatchFilter {
  const f: MatchFilter = {};
  if (d.rule !== '') f.rule = d.rule;
  if (d.matchType !== '') f.matchType = d.matchType as MatchFilter['matchType'] & string;
  if (AMOUNT.test(d.amountMin.trim())) f.amountMin = d.amountMin.trim();
  if (AMOUNT.test(d.amountMax.trim())) f.amountMax = d.amountMax.trim();
  if (DATE.test(d.dateFrom)) f.dateFrom = d.dateFrom;
  if (DATE.test(d.dateTo)) f.dateTo = d.dateTo;
  if (d.text.trim() !== '') f.text = d.text.trim();
  return f;
}

/** The filters of the matching view: one set, applied to the groups and to both sides' unmatched rows. */
export function MatchFilters({ rules, onChange }: { rules: string[]; onChange: (f: MatchFilter) => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const key = JSON.stringify(toFilter(draft));
  const changed = useRef(onChange);
  changed.current = onChange;
  // Typed values settle for a moment before the grids reload.
  useEffect(() => {
    const t = setTimeout(() => changed.current(JSON.parse(key) as MatchFilter), 250);
    return () => clearTimeout(t);
  }, [key]);
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  return (
    <div className="match-filters toolbar" role="group" aria-label="Matching filters">
      <label>
        Rule{' '}
        <select aria-label="Rule filter" value={draft.rule} onChange={set('rule')}>
          <option value="">any</option>
          {rules.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label>
        Type{' '}
        <select aria-label="Match type filter" value={draft.matchType} onChange={set('matchType')}>
          <option value="">any</option>
          {MATCH_TYPE_NAMES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label>
        |Amount| from <input aria-label="Amount from" className="num-input" inputMode="decimal" value={draft.amountMin} onChange={set('amountMin')} placeholder="0" />
      </label>
      <label>
        to <input aria-label="Amount to" className="num-input" inputMode="decimal" value={draft.amountMax} onChange={set('amountMax')} placeholder="any" />
      </label>
      <label>
        Date from <input aria-label="Date from" type="date" value={draft.dateFrom} onChange={set('dateFrom')} />
      </label>
      <label>
        to <input aria-label="Date to" type="date" value={draft.dateTo} onChange={set('dateTo')} />
      </label>
      <label className="quick-filter">
        <span className="sr-only">Text filter</span>
        <input aria-label="Text filter" type="search" value={draft.text} onChange={set('text')} placeholder="Id, counterparty, reference…" />
      </label>
      <button type="button" className="link" onClick={() => setDraft(EMPTY)} disabled={key === '{}'}>
        Clear filters
      </button>
    </div>
  );
}
