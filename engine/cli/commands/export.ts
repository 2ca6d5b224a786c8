import { parseArgs } from 'node:util';
import { ReconError } from '../../errors/recon-error.ts';
import { EXPORT_FORMATS, exportRun, type ExportFormat } from '../../report/export.ts';
import { currentUser } from '../../workflow/identity.ts';
import { resolveWorkspace } from '../workspace.ts';

export const EXPORT_USAGE = `recon export RUN --format FORMAT --out FILE [--workspace DIR] [--delimiter C] [--locale L] [--json]

Writes a report of a finished run (RUN = run id; the run is <workspace>/runs/RUN.duckdb):
  summary         counts, checks, the quality gate, breaks by reason and field, largest
                  differences (text; JSON when FILE ends in .json)
  xlsx            Summary sheet + every break (streamed; frozen header, filters, number formats)
  csv             every break for programs: UTF-8, no BOM, comma
  csv-excel       every break for Excel: UTF-8 with BOM, the locale's delimiter (";" where the
                  decimal separator is ","; --locale de-DE, or --delimiter)
  narrative-md    the run in plain words, each claim footnoted with its break ids
  narrative-html  the same as a standalone HTML page
  evidence        a signed JSON evidence pack (check it with "recon evidence verify")
Cells that start with = + - @ tab or CR are prefixed with ' in both CSV profiles; only the
csv profile lets our own strictly numeric columns (break id, delta, confidence) through as is.
Exit code 0 on success, 2 for a missing run or a bad format.`;

/** `recon export`: one report of one run, recorded in the audit trail when the workspace has a store. */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      workspace: { type: 'string' },
      delimiter: { type: 'string' },
      locale: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const runId = positionals[0];
  if (!runId || positionals.length > 1 || !values.format || !values.out) {
    process.stderr.write(`missing ${!runId ? 'RUN' : !values.format ? '--format' : '--out'}${positionals.length > 1 ? ' (one run at a time)' : ''}\n\n${EXPORT_USAGE}\n`);
    return 2;
  }
  if (!(EXPORT_FORMATS as readonly string[]).includes(values.format)) {
    throw new ReconError('INVALID_ARGUMENT', `unknown format "${values.format}"; use one of ${EXPORT_FORMATS.join(', ')}`);
  }
  if (values.delimiter !== undefined && (values.delimiter.length !== 1 || /["\r\n]/.test(values.delimiter))) {
    throw new ReconError('INVALID_ARGUMENT', `--delimiter must be one character other than a quote or line break, got ${JSON.stringify(values.delimiter)}`);
  }
  if (values.locale !== undefined) {
    try {
      new Intl.NumberFormat(values.locale);
    } catch {
      throw new ReconError('INVALID_ARGUMENT', `--locale "${values.locale}" is not a locale (e.g. en-US, de-DE)`);
    }
  }
  const result = await exportRun({
    workspace: resolveWorkspace(values.workspace),
    runId,
    format: values.format as ExportFormat,
    out: values.out,
    actor: currentUser(),
    ...(values.delimiter !== undefined ? { delimiter: values.delimiter } : {}),
    ...(values.locale !== undefined ? { locale: values.locale } : {}),
  });
  process.stdout.write(
    values.json
      ? `${JSON.stringify(result)}\n`
      : `wrote ${result.format} of run ${result.runId} to ${result.path} (${result.rows.toLocaleString('en-US')} breaks, ${result.bytes.toLocaleString('en-US')} bytes, sha256 ${result.sha256.slice(0, 16)}…)${result.audited ? '' : ' — no workspace store, not audited'}\n`,
  );
  return 0;
}
