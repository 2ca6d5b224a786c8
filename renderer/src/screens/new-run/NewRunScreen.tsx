import { useEffect, useRef, useState } from 'react';
import type { DefinitionInput, ErrorData, FilePreview } from '../../../../engine/contract/index.ts';
import { errorData } from '../../bridge/client.ts';
import { useClient } from '../../bridge/use-client.ts';
import { useTask } from '../../bridge/use-task.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { pathRefusal } from '../../components/path-refusal.ts';
import { acceptRule, chooseDateFormat, draftProblems, emptyDraft, fromInference, fromSaved, plainRows, sourceOptions, toDefinition, withPreview, type Draft } from './draft.ts';
import { DefinitionFilePanel } from './DefinitionFilePanel.tsx';
import { FxRatesEditor } from './FxRatesEditor.tsx';
import { SavedDefinitionPicker } from './SavedDefinitionPicker.tsx';
import { InferencePanel } from './InferencePanel.tsx';
import { MappingTable } from './MappingTable.tsx';
import { RunProgress } from './RunProgress.tsx';
import { SourceCard } from './SourceCard.tsx';
import './new-run.css';

type Side = 'a' | 'b';

/**
 * New run: pick and preview both files; the engine then proposes the whole
 * definition (definitions.infer, on the host's task worker) and the form is
 * pre-filled with it, each suggestion with its confidence and reason; the
 * person confirms or changes it, saves the definition and runs. Or start from
 * a saved definition (or, with `fromRun`, a run's definition and files: "Run
 * again") and give today's files.
 */
export function NewRunScreen({ fromRun }: { fromRun?: string } = {}) {
  const client = useClient();
  const [draft, setDraftState] = useState<Draft>(emptyDraft);
  // Previews and inference finish asynchronously; the refs always hold the latest state.
  const draftRef = useRef(draft);
  const setDraft = (next: Draft | ((d: Draft) => Draft)): void => {
    draftRef.current = typeof next === 'function' ? next(draftRef.current) : next;
    setDraftState(draftRef.current);
  };
  const [previews, setPreviews] = useState<Partial<Record<Side, FilePreview>>>({});
  const previewsRef = useRef(previews);
  const [errors, setErrors] = useState<Partial<Record<Side | 'save', ErrorData>>>({});
  const [busy, setBusy] = useState<Partial<Record<Side | 'save', boolean>>>({});
  const [saved, setSaved] = useState<string>();
  const [runId, setRunId] = useState<string>();
  // The started run, while it runs: "Save and run" waits for it, and is offered again once it failed or was cancelled.
  const [running, setRunning] = useState(false);
  // The columns a failed run named (COLUMN_NOT_FOUND lists the file's columns), until the file is previewed.
  const [namedColumns, setNamedColumns] = useState<Partial<Record<Side, string[]>>>({});
  const [answers, setAnswers] = useState<Record<string, string>>({});
  // Bumped when inference replaces the rows, so the mapping table's inputs start afresh.
  const [generation, setGeneration] = useState(0);
  const inferredFor = useRef('');
  const infer = useTask((taskId, aPath: string, bPath: string) => client.call('definitions.infer', { aPath, bPath, taskId }));
  const [startError, setStartError] = useState<ErrorData>();

  const startFrom = (definition: DefinitionInput, paths?: { a: string; b: string }): void => {
    setGeneration((g) => g + 1);
    setDraft((d) => {
      const withPaths = paths ? { ...d, a: { ...d.a, path: paths.a }, b: { ...d.b, path: paths.b } } : d;
      return fromSaved(withPaths, definition, previewsRef.current.a?.columns ?? null);
    });
  };

  // "Run again": that run's definition, and its files as a starting point for today's.
  useEffect(() => {
    if (fromRun === undefined) return;
    client.call('runs.get', { runId: fromRun }).then(
      (r) =>
        r.definition === null
          ? setStartError({ code: 'DEFINITION_INVALID', message: `run ${fromRun} recorded no definition this version can read` })
          : startFrom(r.definition, { a: r.summary.inputs.a.path, b: r.summary.inputs.b.path }),
      (err: unknown) => setStartError(errorData(err)),
    );
    // Once per screen (Screen keys it by the run): startFrom only sets state.
  }, [fromRun]);

  const suggest = async (): Promise<void> => {
    const aPath = draftRef.current.a.path.trim();
    const bPath = draftRef.current.b.path.trim();
    inferredFor.current = `${aPath}\n${bPath}`;
    const result = await infer.run(aPath, bPath);
    if (inferredFor.current !== `${aPath}\n${bPath}`) return;
    const { a, b } = previewsRef.current;
    if (!result) {
      // Inference failed or was cancelled: the plain name-based mapping still lets a person build the definition.
      if (draftRef.current.rows.length === 0 && a && b) setDraft((d) => ({ ...d, rows: plainRows(a, b) }));
      return;
    }
    setAnswers({});
    setGeneration((g) => g + 1);
    setDraft((d) => fromInference(d, result.definition, result.report));
  };

  const preview = async (side: Side): Promise<void> => {
    setBusy((b) => ({ ...b, [side]: true }));
    setErrors((e) => ({ ...e, [side]: undefined }));
    try {
      const form = draftRef.current[side];
      // A query or HTTP side has no file: its first rows come from the host, the query under a LIMIT or the API's first page.
      const p =
        form.kind === 'file'
          ? await client.call('files.preview', { path: form.path.trim(), side, limit: 12, source: form.delimiter !== '' ? { delimiter: form.delimiter } : {} })
          : await client.call('connections.preview', { side, limit: 12, source: sourceOptions(form) });
      const next = { ...previewsRef.current, [side]: p };
      previewsRef.current = next;
      setPreviews(next);
      setDraft((d) => ({ ...d, [side]: withPreview(d[side], p) }));
      const { a: fa, b: fb } = draftRef.current;
      if (next.a && next.b && draftRef.current.origin !== 'saved') {
        if (fa.kind === 'file' && fb.kind === 'file') {
          const pair = `${fa.path.trim()}\n${fb.path.trim()}`;
          // A saved definition stays as it is: inference runs only when asked (Suggest).
          if (pair !== inferredFor.current) void suggest();
        } else {
          // Inference samples files only: a query or HTTP side is mapped by column names, as for a saved definition
          // (the run types a query's columns as the database declares them, where the form leaves them text).
          const { a, b } = next;
          setGeneration((g) => g + 1);
          setDraft((d) => ({ ...d, rows: plainRows(a, b) }));
        }
      }
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
      setSaved(`${result.name}, version ${result.version}`);
      if (andRun) {
        // A query or HTTP side takes no path: it reads through its saved connection.
        const paths = { ...(draft.a.kind === 'file' ? { aPath: draft.a.path.trim() } : {}), ...(draft.b.kind === 'file' ? { bPath: draft.b.path.trim() } : {}) };
        const started = await client.call('runs.start', { ...paths, definition });
        setRunning(true);
        setRunId(started.runId);
      }
    } catch (err) {
      const error = errorData(err);
      // A source the desktop app refused to read (typed, not picked): said in that source's card too, beside its Browse….
      const arg = pathRefusal(error)?.arg;
      const side = arg === 'aPath' ? 'a' : arg === 'bPath' ? 'b' : undefined;
      setErrors((e) => ({ ...e, save: error, ...(side !== undefined ? { [side]: error } : {}) }));
    } finally {
      setBusy((b) => ({ ...b, save: false }));
    }
  };

  const known = { a: previews.a?.columns ?? namedColumns.a, b: previews.b?.columns ?? namedColumns.b };
  const problems = draftProblems(draft, known);
  const onRunFinished = (_status: string, error: ErrorData | null): void => {
    setRunning(false);
    const d = error?.details ?? {};
    if (error?.code === 'COLUMN_NOT_FOUND' && (d['side'] === 'a' || d['side'] === 'b') && Array.isArray(d['columns'])) {
      const side = d['side'];
      setNamedColumns((c) => ({ ...c, [side]: (d['columns'] as unknown[]).map(String) }));
    }
  };
  // Inference reads samples of two files; a query or HTTP side is mapped by its columns' names.
  const bothPaths = draft.a.kind === 'file' && draft.b.kind === 'file' && draft.a.path.trim() !== '' && draft.b.path.trim() !== '';
  return (
    <section className="screen new-run" aria-labelledby="new-run-title">
      <header className="screen-header">
        <h2 id="new-run-title">New run</h2>
      </header>
      <SavedDefinitionPicker
        onPick={(definition) => startFrom(definition)}
        onError={setStartError}
        {...(fromRun !== undefined ? { note: `Started from run ${fromRun}: its definition and files. Give today's files and run.` } : {})}
      />
      {startError && <ErrorMessage error={startError} onDismiss={() => setStartError(undefined)} />}
      <DefinitionFilePanel current={() => toDefinition(draftRef.current)} onImport={(definition) => startFrom(definition)} />
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
      <h3>2 · Suggested set-up</h3>
      <InferencePanel
        report={draft.report}
        progress={infer.progress}
        error={infer.error}
        rules={draft.rules}
        definitionName={draft.name}
        answers={answers}
        canSuggest={bothPaths}
        onSuggest={() => void suggest()}
        onCancel={infer.cancel}
        onRule={(i, accepted) => setDraft((d) => acceptRule(d, i, accepted))}
        onAnswer={(q, option) => {
          if (q.field === undefined || q.side === undefined) return;
          const { field, side } = q;
          setAnswers((a) => ({ ...a, [`${field}/${side}`]: option }));
          setDraft((d) => ({ ...d, rows: chooseDateFormat(d.rows, field, side, option) }));
        }}
      />
      <h3>3 · Columns, key, types and tolerances</h3>
      {draft.rows.length === 0 ? (
        <p className="muted">Preview both files, or import a definition file: the columns are then matched from their names and values, with types, key and value maps suggested.</p>
      ) : (
        <>
          <MappingTable
            key={generation}
            rows={draft.rows}
            bColumns={previews.b?.columns ?? namedColumns.b ?? draft.report?.files.b.columns ?? [...new Set(draft.rows.flatMap((r) => (r.b === null ? [] : [r.b])))]}
            known={known}
            onChange={(rows) => setDraft((d) => ({ ...d, rows }))}
          />
          <label className="check">
            <input type="checkbox" checked={draft.trim} onChange={(e) => setDraft((d) => ({ ...d, trim: e.target.checked }))} /> Trim whitespace around every value
          </label>
        </>
      )}
      <h4>FX rates for attribution</h4>
      <FxRatesEditor rates={draft.fxRates} onChange={(fxRates) => setDraft((d) => ({ ...d, fxRates }))} />
      <h3>4 · Save the definition and run</h3>
      <div className="panel save-run">
        <label className="grow">
          <span>Definition name</span>
          <input id="definition-name" type="text" value={draft.name} onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))} />
        </label>
        <div className="row">
          <button type="button" disabled={problems.length > 0 || busy.save === true} onClick={() => void save(false)}>
            Save definition
          </button>
          <button type="button" className="primary" disabled={problems.length > 0 || busy.save === true || running || infer.busy} onClick={() => void save(true)}>
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
      {runId && <RunProgress key={runId} runId={runId} onFinished={onRunFinished} />}
    </section>
  );
}
