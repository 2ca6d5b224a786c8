import type { SourceOptions } from '../definition/schema.ts';
import { loadDelimited, prepareDelimited } from './load-delimited.ts';
import { loadTyped, prepareTyped } from './load-typed.ts';
import { loadXlsx, prepareXlsx } from './load-xlsx.ts';
import { checkContentMatchesFormat, checkInputFile, resolveFormat, sha256File } from './source-file.ts';
import type { QueryEnv } from './db/load-query.ts';
import type { LoadContext, LoadedSource, PreparedSource, Side } from './source-types.ts';

export type { QueryEnv } from './db/load-query.ts';
export { hashSum, uniqueColumnNames, type LoadContext, type LoadedSource, type PreparedSource, type Side } from './source-types.ts';

/**
 * Checks the file, converts it when needed and reads its column names (each format in its own module).
 * A query source (`kind: "query"`) connects and describes its query instead, an HTTP source (`kind: "http"`)
 * reads its first page; `path` is then only its label.
 */
export async function prepareSource(ctx: LoadContext, side: Side, path: string, options: SourceOptions, qenv?: QueryEnv): Promise<PreparedSource> {
  if (options.kind === 'query') {
    // Loaded only for a query source: a file run never loads the database clients.
    const { prepareQuery } = await import('./db/load-query.ts');
    return prepareQuery(ctx, side, options, qenv ?? { workspace: '.' });
  }
  if (options.kind === 'http') {
    const { prepareHttp } = await import('./http/http-source.ts');
    return prepareHttp(ctx, side, options, qenv ?? { workspace: '.' });
  }
  const bytes = await checkInputFile(path, side);
  const format = resolveFormat(path, options);
  await checkContentMatchesFormat(path, side, format, options.format !== undefined);
  const base = { side, originalPath: path, bytes, format, options };
  switch (format) {
    case 'csv':
    case 'tsv':
    case 'txt':
      return prepareDelimited(ctx, base);
    case 'xlsx':
      return prepareXlsx(ctx, base);
    case 'parquet':
    case 'json':
    case 'ndjson':
      return prepareTyped(ctx, base);
  }
}

/** Reads a prepared source into `raw_<side>` with every row accounted for. */
export async function loadSource(ctx: LoadContext, p: PreparedSource): Promise<LoadedSource> {
  if (p.query) return (await import('./db/load-query.ts')).loadQuery(ctx, p);
  if (p.http) return (await import('./http/http-source.ts')).loadHttp(ctx, p);
  let loaded: Omit<LoadedSource, 'file'>;
  switch (p.format) {
    case 'query':
    case 'http':
      throw new Error(`a ${p.format} source was not prepared`);
    case 'csv':
    case 'tsv':
    case 'txt':
      loaded = await loadDelimited(ctx, p, p.dialect!);
      break;
    case 'xlsx':
      loaded = await loadXlsx(ctx, p);
      break;
    case 'parquet':
    case 'json':
    case 'ndjson':
      loaded = await loadTyped(ctx, p);
      break;
  }
  // Assign rather than spread: afterRead() updates the loader's own object.
  return Object.assign(loaded, { file: { path: p.originalPath, bytes: p.bytes, sha256: '', format: p.format } });
}

/**
 * Fills in the source's SHA-256. Apart from loading so that a run can hash
 * (~0.2 s of JavaScript per 100 MB) while DuckDB stages the rows, rather
 * than in the way of the record scan.
 */
export async function fingerprintSource(loaded: LoadedSource): Promise<void> {
  // A query's rows were hashed as they streamed (their canonical form, ingest/db/load-query.ts).
  if (loaded.file.format === 'query' || loaded.file.format === 'http') return;
  loaded.file.sha256 = await sha256File(loaded.file.path);
}
