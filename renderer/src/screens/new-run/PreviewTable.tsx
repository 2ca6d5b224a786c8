import type { FilePreview } from '../../../../engine/contract/index.ts';
import { bytes } from '../../format.ts';

/** The first rows of a file, exactly as it spells them; of a query, with each column's database type. */
export function PreviewTable({ preview, side }: { preview: FilePreview & { dbTypes?: (string | null)[] }; side: 'A' | 'B' }) {
  const types = preview.dbTypes?.some((t) => t !== null) ? preview.dbTypes : undefined;
  return (
    <div className="preview">
      <p className="muted small">
        {preview.format === 'query' ? `Query on ${preview.path.replace(/^query:/, '')}` : preview.format === 'http' ? `HTTP ${preview.path.replace(/^http:/, '')} · first page · ${bytes(preview.bytes)}` : `${preview.format.toUpperCase()} · ${bytes(preview.bytes)}`}
        {preview.delimiter !== null && ` · delimiter ${JSON.stringify(preview.delimiter)}`} · {preview.columns.length} columns · first {preview.rows.length} rows
      </p>
      {preview.warnings.map((w) => (
        <p key={w} className="warning small">
          {w}
        </p>
      ))}
      <div className="table-scroll">
        <table className="data compact" aria-label={`Preview of source ${side}`}>
          <thead>
            <tr>
              {preview.columns.map((c, i) => (
                <th key={c}>
                  {c}
                  {types?.[i] && <span className="muted small db-type"> {types[i]}</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((r, i) => (
              <tr key={i}>
                {r.map((v, j) => (
                  <td key={j} className={v === null ? 'null' : undefined}>
                    {v ?? '∅'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
