import type { FilePreview } from '../../../../engine/contract/index.ts';
import { bytes } from '../../format.ts';

/** The first rows of a file, exactly as it spells them. */
export function PreviewTable({ preview, side }: { preview: FilePreview; side: 'A' | 'B' }) {
  return (
    <div className="preview">
      <p className="muted small">
        {preview.format.toUpperCase()} · {bytes(preview.bytes)}
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
              {preview.columns.map((c) => (
                <th key={c}>{c}</th>
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
