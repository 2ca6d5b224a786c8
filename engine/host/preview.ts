/**
 * files.preview: the first rows of a source file, read the way a run reads it
 * (the same prepareSource: format, encoding, delimiter, header, XLSX), but
 * with a LIMIT in an in-memory DuckDB, so a huge file previews at once. An XLSX is still
 * converted whole, within the same limits as a run (ingest/convert/xlsx-limits.ts); the
 * scratch folder goes whatever happens.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FilePreview } from '../contract/index.ts';
import type { SourceOptions } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { clipText } from '../errors/quote.ts';
import { ReconError } from '../errors/recon-error.ts';
import { prepareSource, type PreparedSource } from '../ingest/load-source.ts';
import { jsonTextRelation, parquetRelation } from '../ingest/load-typed.ts';
import { ident, literal } from '../sql/quote.ts';

export interface PreviewRequest {
  path: string;
  side: 'a' | 'b';
  source: SourceOptions;
  limit: number;
}

/** Columns and first rows of a file, every value as text. */
export async function previewFile(workspace: string, req: PreviewRequest): Promise<FilePreview> {
  // files.preview reads a file the person picked (its path is checked by the host's path policy);
  // a query or HTTP source previews through connections.preview, on the workspace's saved connections only.
  if (req.source.kind === 'http' || req.source.kind === 'query') {
    throw new ReconError('INVALID_ARGUMENT', `source ${req.side.toUpperCase()} is ${req.source.kind === 'query' ? 'a query' : 'an HTTP'} source; files.preview previews files (connections.preview previews it)`);
  }
  const tmp = join(workspace, 'tmp');
  await mkdir(tmp, { recursive: true, mode: 0o700 });
  const scratchDir = await mkdtemp(join(tmp, 'preview-'));
  const db = await openDuckDB({ path: ':memory:', memoryLimit: '512MB', tempDirectory: scratchDir });
  try {
    const prepared = await prepareSource({ conn: db.connection, scratchDir }, req.side, req.path, req.source);
    const scan = scanSql(prepared);
    const names = prepared.columns;
    const select = names.map((n, i) => `CAST(${ident(n)} AS VARCHAR) AS c${i}`).join(', ');
    // JSON values as a run reads them: a string's value, not its JSON text with quotes (ingest/load-typed.ts).
    const relation =
      prepared.format === 'json' || prepared.format === 'ndjson'
        ? jsonTextRelation(prepared.readPath, prepared.format, prepared.jsonMembers ?? names, (_, i) => `c${i}`)
        : `(SELECT ${select} FROM ${scan})`;
    let rows: Record<string, string | null>[];
    try {
      rows = await queryRows<Record<string, string | null>>(db.connection, `SELECT * FROM ${relation} LIMIT ${Math.trunc(req.limit)}`);
    } catch (err) {
      // DuckDB's message can quote the offending line: cut it short.
      throw new ReconError('INPUT_PARSE_ERROR', `${req.path}: cannot preview as ${prepared.format}: ${clipText(firstLine((err as Error).message))}`, {
        file: req.path,
        side: req.side,
      });
    }
    return {
      path: req.path,
      format: prepared.format,
      bytes: prepared.bytes,
      delimiter: prepared.dialect?.delimiter ?? null,
      columns: names,
      rows: rows.map((r) => names.map((_, i) => r[`c${i}`] ?? null)),
      warnings: prepared.warnings,
    };
  } finally {
    db.close();
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/** The table function that reads a prepared source leniently (a preview shows what it can). */
function scanSql(p: PreparedSource): string {
  const varchar = (cols: readonly string[]): string => `{${cols.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`;
  switch (p.format) {
    case 'query':
    case 'http':
      throw new ReconError('INVALID_ARGUMENT', `a ${p.format} source has no file preview`);
    case 'csv':
    case 'tsv':
    case 'txt': {
      const d = p.dialect!;
      return `read_csv(${literal(p.readPath)}, columns = ${varchar(p.columns)}, header = ${d.header}, skip = ${d.skipRows},
                delim = ${literal(d.delimiter)}, quote = ${literal(d.quote)}, escape = ${literal(d.escape)},
                auto_detect = false, strict_mode = false, null_padding = true, ignore_errors = true, all_varchar = true)`;
    }
    case 'xlsx':
      return `read_csv(${literal(p.readPath)}, columns = {'__line': 'BIGINT', ${varchar(p.columns).slice(1)}, header = true,
                delim = ',', quote = '"', escape = '"', auto_detect = false)`;
    case 'parquet':
      return parquetRelation(p.readPath, p.columns);
    case 'json':
    case 'ndjson':
      return `read_json(${literal(p.readPath)}, format = ${literal(p.format === 'ndjson' ? 'newline_delimited' : 'auto')}, records = true)`;
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
