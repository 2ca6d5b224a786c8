import type { CallResult, DetailRecord } from '../../../../engine/contract/index.ts';

type Detail = CallResult<'breaks.detail'>;

/** DuckDB's column type in the words of the definition: "DECIMAL(38,2)" → "decimal (2)". */
function friendlyType(t: string): string {
  const u = t.toUpperCase();
  const dec = /^DECIMAL\(\d+,\s*(\d+)\)$/.exec(u);
  if (dec) return `decimal (${dec[1]})`;
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(u)) return 'integer';
  if (u === 'VARCHAR') return 'text';
  if (u.startsWith('TIMESTAMP')) return 'timestamp';
  return t.toLowerCase();
}

/** A column of the table: one record, or a side with none. */
type Column = { kind: 'record'; record: DetailRecord; own: boolean } | { kind: 'absent'; side: 'a' | 'b' };

const SIDE = { a: 'A', b: 'B' } as const;

/** "A · line 184", "B · row 12 · rejected": where a person finds the record in its file. */
export function recordHeading(r: DetailRecord): string {
  return `${SIDE[r.side]} · ${r.lineLabel} ${r.line}${r.rejected ? ' · rejected' : ''}`;
}

/**
 * Every record of the break's key, field by field, each headed with where it
 * is in its file: a duplicated key's rows on both sides, else the break's A
 * and B records. Breaking fields of the break's own pair highlighted,
 * within-tolerance ones marked; a rejected row shows its raw text, its
 * failing values marked, and why it was rejected.
 */
export function RecordsTable({ detail }: { detail: Detail }) {
  const records = detail.records;
  const columns: Column[] = (['a', 'b'] as const).flatMap((side): Column[] => {
    const mine = records.filter((r) => r.side === side);
    if (mine.length === 0) return [{ kind: 'absent', side }];
    // With several rows on a side (a duplicated key), the one this break is about is marked.
    return mine.map((record) => ({ kind: 'record', record, own: record.current && mine.length > 1 }));
  });
  const pair = records.some((r) => r.side === 'a' && r.current) && records.some((r) => r.side === 'b' && r.current);
  const problems = records.flatMap((r) => r.problems.map((p) => ({ r, p })));
  const failing = (r: DetailRecord, field: string): boolean => r.problems.some((p) => p.field === field);
  const keyTexts = records.filter((r) => r.keyText !== null);
  return (
    <div className="panel">
      <div className="table-scroll">
        <table className="data records" aria-label="Records A and B side by side">
          <thead>
            <tr>
              <th>Field</th>
              <th>Type</th>
              {columns.map((col) =>
                col.kind === 'absent' ? (
                  <th key={`absent-${col.side}`}>
                    {SIDE[col.side]} · <span className="absent-note">no record with this key</span>
                  </th>
                ) : (
                  <th key={`${col.record.side}${col.record.rid}`} className={col.record.rejected ? 'rejected' : undefined}>
                    {recordHeading(col.record)}
                    {col.own && <span className="muted small"> · this break</span>}
                  </th>
                ),
              )}
              <th />
            </tr>
          </thead>
          <tbody>
            {detail.fields.map((f, i) => (
              <tr key={f.name} className={f.differs && pair ? 'differs' : f.withinTolerance && pair ? 'within' : undefined}>
                <td className={f.isKey ? 'strong' : undefined}>
                  {f.name}
                  {f.isKey && <span className="muted small"> key</span>}
                </td>
                <td className="muted small">{friendlyType(f.type)}</td>
                {columns.map((col) => {
                  if (col.kind === 'absent') return <td key={`absent-${col.side}`} />;
                  const r = col.record;
                  const v = r.values[i] ?? null;
                  const bad = r.rejected && failing(r, f.name);
                  return (
                    <td key={`${r.side}${r.rid}`} className={`mono${bad ? ' cell-rejected' : ''}`} title={bad ? 'This value was rejected' : undefined}>
                      {v ?? <span className="null">∅</span>}
                    </td>
                  );
                })}
                <td className="small">{f.differs && pair ? <span className="tag-mismatch">break #{f.breakId}</span> : f.withinTolerance && pair ? <span className="muted">within tolerance</span> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {problems.length > 0 && (
        <>
          <h5>Why the row was rejected</h5>
          <ul className="reject-reasons" aria-label="Why the row was rejected">
            {problems.map(({ r, p }, i) => (
              <li key={i}>
                {SIDE[r.side]} {r.lineLabel} {r.line}
                {p.column !== null ? `, column ${p.column}` : ''}: {p.reason}
              </li>
            ))}
          </ul>
          <p className="muted small">A rejected row shows the values as the file writes them; it is not compared.</p>
        </>
      )}
      {keyTexts.length > 0 && (
        <p className="muted small">
          Key as the files spell it: {[...new Set(keyTexts.map((r) => `${SIDE[r.side]} ${r.keyText ?? ''}`))].join(' · ')}
        </p>
      )}
    </div>
  );
}
