import { FIELD_TYPES, type FieldType } from '../../../../engine/contract/index.ts';
import { matchColumn, rowProblem, type FieldRow, type KnownColumns } from './draft.ts';
import { Confidence } from './Confidence.tsx';

interface Props {
  rows: FieldRow[];
  bColumns: string[];
  /** The files' columns when known: rows naming other columns show the problem. */
  known?: KnownColumns;
  onChange: (rows: FieldRow[]) => void;
}

const mapText = (m: Record<string, string> | null): string =>
  m === null
    ? ''
    : Object.entries(m)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');

const parseMap = (s: string): Record<string, string> | null => {
  const pairs = s
    .split(',')
    .map((p) => p.split('=').map((x) => x.trim()))
    .filter((p): p is [string, string] => p.length === 2 && p[0] !== '' && p[1] !== '');
  return pairs.length === 0 ? null : Object.fromEntries(pairs);
};

/** Why the engine suggested this row: the lowest confidence of its choices, and each reason. */
function Why({ row }: { row: FieldRow }) {
  const h = row.hint;
  if (!h) return <span className="muted small">{row.b === null ? 'no match in B' : 'by name'}</span>;
  const confidence = Math.min(h.mapping.confidence, h.type.confidence, h.map?.confidence ?? 1, h.case?.confidence ?? 1);
  return (
    <details className="why" aria-label={`Why ${row.a}`}>
      <summary>
        <Confidence value={confidence} />
        {h.agreement !== null && <span className="muted small"> {Math.round(h.agreement * 1000) / 10}% agree</span>}
      </summary>
      <ul className="small">
        <li>
          ↔ {h.mapping.value}: {h.mapping.reason}
        </li>
        <li>
          {h.type.value}: {h.type.reason}
        </li>
        {h.case && <li>case: {h.case.reason}</li>}
        {h.map && <li>value map: {h.map.reason}</li>}
        {h.notCompared !== undefined && <li className="warn">not compared: {h.notCompared}</li>}
      </ul>
    </details>
  );
}

/** One row per column of A: its B column, key, type, tolerances, case and B value map, with why each was suggested. */
export function MappingTable({ rows, bColumns, known = {}, onChange }: Props) {
  const set = (i: number, patch: Partial<FieldRow>): void => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="table-scroll">
      <table className="data mapping" aria-label="Column mapping">
        <thead>
          <tr>
            <th title="Part of the key that identifies a record">Key</th>
            <th>Column in A</th>
            <th>Column in B</th>
            <th title="Untick to carry the field into the results without comparing it">Compare</th>
            <th>Type</th>
            <th title="Decimal places (decimal fields)">Scale</th>
            <th title="|A−B| ≤ abs is a match">Tol. abs</th>
            <th title="|A−B| ≤ rel × max(|A|,|B|) is a match">Tol. rel</th>
            <th title="Date shift in days that still matches">Tol. days</th>
            <th>Case</th>
            <th title="B value → A value, e.g. B=BUY, S=SELL">B value map</th>
            <th title="The engine's confidence in its suggestion, and why">Suggested because</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const numeric = r.type === 'decimal' || r.type === 'integer';
            const dated = r.type === 'date' || r.type === 'timestamp';
            const problem = rowProblem(r, known);
            // The B column as the file spells it (the definition may differ in case); a column the file lacks stays shown, as missing.
            const bValue = r.b === null ? '' : (matchColumn(r.b, bColumns) ?? r.b);
            const missing = r.b !== null && matchColumn(r.b, bColumns) === undefined;
            return (
              <tr key={r.a} className={problem !== null ? 'problem' : r.b === null ? 'unmapped' : !r.compare ? 'not-compared' : undefined}>
                <td>
                  <input type="checkbox" aria-label={`${r.a} is a key`} checked={r.isKey} onChange={(e) => set(i, { isKey: e.target.checked })} />
                </td>
                <td className="strong">{r.a}</td>
                <td>
                  <select aria-label={`B column for ${r.a}`} aria-invalid={problem !== null} value={bValue} onChange={(e) => set(i, { b: e.target.value === '' ? null : e.target.value })}>
                    <option value="">(not compared)</option>
                    {missing && <option value={r.b!}>{r.b} (not in B)</option>}
                    {bColumns.map((b) => (
                      <option key={b} value={b}>
                        {b}
                      </option>
                    ))}
                  </select>
                  {problem !== null && (
                    <span className="field-problem" role="note" aria-label={`Problem with ${r.a}`}>
                      {problem}
                    </span>
                  )}
                </td>
                <td>
                  <input type="checkbox" aria-label={`Compare ${r.a}`} disabled={r.b === null} checked={r.b !== null && r.compare} onChange={(e) => set(i, { compare: e.target.checked })} />
                </td>
                <td>
                  <select aria-label={`Type of ${r.a}`} value={r.type} onChange={(e) => set(i, { type: e.target.value as FieldType })}>
                    {FIELD_TYPES.map((t) => (
                      <option key={t}>{t}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <input className="narrow" aria-label={`Scale of ${r.a}`} disabled={r.type !== 'decimal'} value={r.scale} onChange={(e) => set(i, { scale: e.target.value })} />
                </td>
                <td>
                  <input className="narrow" aria-label={`Absolute tolerance of ${r.a}`} disabled={!numeric} value={r.abs} placeholder="0" onChange={(e) => set(i, { abs: e.target.value })} />
                </td>
                <td>
                  <input className="narrow" aria-label={`Relative tolerance of ${r.a}`} disabled={!numeric} value={r.rel} placeholder="0" onChange={(e) => set(i, { rel: e.target.value })} />
                </td>
                <td>
                  <input className="narrow" aria-label={`Days tolerance of ${r.a}`} disabled={!dated} value={r.days} placeholder="0" onChange={(e) => set(i, { days: e.target.value })} />
                </td>
                <td>
                  <select aria-label={`Case of ${r.a}`} disabled={r.type !== 'string'} value={r.caseFold} onChange={(e) => set(i, { caseFold: e.target.value as FieldRow['caseFold'] })}>
                    <option value="none">as is</option>
                    <option value="upper">UPPER</option>
                    <option value="lower">lower</option>
                  </select>
                </td>
                <td>
                  <input
                    aria-label={`B value map of ${r.a}`}
                    disabled={r.type !== 'string'}
                    defaultValue={mapText(r.mapB)}
                    placeholder={r.type === 'string' ? 'e.g. B=BUY' : ''}
                    onBlur={(e) => set(i, { mapB: parseMap(e.target.value) })}
                  />
                </td>
                <td>
                  <Why row={r} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
