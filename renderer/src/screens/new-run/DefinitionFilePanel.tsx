import { useState } from 'react';
import type { DefinitionInput, ErrorData } from '../../../../engine/contract/index.ts';
import { errorData } from '../../bridge/client.ts';
import { useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';

interface Props {
  /** The definition the form describes now, for Export. */
  current: () => DefinitionInput;
  /** A definition read from a file, validated by the engine: the form takes it as a saved one. */
  onImport: (definition: DefinitionInput) => void;
}

const JSON_FILTERS = [
  { name: 'Recon definition', extensions: ['json'] },
  { name: 'All files', extensions: ['*'] },
];

/** Each issue the engine named ("fields[2].tolerance.days: …"), when it listed them. */
const issuesOf = (e: ErrorData): string[] => (Array.isArray(e.details?.['issues']) ? (e.details['issues'] as unknown[]).map(String) : []);

/**
 * "Definition file": import a definition JSON file into the form (validated by the
 * engine's definition schema; problems named with their JSON path), or export the
 * form as one, which imports back the same.
 */
export function DefinitionFilePanel({ current, onImport }: Props) {
  const client = useClient();
  const [path, setPath] = useState('');
  const [replace, setReplace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<ErrorData>();

  const act = async (what: 'import' | 'export', to = path.trim(), replaceIt = replace): Promise<void> => {
    setBusy(true);
    setDone(undefined);
    setError(undefined);
    try {
      if (what === 'import') {
        const r = await client.call('definitions.import', { path: to });
        onImport(r.definition);
        setDone(`Imported ${r.path}`);
      } else {
        const r = await client.call('definitions.export', { definition: current() as Record<string, unknown>, path: to, overwrite: replaceIt });
        setDone(`Exported the definition to ${r.path}`);
      }
    } catch (err) {
      setError(errorData(err));
    } finally {
      setBusy(false);
    }
  };
  /** The desktop app's dialog, starting at the typed path: the path picked, or null. */
  const browse = async (mode: 'open' | 'save'): Promise<string | null> => {
    try {
      const r = await client.call('files.choose', { mode, title: mode === 'open' ? 'Import a definition' : 'Export the definition', filters: JSON_FILTERS, ...(path.trim() !== '' ? { defaultPath: path.trim() } : {}) });
      if (r.path !== null) setPath(r.path);
      return r.path;
    } catch (err) {
      setError(errorData(err));
      return null;
    }
  };
  // The desktop app writes only where a Save dialog chose (docs/DESKTOP-SECURITY.md): Export… asks for the file first,
  // and the dialog has already asked whether to replace it.
  const exportChosen = async (): Promise<void> => {
    const to = await browse('save');
    if (to !== null) await act('export', to, true);
  };
  const issues = error ? issuesOf(error) : [];
  return (
    <div className="panel definition-file">
      <div className="source-form">
        <label className="grow">
          <span>Definition file</span>
          <input id="definition-file-path" type="text" value={path} spellCheck={false} placeholder="/path/to/definition.json" onChange={(e) => setPath(e.target.value)} />
        </label>
        {client.kind === 'desktop' && (
          <button type="button" onClick={() => void browse('open')}>
            Browse…
          </button>
        )}
        <button type="button" disabled={busy || path.trim() === ''} onClick={() => void act('import')}>
          Import
        </button>
        {client.kind === 'desktop' ? (
          <button type="button" disabled={busy} onClick={() => void exportChosen()}>
            Export…
          </button>
        ) : (
          <button type="button" disabled={busy || path.trim() === ''} onClick={() => void act('export')}>
            Export
          </button>
        )}
      </div>
      {client.kind !== 'desktop' && (
        <label className="check">
          <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace the file if it exists
        </label>
      )}
      {done && (
        <p className="notice ok" role="status">
          {done}
        </p>
      )}
      {error && <ErrorMessage error={error} onDismiss={() => setError(undefined)} />}
      {issues.length > 0 && (
        <ul className="problems" aria-label="Problems in the definition file">
          {issues.map((i) => (
            <li key={i} className="mono">
              {i}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
