import { createHash } from 'node:crypto';
import type { HttpProvenance } from '../../contract/runs.ts';
import type { SourceOptions } from '../../definition/schema.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { ident } from '../../sql/quote.ts';
import { getAnyConnection, passwordEnvOf } from '../db/connections.ts';
import type { ClassifiedError } from '../db/driver.ts';
import { ROWS_CANONICAL_FORM, type QueryEnv } from '../db/load-query.ts';
import { materialized, uniqueColumnNames, type LoadContext, type LoadedSource, type PreparedSource, type Side } from '../source-types.ts';
import { fetchPage, HttpFailure, type FetchedPage } from './fetch-page.ts';
import { DEFAULT_HTTP_RETRIES, DEFAULT_HTTP_TIMEOUT_SECONDS, fillHeaders, needsSecret, redactUrl, resolveHttpSecret, type HttpConnection } from './http-connection.ts';
import { pageRecords, PageShapeError, type PageRecords } from './page-records.ts';
import { DEFAULT_MAX_PAGES, firstUrl, nextUrl, PaginationError } from './pagination.ts';
import { cellText } from './json-text.ts';

/**
 * An HTTP source: the records of a JSON or NDJSON API, page by page. Each page is
 * fetched, parsed with every number kept as the server wrote it, and appended to
 * the run's DuckDB file before the next is asked for, so only one page is ever
 * held in JavaScript. The definition decides the types: values arrive as text.
 */

/** A whole source may take this long unless its timeoutSeconds says otherwise. */
const DEFAULT_SOURCE_TIMEOUT_SECONDS = 3600;

export interface PreparedHttp {
  where: string;
  connection: HttpConnection | undefined;
  first: string;
  headers: Record<string, string>;
  timeoutMs: number;
  retries: number;
  deadline: number;
  startedAt: Date;
  /** The first page, read to learn the columns: loaded first. */
  firstPage: FetchedPage;
  firstRecords: PageRecords;
  secretOrigin: string;
  /** The record members read, as the API names them (a column may be renamed to keep names unique). */
  members: string[];
}

export function httpLabel(source: SourceOptions): string {
  return source.connection !== undefined ? `http:${source.connection}` : `http:${redactUrl(source.url!)}`;
}

export async function prepareHttp(ctx: LoadContext, side: Side, source: SourceOptions, qenv: QueryEnv): Promise<PreparedSource> {
  const startedAt = new Date();
  let connection: HttpConnection | undefined;
  let base: string;
  if (source.connection !== undefined) {
    const c = await getAnyConnection(qenv.workspace, source.connection);
    if (c.driver !== 'http') throw new ReconError('SOURCE_NOT_CONFIGURED', `sources.${side}: connection "${c.name}" is a ${c.driver} database; an HTTP source needs an HTTP connection (--driver http)`);
    connection = c;
    base = joinUrl(c.baseUrl, source.path ?? '');
  } else {
    base = joinUrl(source.url!, source.path ?? '');
  }
  const u = new URL(base);
  for (const [k, v] of Object.entries(source.params ?? {})) if (v !== null) u.searchParams.set(k, String(v));
  const where = `source ${side.toUpperCase()} (${connection ? `HTTP connection "${connection.name}", ` : ''}${redactUrl(u.toString())})`;
  if (source.response === 'ndjson' && (source.pagination?.kind === 'cursor' || (source.pagination?.kind === 'link' && source.pagination.next !== undefined))) {
    throw new ReconError('DEFINITION_INVALID', `sources.${side}: an NDJSON body has no cursor or next link to point at; use the Link header or page numbers`);
  }
  const { headers, secretOrigin } = connection ? await connectionHeaders(connection, where, qenv) : { headers: {}, secretOrigin: 'none' };
  const prep = {
    where,
    connection,
    first: firstUrl(u.toString(), source.pagination),
    headers,
    timeoutMs: (connection?.timeoutSeconds ?? DEFAULT_HTTP_TIMEOUT_SECONDS) * 1000,
    retries: connection?.retries ?? DEFAULT_HTTP_RETRIES,
    deadline: startedAt.getTime() + (source.timeoutSeconds ?? DEFAULT_SOURCE_TIMEOUT_SECONDS) * 1000,
    startedAt,
    secretOrigin,
  };
  const firstPage = await getPage(prep, prep.first, 1, ctx.signal);
  const firstRecords = parsePage(prep, source, firstPage, 1);
  let names = source.columns;
  if (names === undefined) {
    const seen = new Set<string>();
    for (const r of firstRecords.records) for (const k of r.keys()) seen.add(k);
    if (seen.size === 0) throw new ReconError('SOURCE_QUERY_FAILED', `${where}: the first page has no records to learn the columns from; list them in the source's "columns"`);
    names = [...seen];
  }
  const { names: columns, warnings } = uniqueColumnNames(names);
  return {
    side,
    originalPath: httpLabel(source),
    bytes: 0,
    format: 'http',
    options: source,
    readPath: httpLabel(source),
    columns,
    warnings: warnings.map((w) => w.replace('header cell', 'record member').replace(/^header/, 'record member')),
    dialect: undefined,
    xlsx: undefined,
    http: { ...prep, firstPage, firstRecords, members: names },
  };
}

/**
 * The headers an HTTP connection sends, `{secret}` filled from its environment
 * variable or the OS keychain (loaded only when a header needs the secret), and
 * where the secret came from ("none" when no header needs one).
 */
export async function connectionHeaders(connection: HttpConnection, where: string, qenv: QueryEnv): Promise<{ headers: Record<string, string>; secretOrigin: string }> {
  if (!needsSecret(connection.headers)) return { headers: { ...connection.headers }, secretOrigin: 'none' };
  const envName = passwordEnvOf(connection.name);
  const env = qenv.env ?? process.env;
  const keychain = env[envName] ? undefined : (qenv.keychain ?? (await import('../../sync/credentials.ts')).osKeychain());
  const s = resolveHttpSecret(connection, envName, env, keychain);
  if (s.secret === undefined) {
    throw new ReconError(
      'SOURCE_AUTH_FAILED',
      `${where}: a header needs {secret} and none was found: store it with \`recon source set-password ${connection.name}\`, or set $${envName}${s.keychainError ? ` (keychain: ${s.keychainError})` : ''}`,
    );
  }
  return { headers: fillHeaders(connection.headers, s.secret), secretOrigin: s.origin };
}

/** Reads every page into `raw_<side>`, hashing the rows in the canonical form as they go. */
export async function loadHttp(ctx: LoadContext, p: PreparedSource): Promise<LoadedSource> {
  const h = p.http!;
  const source = p.options;
  const raw = `raw_${p.side}`;
  await ctx.conn.run(`CREATE OR REPLACE TEMP TABLE ${raw} (${p.columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`);
  const appender = await ctx.conn.createAppender(raw, null, 'temp');
  const hash = createHash('sha256');
  let bytes = 0;
  const write = (line: string): void => {
    const buf = Buffer.from(`${line}\n`, 'utf8');
    bytes += buf.length;
    hash.update(buf);
  };
  write(JSON.stringify(p.columns));
  const members = h.members;
  const known = new Set(members);
  const extra = new Set<string>();
  let rows = 0;
  let pages = 0;
  const maxPages = source.pagination?.maxPages ?? DEFAULT_MAX_PAGES;
  try {
    let page: FetchedPage | null = h.firstPage;
    let recs: PageRecords = h.firstRecords;
    let requested = h.first;
    while (page) {
      pages++;
      for (const r of recs.records) {
        const row = members.map((m) => cellText(r.get(m) ?? null));
        for (const v of row) {
          if (v === null) appender.appendNull();
          else appender.appendVarchar(v);
        }
        appender.endRow();
        write(JSON.stringify(row));
        for (const k of r.keys()) if (!known.has(k)) extra.add(k);
        rows++;
      }
      appender.flushSync();
      ctx.onProgress?.({ fraction: undefined, rowsDone: rows, rowsTotal: undefined });
      if (ctx.signal?.aborted) throw new ReconError('RUN_CANCELLED', 'run was cancelled');
      let next: string | null;
      try {
        next = nextUrl(h.first, source.pagination, { requested, url: page.url, link: page.link, doc: recs.doc, records: recs.records.length, index: pages - 1 });
      } catch (err) {
        if (err instanceof PaginationError) throw new ReconError('SOURCE_QUERY_FAILED', `${h.where}: page ${pages}: ${err.message}`);
        throw err;
      }
      if (next === null) break;
      if (pages >= maxPages) throw new ReconError('SOURCE_QUERY_FAILED', `${h.where}: more than ${maxPages} pages (pagination.maxPages); nothing of this run is kept`);
      requested = next;
      // The page just appended is let go before the next is read: one page in memory at a time.
      page = null;
      page = await getPage(h, next, pages + 1, ctx.signal);
      recs = parsePage(h, source, page, pages + 1);
    }
  } finally {
    try {
      appender.closeSync();
    } catch {
      // already failed: the run is being abandoned, and its file removed
    }
  }
  const sha256 = hash.digest('hex');
  const provenance: HttpProvenance = {
    ...(h.connection ? { connection: h.connection.name } : {}),
    url: redactUrl(h.first),
    headers: Object.keys(h.headers),
    response: source.response ?? 'json',
    ...(source.response !== 'ndjson' ? { records: source.records ?? '' } : {}),
    pagination: source.pagination?.kind ?? 'none',
    pages,
    startedAt: h.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    rows,
    rowsSha256: sha256,
    canonicalForm: ROWS_CANONICAL_FORM.replace('the query returned them', 'the API returned them').replace('as the database wrote them as text', 'as text (JSON strings decoded, numbers as written, nested values as compact JSON)'),
    columns: p.columns,
  };
  return {
    side: p.side,
    file: { path: p.originalPath, bytes, sha256, format: 'http', http: provenance },
    ...materialized(p.side, raw),
    columns: p.columns,
    sourceRecords: rows,
    structuralRejects: 0,
    blankRows: 0,
    lineLabel: 'row',
    warnings: [
      ...p.warnings,
      ...(rows === 0 ? [`the API returned no records`] : []),
      ...(extra.size > 0 ? [`records have members not among the columns (${[...extra].slice(0, 10).join(', ')}); they were not read — list them in "columns" to read them`] : []),
    ],
    async locate(rowids) {
      return new Map(rowids.map((r) => [r, r + 1]));
    },
    async lineOffsets(n) {
      return n > 0 ? [0, 1] : [];
    },
  };
}

const WHAT: Record<ClassifiedError['code'], string> = {
  SOURCE_AUTH_FAILED: 'the server refused the credentials',
  SOURCE_UNREACHABLE: 'could not connect',
  SOURCE_QUERY_FAILED: 'the request failed',
  SOURCE_TIMEOUT: 'timed out',
  SOURCE_CONNECTION_LOST: 'the connection was lost while a page was read; nothing of this run is kept',
};

async function getPage(h: Omit<PreparedHttp, 'firstPage' | 'firstRecords' | 'members'>, url: string, page: number, signal: AbortSignal | undefined): Promise<FetchedPage> {
  try {
    return await fetchPage({ url, headers: h.headers, timeoutMs: h.timeoutMs, deadline: h.deadline, retries: h.retries, ...(signal ? { signal } : {}) });
  } catch (err) {
    if (!(err instanceof HttpFailure)) throw err;
    if (err.c.code === 'RUN_CANCELLED') throw new ReconError('RUN_CANCELLED', 'run was cancelled');
    const hint = err.c.code === 'SOURCE_AUTH_FAILED' ? ` (${h.secretOrigin === 'none' ? 'no secret was sent' : `secret from ${h.secretOrigin}`})` : '';
    throw new ReconError(err.c.code, `${h.where}: page ${page}: ${WHAT[err.c.code]}: ${err.c.message}${hint}`);
  }
}

function parsePage(h: { where: string }, source: SourceOptions, page: FetchedPage, n: number): PageRecords {
  try {
    return pageRecords(page.body, source.response ?? 'json', source.records ?? '', n);
  } catch (err) {
    if (err instanceof PageShapeError) throw new ReconError('SOURCE_QUERY_FAILED', `${h.where}: ${err.message}`);
    throw err;
  }
}

/** A base URL and a path: "https://x/api" + "/trades" → "https://x/api/trades" (query strings of either kept). */
export function joinUrl(base: string, path: string): string {
  if (path === '') return base;
  const u = new URL(base);
  const [p, q] = path.split('?', 2) as [string, string | undefined];
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${p.replace(/^\/+/, '')}`;
  if (q) for (const [k, v] of new URLSearchParams(q)) u.searchParams.set(k, v);
  return u.toString();
}
