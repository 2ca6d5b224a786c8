import { ReconError } from '../../errors/recon-error.ts';
import { getAnyConnection } from '../db/connections.ts';
import type { QueryEnv } from '../db/load-query.ts';
import { fetchPage, HttpFailure } from './fetch-page.ts';
import { redactUrl, type HttpConnection } from './http-connection.ts';
import { connectionHeaders, joinUrl } from './http-source.ts';

/**
 * `recon source test NAME` for an HTTP connection: one GET of its base URL (or
 * of `path` under it) with the connection's headers, the secret filled in. An
 * API has no request that always answers, so the user may name the one to try;
 * what it proves is that the host answers, over TLS where the URL says https,
 * and takes the credentials (a 401/403 is SOURCE_AUTH_FAILED).
 */
export interface HttpProbe {
  connection: HttpConnection;
  /** The URL asked, secrets redacted. */
  url: string;
  bytes: number;
  ms: number;
  secretFrom: string;
}

export async function testHttpConnection(qenv: QueryEnv, name: string, path = ''): Promise<HttpProbe> {
  const t0 = performance.now();
  const connection = await getAnyConnection(qenv.workspace, name);
  if (connection.driver !== 'http') throw new ReconError('INVALID_ARGUMENT', `connection "${name}" is a ${connection.driver} database, not an HTTP connection`);
  let url: string;
  try {
    url = joinUrl(connection.baseUrl, path);
  } catch {
    throw new ReconError('INVALID_ARGUMENT', `--path ${JSON.stringify(path)}: not a path under ${connection.baseUrl}`);
  }
  const where = `HTTP connection "${connection.name}" (${redactUrl(url)})`;
  const { headers, secretOrigin } = await connectionHeaders(connection, where, qenv);
  const timeoutMs = connection.timeoutSeconds * 1000;
  try {
    // No retries: a probe reports what the server says now.
    const page = await fetchPage({ url, headers, timeoutMs, deadline: Date.now() + timeoutMs, retries: 0 });
    return { connection, url: redactUrl(page.url), bytes: page.bytes, ms: Math.round(performance.now() - t0), secretFrom: secretOrigin };
  } catch (err) {
    if (!(err instanceof HttpFailure) || err.c.code === 'RUN_CANCELLED') throw err;
    const hint = err.c.code === 'SOURCE_AUTH_FAILED' ? ` (${secretOrigin === 'none' ? 'no secret was sent' : `secret from ${secretOrigin}`})` : '';
    throw new ReconError(err.c.code, `${where}: ${err.c.message}${hint}`);
  }
}
