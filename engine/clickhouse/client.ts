import { createReadStream, createWriteStream } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { ReconError } from '../errors/recon-error.ts';

/**
 * ClickHouse over its HTTP interface (port 8123 by default), with Node's own
 * http: the statement in the body or the query string, settings as URL
 * parameters, a file streamed up for an INSERT and a result streamed down to a
 * file, never held in JavaScript. Every failure is a CLUSTER_* error naming the
 * node, so `recon run` exits 2 with a message instead of a stack trace.
 */
export interface ClickHouseNode {
  /** http(s)://host:port, without credentials. */
  url: string;
  user: string;
  password: string | undefined;
}

/** Settings every statement of a recon runs with (both 18.16 and current ClickHouse know them). */
export const RECON_SETTINGS: Record<string, string> = {
  // A missing side's columns are NULL, not the type's default (0, ''), as in DuckDB's FULL OUTER JOIN.
  join_use_nulls: '1',
  // The right side of a join on a Distributed table reads each shard's local table: the tables are
  // sharded by the key, so every key's rows are on one shard and the join never crosses the network.
  distributed_product_mode: 'local',
  // An INSERT into a Distributed table returns once every shard has its rows, so the next statement sees them.
  insert_distributed_sync: '1',
};

const CONNECT_TIMEOUT_MS = 15_000;

export class ClickHouseClient {
  /** `signal`: a cancelled run closes the request at once instead of waiting for a long statement to end. */
  constructor(
    readonly node: ClickHouseNode,
    private readonly signal?: AbortSignal,
  ) {}

  /** Runs a statement; returns the response body (small results only). */
  async exec(sql: string, settings: Record<string, string> = {}): Promise<string> {
    const res = await this.send(sql, settings);
    return readBody(res);
  }

  /** Runs a SELECT and writes its result (the format named in the statement) to `path`. */
  async queryToFile(sql: string, path: string, settings: Record<string, string> = {}): Promise<void> {
    const res = await this.send(sql, settings);
    try {
      await pipeline(res, createWriteStream(path, { mode: 0o600 }));
    } catch (err) {
      if (this.signal?.aborted) throw new ReconError('RUN_CANCELLED', 'the run was cancelled');
      throw new ReconError('CLUSTER_UNREACHABLE', `ClickHouse ${this.node.url}: the connection was lost while reading a result (${(err as Error).message})`);
    }
    // ClickHouse reports an error that happens after the first rows inside the body (the status is already 200).
    const trailer = res.trailers['x-clickhouse-exception-code'];
    if (trailer) throw new ReconError('CLUSTER_QUERY_FAILED', `ClickHouse ${this.node.url}: the query failed while streaming (code ${trailer})`);
  }

  /** `INSERT INTO table FORMAT format` with the file's bytes as the data. */
  async insertFile(table: string, format: 'CSV' | 'TSV', path: string, settings: Record<string, string> = {}): Promise<void> {
    const res = await this.send(undefined, { ...settings, query: `INSERT INTO ${table} FORMAT ${format}` }, () => createReadStream(path));
    await readBody(res);
  }

  private send(sql: string | undefined, settings: Record<string, string>, body?: () => NodeJS.ReadableStream): Promise<IncomingMessage> {
    const url = new URL(this.node.url);
    for (const [k, v] of Object.entries({ ...RECON_SETTINGS, ...settings })) url.searchParams.set(k, v);
    const auth = `Basic ${Buffer.from(`${this.node.user}:${this.node.password ?? ''}`).toString('base64')}`;
    const where = `ClickHouse ${this.node.url}`;
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : request)(url, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'text/plain; charset=utf-8' } });
      // Only connecting has a deadline: a statement on a billion rows may rightly run for a long time.
      const connectTimer = setTimeout(() => req.destroy(new ReconError('CLUSTER_UNREACHABLE', `${where}: no connection within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
      // A kept-alive socket is connected already and emits no 'connect'.
      req.on('socket', (socket) => (socket.connecting ? socket.once('connect', () => clearTimeout(connectTimer)) : clearTimeout(connectTimer)));
      req.on('error', (err) => {
        clearTimeout(connectTimer);
        reject(err instanceof ReconError ? err : new ReconError('CLUSTER_UNREACHABLE', `${where} could not be reached: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      });
      req.on('response', (res) => {
        clearTimeout(connectTimer);
        if ((res.statusCode ?? 500) < 400) return resolve(res);
        readBody(res).then((text) => reject(clusterError(where, res.statusCode ?? 500, text)), reject);
      });
      if (this.signal) {
        if (this.signal.aborted) req.destroy(new ReconError('RUN_CANCELLED', 'the run was cancelled'));
        else {
          const cancel = (): void => void req.destroy(new ReconError('RUN_CANCELLED', 'the run was cancelled'));
          this.signal.addEventListener('abort', cancel, { once: true });
          const signal = this.signal;
          req.on('close', () => signal.removeEventListener('abort', cancel));
        }
      }
      if (body) {
        const stream = body();
        stream.on('error', (err) => req.destroy(err));
        stream.pipe(req);
      } else {
        req.end(sql);
      }
    });
  }
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** ClickHouse's error codes for a login it refuses: unknown user, wrong password, IP not allowed, (current) authentication failed. */
const AUTH_CODES = new Set([192, 193, 195, 516]);

/** An HTTP error of ClickHouse as a CLUSTER_* error: "Code: 193, e.displayText() = DB::Exception: Wrong password…". */
export function clusterError(where: string, status: number, body: string): ReconError {
  const code = Number(/Code: (\d+)/.exec(body)?.[1] ?? NaN);
  const text = (/DB::Exception: (.*?)(?:, e\.what\(\)|\s*\(version|$)/m.exec(body)?.[1] ?? body.split('\n')[0] ?? '').trim().slice(0, 500);
  if (status === 401 || status === 403 || AUTH_CODES.has(code)) {
    return new ReconError('CLUSTER_AUTH_FAILED', `${where} refused the login: ${text} (set the password with \`recon cluster set-password URL\` or $RECON_CLUSTER_PASSWORD)`);
  }
  return new ReconError('CLUSTER_QUERY_FAILED', `${where}: ${Number.isNaN(code) ? '' : `code ${code}: `}${text}`);
}
