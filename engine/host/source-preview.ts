/**
 * connections.preview: the first rows of a query or HTTP source, read the way a
 * run reads them (the same prepare step: the saved connection, the password from
 * the environment or the host's keychain, the bound :name parameters, the columns
 * and their database types), but bounded: a query runs under a LIMIT, an HTTP
 * source shows records of its first page only. Nothing is written anywhere.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourcePreview } from '../contract/index.ts';
import type { SourceOptions } from '../definition/schema.ts';
import { openDuckDB } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { QueryEnv } from '../ingest/db/load-query.ts';
import { cellText } from '../ingest/http/json-text.ts';
import { prepareSource } from '../ingest/load-source.ts';

/** A preview waits at most this long for its rows (a run waits the query's own timeout). */
export const PREVIEW_TIMEOUT_SECONDS = 60;

export interface SourcePreviewRequest {
  side: 'a' | 'b';
  source: SourceOptions;
  limit: number;
}

/** Columns, their database types and the first rows of a query or HTTP source on a saved connection. */
export async function previewSource(qenv: QueryEnv, req: SourcePreviewRequest): Promise<SourcePreview> {
  const { source, side } = req;
  const S = side.toUpperCase();
  if (source.kind !== 'query' && source.kind !== 'http') throw new ReconError('INVALID_ARGUMENT', `source ${S} is a file: preview it with files.preview`, { side });
  // As for runs.start: only connections an admin saved, never a URL a page names.
  if (source.connection === undefined) {
    throw new ReconError('INVALID_ARGUMENT', `source ${S} names no connection; the app reads ${source.kind === 'query' ? 'queries' : 'HTTP sources'} only through a connection saved in Settings → Connections`, { side });
  }
  const limit = Math.max(1, Math.trunc(req.limit));
  const tmp = join(qenv.workspace, 'tmp');
  await mkdir(tmp, { recursive: true, mode: 0o700 });
  const scratchDir = await mkdtemp(join(tmp, 'preview-'));
  // The prepare step takes a DuckDB connection (a file source converts into it); a query or HTTP source does not use it.
  const db = await openDuckDB({ path: ':memory:', memoryLimit: '64MB', tempDirectory: scratchDir });
  try {
    const p = await prepareSource({ conn: db.connection, scratchDir }, side, '', source, qenv);
    try {
      if (p.query) {
        const q = p.query;
        const rows: (string | null)[][] = [];
        // The query under a LIMIT, as the drivers describe it: the server stops after `limit` rows.
        // The newline ends a trailing "-- comment" of the query before the closing parenthesis.
        const limited = { text: `SELECT * FROM (${q.bound.text}\n) AS recon_query LIMIT ${limit}`, values: q.bound.values };
        const seconds = Math.min(PREVIEW_TIMEOUT_SECONDS, q.timeoutSeconds);
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          q.session.destroy();
        }, seconds * 1000);
        try {
          for await (const batch of q.session.stream(limited, limit)) {
            rows.push(...batch.slice(0, limit - rows.length));
            if (rows.length >= limit) break;
          }
        } catch (err) {
          const c = timedOut ? { code: 'SOURCE_TIMEOUT' as const, message: `no rows within ${seconds} s` } : q.driver.classify(err, 'stream');
          throw new ReconError(c.code, `source ${S} (connection "${q.connection.name}"): the preview query failed: ${(c.message.split('\n')[0] ?? '').slice(0, 500)}`, { side, connection: q.connection.name });
        } finally {
          clearTimeout(timer);
        }
        return {
          path: p.originalPath,
          format: 'query',
          bytes: 0,
          delimiter: null,
          columns: p.columns,
          rows,
          warnings: p.warnings,
          dbTypes: q.columns.map((c) => c.dbType),
        };
      }
      const h = p.http!;
      const rows = h.firstRecords.records.slice(0, limit).map((r) => h.members.map((m) => cellText(r.get(m) ?? null)));
      return {
        path: p.originalPath,
        format: 'http',
        bytes: h.firstPage.bytes,
        delimiter: null,
        columns: p.columns,
        rows,
        warnings: p.warnings,
        dbTypes: p.columns.map(() => null),
      };
    } finally {
      p.release?.();
    }
  } finally {
    db.close();
    await rm(scratchDir, { recursive: true, force: true });
  }
}
