import { useRef, useState } from 'react';
import type { ErrorData, FilePreview } from '../../../../engine/contract/index.ts';
import { errorData } from '../../bridge/client.ts';
import { useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { draftProblems, emptyDraft, suggestRows, suggestSource, toDefinition, type Draft } from './draft.ts';
import { MappingTable } from './MappingTable.tsx';
import { RunProgress } from './RunProgress.tsx';
import { SourceCard } from './SourceCard.tsx';
import './new-run.css';

type Side = 'a' | 'b';
const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

/** New run: pick files, preview them, map columns, save the definition, run with live progress. */
export function NewRunScreen() {
  const client = useClient();
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [previews, setPreviews] = useState<Partial<Record<Side, FilePreview>>>({});
  // Both previews may be in flight at once; the ref always holds the latest pair.
  const previewsRef = useRef(previews);
  const [errors, setErrors] = useState<Partial<Record<Side | 'save', ErrorData>>>({});
  const [busy, setBusy] = useState<Partial<Record<Side | 'save', boolean>>>({});
  const [saved, setSaved] = useState<string>();
  const [runId, setRunId] = useState<string>();

  const preview = async (side: Side): Promise<void> => {
    setBusy((b) => ({ ...b, [side]: true }));
    setErrors((e) => ({ ...e, [side]: undefined }));
    try {
      const form = draft[side];
      const p = await client.call('files.preview', { path: form.path.trim(), side, limit: 12, source: form.delimiter !== '' ? { delimiter: form.delimiter } : {} });
      const next = { ...previewsRef.current, [side]: p };
      previewsRef.current = next;
      setPreviews(next);
      setDraft((d) => {
        const withSource = { ...d, [side]: suggestSource(d[side], p) };
        const other = next[side === 'a' ? 'b' : 'a'];
        const both = side === 'a' ? { a: p, b: other } : { a: other, b: p };
        const name = d.name !== '' ? d.name : both.a && both.b ? `${baseName(withSource.a.path)} vs ${baseName(withSource.b.path)}` : '';
        return both.a && both.b ? { ...withSource, name, rows: suggestRows(both.a, both.b) } : withSource;
      });
    } catch (err) {
      setErrors((e) => ({ ...e, [side]: errorData(err) }));
    } finally {
      setBusy((b) => ({ ...b, [side]: false }));
    }
  };

  const save = async (andRun: boolean): Promise<void> => {
    setBusy((b) => ({ ...b, save: true }));
    setErrors((e) => ({ ...e, save: undefined }));
    try {
      const definition = toDefinition(draft);
      const result = await client.call('definitions.save', { definition });
      setSaved(result.path);
      if (andRun) {
        const started = await client.call('runs.start', { aPath: draft.a.path.trim(), bPath: draft.b.path.trim(), definition });
        setRunId(started.runId);
      }
    } catch (err) {
      setErrors((e) => ({ ...e, save: errorData(err) }));
    } finally {
      setBusy((b) => ({ ...b, save: false }));
    }
  };

  const problems = draftProblems(draft);
  return (
    <section className="screen new-run" aria-labelledby="new-run-title">
      <header className="screen-header">
        <h2 id="new-run-title">New run</h2>
      </header>
      <h3>1 · Sources</h3>
      <div className="two-up">
        {(['a', 'b'] as const).map((side) => (
          <SourceCard
            key={side}
            side={side === 'a' ? 'A' : 'B'}
            form={draft[side]}
            onChange={(form) => setDraft((d) => ({ ...d, [side]: form }))}
            onPreview={() => void preview(side)}
            preview={previews[side]}
            error={errors[side]}
            busy={busy[side] === true}
          />
        ))}
      </div>
      <h3>2 · Columns, key, types and tolerances</h3>
      {draft.rows.length === 0 ? (
        <p className="muted">Preview both files: columns are then matched by name, with types guessed from the values.</p>
      ) : (
        <>
          <MappingTable rows={draft.rows} bColumns={previews.b?.columns ?? []} onChange={(rows) => setDraft((d) => ({ ...d, rows }))} />
          <label className="check">
            <input type="checkbox" checked={draft.trim} onChange={(e) => setDraft((d) => ({ ...d, trim: e.target.checked }))} /> Trim whitespace around every value
          </label>
        </>
      )}
      <h3>3 · Save the definition and run</h3>
      <div className="panel save-run">
        <label className="grow">
          <span>Definition name</span>
          <input id="definition-name" type="text" value={draft.name} onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))} />
        </label>
        <div className="row">
          <button type="button" disabled={problems.length > 0 || busy.save === true} onClick={() => void save(false)}>
            Save definition
          </button>
          <button type="button" className="primary" disabled={problems.length > 0 || busy.save === true || runId !== undefined} onClick={() => void save(true)}>
            Save and run
          </button>
        </div>
        {problems.length > 0 && (
          <ul className="problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        {saved && <p className="muted small">Saved as {saved}</p>}
        {errors.save && <ErrorMessage error={errors.save} />}
      </div>
      {runId && <RunProgress runId={runId} />}
    </section>
  );
}
