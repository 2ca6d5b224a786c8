import type { CallResult } from '../../../../engine/contract/index.ts';

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

/** Record A and record B, field by field; breaking fields highlighted, within-tolerance ones marked. */
export function RecordsTable({ detail }: { detail: Detail }) {
  const { a, b } = detail;
  return (
    <div className="panel">
      <table className="data records" aria-label="Records A and B side by side">
        <thead>
          <tr>
            <th>Field</th>
            <th>Type</th>
            <th>Source A {a ? <span className="muted small">record {a.rid + 1}</span> : <span className="absent-note">not in A</span>}</th>
            <th>Source B {b ? <span className="muted small">record {b.rid + 1}</span> : <span className="absent-note">not in B</span>}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {detail.fields.map((f) => (
            <tr key={f.name} className={f.differs ? 'differs' : f.withinTolerance ? 'within' : undefined}>
              <td className={f.isKey ? 'strong' : undefined}>
                {f.name}
                {f.isKey && <span className="muted small"> key</span>}
              </td>
              <td className="muted small">{friendlyType(f.type)}</td>
              <td className="mono">{a ? (f.a ?? <span className="null">∅</span>) : ''}</td>
              <td className="mono">{b ? (f.b ?? <span className="null">∅</span>) : ''}</td>
              <td className="small">{f.differs ? <span className="tag-mismatch">break #{f.breakId}</span> : f.withinTolerance ? <span className="muted">within tolerance</span> : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {(a?.keyText || b?.keyText) && (
        <p className="muted small">
          Key as the files spell it: A {a?.keyText ?? '—'} · B {b?.keyText ?? '—'}
        </p>
      )}
    </div>
  );
}
