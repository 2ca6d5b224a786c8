import { useState } from 'react';
import type { ErrorData, FilePreview } from '../../../../engine/contract/index.ts';
import { errorData } from '../../bridge/client.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { sourceReady, type SourceForm, type SourceKind } from './draft.ts';
import { PreviewTable } from './PreviewTable.tsx';
import { RemoteSourceFields } from './RemoteSourceFields.tsx';

const KINDS: [SourceKind, string][] = [
  ['file', 'File'],
  ['query', 'Database query'],
  ['http', 'HTTP API'],
];

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

/**
 * One source: a file (its path typed, or picked with the desktop app's file dialog, and read options),
 * a database query or an HTTP API on one of the workspace's saved connections; and its preview.
 */
export function SourceCard({ side, form, onChange, onPreview, preview, error, busy }: Props) {
  const client = useClient();
  // The saved connections a query or HTTP side may use; read only once a side needs them.
  const connections = useCall('connections.list', form.kind === 'file' ? null : {});
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
      <div className="row source-head">
        <h4>Source {side}</h4>
        <div className="segmented" role="radiogroup" aria-label={`Source ${side} kind`}>
          {KINDS.map(([kind, label]) => (
            <label key={kind} className={form.kind === kind ? 'on' : undefined}>
              <input type="radio" name={`${id}-kind`} value={kind} checked={form.kind === kind} onChange={() => onChange({ ...form, kind })} /> {label}
            </label>
          ))}
        </div>
      </div>
      {form.kind !== 'file' ? (
        <form
          className="source-remote"
          onSubmit={(e) => {
            e.preventDefault();
            onPreview();
          }}
        >
          <RemoteSourceFields side={side} form={form} connections={connections.data?.connections} onChange={onChange} />
          {connections.error && <ErrorMessage error={connections.error} onRetry={connections.reload} />}
          <div className="row">
            <button type="submit" disabled={busy || !sourceReady(form)}>
              {busy ? 'Reading…' : 'Preview'}
            </button>
            <span className="muted small">{form.kind === 'query' ? 'Runs the query with a LIMIT: the first rows and each column’s database type.' : 'Reads the first page.'}</span>
          </div>
        </form>
      ) : (
        <FileSourceFields id={id} form={form} onChange={onChange} onPreview={onPreview} busy={busy} onBrowse={client.kind === 'desktop' ? () => void browse() : undefined} />
      )}
      {error && <ErrorMessage error={error} />}
      {pickError && <ErrorMessage error={pickError} onDismiss={() => setPickError(undefined)} />}
      {preview && <PreviewTable preview={preview} side={side} />}
    </div>
  );
}

/** A file side: its path (typed, or picked with the desktop app's file dialog) and read options. */
function FileSourceFields({ id, form, onChange, onPreview, busy, onBrowse }: { id: string; form: SourceForm; onChange: (form: SourceForm) => void; onPreview: () => void; busy: boolean; onBrowse: (() => void) | undefined }) {
  return (
    <>
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
        {onBrowse && (
          <button type="button" onClick={onBrowse}>
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
    </>
  );
}
