import { chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ReconError } from '../errors/recon-error.ts';
import { sha256File } from '../ingest/source-file.ts';
import type { Store } from '../store/store.ts';
import { recordExportWritten } from '../workflow/events.ts';
import type { Identity } from '../workflow/identity.ts';
import { excelProfile, machineProfile, writeBreaksCsv } from './csv.ts';
import { decisionReader, NO_DECISIONS, openExistingStore } from './decisions.ts';
import { buildEvidencePack } from './evidence.ts';
import { buildNarrative } from './narrative.ts';
import { renderNarrativeHtml, renderNarrativeMarkdown } from './narrative-render.ts';
import { asWriteError } from './output-path.ts';
import { openFinishedRun } from '../run-file/finished-run.ts';
import { buildSummary } from './summary.ts';
import { renderSummaryText } from './summary-text.ts';
import { EXPORT_FORMATS, type ExportFormat } from './formats.ts';
import { writeBreaksXlsx } from './xlsx.ts';

/**
 * One entry point for every report, for the CLI and the UI alike: open the
 * run read-only, write the file (to a temporary name, renamed when complete,
 * so a cancelled or failed export leaves nothing half-written), then record
 * `export.written` in the audit trail when the workspace has a store.
 */
export { EXPORT_FORMATS, type ExportFormat } from './formats.ts';

export interface ExportRequest {
  workspace: string;
  runId: string;
  format: ExportFormat;
  out: string;
  /** CSV: overrides the profile's delimiter. */
  delimiter?: string;
  /** csv-excel: the locale whose separators to use (default: this process's). */
  locale?: string;
  /** Who exports (for the audit event and the evidence pack). */
  actor: Identity;
  /** An open workspace store (the UI host's); else the CLI opens one if the workspace has it. */
  store?: Store;
}

export interface ExportProgress {
  format: ExportFormat;
  label: string;
  rowsDone: number;
  rowsTotal: number;
  /** 0..1. */
  overall: number;
}

export interface ExportResult {
  format: ExportFormat;
  path: string;
  runId: string;
  /** Breaks written (detailed formats) or summarized. */
  rows: number;
  bytes: number;
  sha256: string;
  /** True when an export.written audit event was recorded. */
  audited: boolean;
}

/** Exports a run in one format. */
export async function exportRun(req: ExportRequest, hooks: { onProgress?: (p: ExportProgress) => void; signal?: AbortSignal } = {}): Promise<ExportResult> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(req.format)) {
    throw new ReconError('INVALID_ARGUMENT', `unknown export format "${String(req.format)}"; use one of ${EXPORT_FORMATS.join(', ')}`);
  }
  const out = resolve(req.out);
  const run = await openFinishedRun(req.workspace, req.runId);
  const ownStore = req.store ? undefined : openExistingStore(run.workspace);
  const store = req.store ?? ownStore;
  const tmp = `${out}.partial-${process.pid}`;
  // A report written into the workspace (exports/ by default) is its owner's only, like the rest of the
  // workspace; one written elsewhere went where a person chose to put it, and keeps the umask's mode.
  const private_ = isInside(run.workspace, out);
  try {
    const decisions = store ? decisionReader(store, run.runId) : NO_DECISIONS;
    const total = run.summary.breaks?.total ?? 0;
    const progress = (label: string, rowsDone: number, overall: number): void =>
      hooks.onProgress?.({ format: req.format, label, rowsDone, rowsTotal: total, overall });
    progress('Reading the run', 0, 0);
    const summary = await buildSummary(run, decisions);
    await mkdir(dirname(out), { recursive: true, ...(private_ ? { mode: 0o700 } : {}) }).catch((err: unknown) => Promise.reject(asWriteError(err, out)));
    const onRows = (n: number): void => progress('Writing breaks', n, total === 0 ? 1 : Math.min(0.99, n / total));
    let rows = summary.breaks.total;
    switch (req.format) {
      case 'summary':
        await writeFile(tmp, out.toLowerCase().endsWith('.json') ? `${JSON.stringify(summary, null, 2)}\n` : renderSummaryText(summary));
        break;
      case 'xlsx':
        rows = await writeBreaksXlsx(run, summary, decisions, tmp, { onRows, ...(hooks.signal ? { signal: hooks.signal } : {}) });
        break;
      case 'csv':
      case 'csv-excel': {
        const profile = req.format === 'csv' ? machineProfile(req.delimiter) : excelProfile(req.locale, req.delimiter);
        rows = await writeBreaksCsv(run, decisions, tmp, profile, { onRows, ...(hooks.signal ? { signal: hooks.signal } : {}) });
        break;
      }
      case 'narrative-md':
      case 'narrative-html': {
        const nv = await buildNarrative(run, summary);
        await writeFile(tmp, req.format === 'narrative-md' ? renderNarrativeMarkdown(nv) : renderNarrativeHtml(nv));
        break;
      }
      case 'evidence': {
        const { text } = await buildEvidencePack(run, summary, { store, actor: req.actor.userId });
        await writeFile(tmp, text);
        break;
      }
    }
    if (private_) await chmod(tmp, 0o600);
    await rename(tmp, out);
    const [bytes, sha256] = [(await stat(out)).size, await sha256File(out)];
    // Recorded after the file is complete, so an evidence pack never contains its own export event.
    if (store) recordExportWritten(store, req.actor, { kind: req.format, path: out, runId: run.runId, sha256, rows });
    progress('Done', rows, 1);
    return { format: req.format, path: out, runId: run.runId, rows, bytes, sha256, audited: store !== undefined };
  } catch (err) {
    await rm(tmp, { force: true });
    // A disk that fills, a folder removed half-way: said as a path problem, never an internal error.
    throw asWriteError(err, out);
  } finally {
    run.close();
    ownStore?.close();
  }
}

/** Whether `path` lies inside the folder `dir` (by path, as both are written). */
function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
