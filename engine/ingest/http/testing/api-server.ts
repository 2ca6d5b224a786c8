import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small JSON API of the tests' own (node:http on 127.0.0.1, a free port):
 * the same records served in each pagination style and as NDJSON, behind a
 * bearer token, plus routes that fail the ways real APIs do.
 */

export const TOKEN = 'tok-3f9a-secret';

export interface TestApi {
  url: string;
  /** Requests seen per path, for retry counts. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** Records as JSON text, numbers written as given (the tests check they arrive exactly). */
export type RecordText = string;

export async function startTestApi(records: readonly RecordText[], pageSize: number): Promise<TestApi> {
  const hits = new Map<string, number>();
  const pages = Math.max(1, Math.ceil(records.length / pageSize));
  const slice = (i: number): RecordText[] => records.slice(i * pageSize, (i + 1) * pageSize);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
    const json = (status: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, '{"error":"invalid token"}');
    const n = Number(u.searchParams.get('page') ?? '1');
    switch (u.pathname) {
      case '/link': {
        // Link header, relative next link, records under /data/items.
        const i = n - 1;
        const link: Record<string, string> = i + 1 < pages ? { link: `</link?page=${n + 1}>; rel="next", </link?page=${pages}>; rel="last"` } : {};
        return json(200, `{"data":{"items":[${slice(i).join(',')}]},"page":${n}}`, link);
      }
      case '/link-body': {
        const i = n - 1;
        const next = i + 1 < pages ? `"${`http://${req.headers.host}/link-body?page=${n + 1}`}"` : 'null';
        return json(200, `{"items":[${slice(i).join(',')}],"links":{"next":${next}}}`);
      }
      case '/cursor': {
        const c = u.searchParams.get('cursor');
        const i = c === null ? 0 : Number(c.replace('c', ''));
        const next = i + 1 < pages ? `"c${i + 1}"` : 'null';
        return json(200, `{"results":[${slice(i).join(',')}],"meta":{"next_cursor":${next}}}`);
      }
      case '/pages': {
        // Page numbers from 0, a bare array; the last page is shorter (or empty).
        const size = Number(u.searchParams.get('per_page'));
        const i = Number(u.searchParams.get('p'));
        return json(200, `[${records.slice(i * size, (i + 1) * size).join(',')}]`);
      }
      case '/ndjson': {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        return res.end(slice(n - 1).map((r) => `${r}\n`).join(''));
      }
      case '/bad-json':
        return json(200, n === 1 ? `[${slice(0).join(',')}]` : '[{"id": 1, "amount": 12.5,}]');
      case '/bad-shape':
        return json(200, '{"data":{"items":{"id":1}}}');
      case '/unavailable':
        return json(503, '{"error":"maintenance"}');
      case '/slow':
        return; // never answers: the client's timeout must end it
      case '/reset': {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
        res.write(`[${slice(0).join(',')}`);
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      }
      default:
        return json(404, '{"error":"no such resource"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
