import { useState } from 'react';
import type { ErrorData, FilePreview } from '../../../../engine/contract/index.ts';
import { errorData } from '../../bridge/client.ts';
import { useClient } from '../../bridge/use-client.ts';
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

const SOURCE_FILTERS = [
  { name: 'Extracts', extensions: ['csv', 'tsv', 'txt', 'parquet', 'json', 'ndjson', 'xlsx'] },
  { name: 'All files', extensions: ['*'] },
];

/** One source: its path (typed, or picked with the desktop app's file dialog), read options and preview. */
export function SourceCard({ side, form, onChange, onPreview, preview, error, busy }: Props) {
  const client = useClient();
  const id = `source-${side.toLowerCase()}`;
  const [pickError, setPickError] = useState<ErrorData>();
  const browse = async (): Promise<void> => {
    setPickError(undefined);
    try {
      // The dialog starts at the path in the field ("Run again" fills in the earlier run's file).
      const start = form.path.trim();
      const { path } = await client.call('files.choose', { mode: 'open', title: `Source ${side}`, filters: SOURCE_FILTERS, ...(start !== '' ? { defaultPath: start } : {}) });
      if (path !== null) onChange({ ...form, path });
    } catch (err) {
      setPickError(errorData(err));
    }
  };
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
        {client.kind === 'desktop' && (
          <button type="button" onClick={() => void browse()}>
            Browse…
          </button>
        )}
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
      {pickError && <ErrorMessage error={pickError} onDismiss={() => setPickError(undefined)} />}
      {preview && <PreviewTable preview={preview} side={side} />}
    </div>
  );
}
