import type { ErrorData, FilePreview } from '../../../../engine/contract/index.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import type { SourceForm } from './draft.ts';
import { PreviewTable } from './PreviewTable.tsx';

const DELIMITERS: [string, string][] = [
  ['', 'Detect'],
  [',', 'Comma ,'],
  [';', 'Semicolon ;'],
  ['\t', 'Tab'],
  ['|', 'Pipe |'],
];

interface Props {
  side: 'A' | 'B';
  form: SourceForm;
  onChange: (form: SourceForm) => void;
  onPreview: () => void;
  preview: FilePreview | undefined;
  error: ErrorData | undefined;
  busy: boolean;
}

/** One source: its path (typed: the browser host has no file dialog), read options and preview. */
export function SourceCard({ side, form, onChange, onPreview, preview, error, busy }: Props) {
  const id = `source-${side.toLowerCase()}`;
  return (
    <div className="panel source-card">
      <h4>Source {side}</h4>
      <form
        className="source-form"
        onSubmit={(e) => {
          e.preventDefault();
          onPreview();
        }}
      >
        <label className="grow">
          <span>File path</span>
          <input
            id={`${id}-path`}
            type="text"
            value={form.path}
            spellCheck={false}
            placeholder="/path/to/extract.csv (CSV, TSV, TXT, Parquet, JSON, NDJSON, XLSX)"
            onChange={(e) => onChange({ ...form, path: e.target.value })}
          />
        </label>
        <button type="submit" disabled={busy || form.path.trim() === ''}>
          {busy ? 'Reading…' : 'Preview'}
        </button>
      </form>
      <div className="source-options">
        <label>
          <span>Delimiter</span>
          <select value={form.delimiter} onChange={(e) => onChange({ ...form, delimiter: e.target.value })}>
            {DELIMITERS.map(([v, label]) => (
              <option key={label} value={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Decimal separator</span>
          <select value={form.decimalSeparator} onChange={(e) => onChange({ ...form, decimalSeparator: e.target.value === ',' ? ',' : '.' })}>
            <option value=".">Point 1234.56</option>
            <option value=",">Comma 1234,56</option>
          </select>
        </label>
        <label>
          <span>Date format</span>
          <input type="text" value={form.dateFormat} placeholder="ISO (2024-06-28)" onChange={(e) => onChange({ ...form, dateFormat: e.target.value })} />
        </label>
      </div>
      {error && <ErrorMessage error={error} />}
      {preview && <PreviewTable preview={preview} side={side} />}
    </div>
  );
}
