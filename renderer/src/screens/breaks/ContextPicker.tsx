import { useEffect, useRef, useState } from 'react';
import type { ContextColumn, RecordField } from '../../../../engine/contract/index.ts';
import { contextColumnId, contextLabel, type Side } from './context-columns.ts';

/** Adds and removes record-context columns: a field of the record, from side A or B. */
export function ContextPicker({ fields, value, onChange }: { fields: RecordField[]; value: ContextColumn[]; onChange: (columns: ContextColumn[]) => void }) {
  const menu = useRef<HTMLDetailsElement>(null);
  // A click outside closes the menu, as a menu does.
  useEffect(() => {
    const close = (e: MouseEvent): void => {
      if (menu.current?.open && !menu.current.contains(e.target as Node)) menu.current.open = false;
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);
  const [field, setField] = useState('');
  const [side, setSide] = useState<Side>('a');
  const chosen = fields.find((f) => f.name === field) ?? fields[0];
  const sides = chosen?.sides ?? [];
  const effectiveSide: Side = sides.includes(side) ? side : (sides[0] ?? 'a');
  const id = chosen ? contextColumnId(effectiveSide, chosen.name) : undefined;
  if (fields.length === 0) return null;
  return (
    <details className="context-picker" ref={menu}>
      <summary>Record fields{value.length > 0 ? ` · ${value.length}` : ''}</summary>
      <div className="context-picker-body" role="group" aria-label="Record-context columns">
        <p className="hint">Show a field of each break's record as a column, to sort, filter and search on it.</p>
        <div className="context-picker-add">
          <select aria-label="Record field" value={chosen?.name ?? ''} onChange={(e) => setField(e.target.value)}>
            {fields.map((f) => (
              <option key={f.name} value={f.name}>
                {f.name}
              </option>
            ))}
          </select>
          <select aria-label="Record side" value={effectiveSide} onChange={(e) => setSide(e.target.value as Side)}>
            {sides.map((s) => (
              <option key={s} value={s}>
                {s === 'a' ? 'Source A' : 'Source B'}
              </option>
            ))}
          </select>
          <button type="button" disabled={id === undefined || value.includes(id)} onClick={() => id && onChange([...value, id])}>
            Add column
          </button>
        </div>
        {value.length > 0 && (
          <ul className="context-picker-list">
            {value.map((c) => (
              <li key={c}>
                <span>{contextLabel(c)}</span>
                <button type="button" className="link" aria-label={`Remove column ${contextLabel(c)}`} onClick={() => onChange(value.filter((x) => x !== c))}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </details>
  );
}
