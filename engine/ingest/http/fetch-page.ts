import type { ClassifiedError } from '../db/driver.ts';
import { LOST_CODES, UNREACHABLE_CODES } from '../db/driver.ts';
import { redactUrl } from './http-connection.ts';

/**
 * One page of an HTTP source: a GET with node's fetch, under a deadline that
 * covers the body too, retried a bounded number of times when the server
 * answers 429 or 5xx, and every failure sorted into what a person needs to know.
 */

/** A page larger than this is refused: one page is held in memory while it is parsed. */
export const MAX_PAGE_BYTES = 256 * 1024 * 1024;
/** First pause before a retry; doubled each time. */
const RETRY_BASE_MS = 200;
/** The longest Retry-After obeyed; a longer one is cut to it. */
const MAX_RETRY_AFTER_MS = 10_000;

export interface PageRequest {
  url: string;
  headers: Record<string, string>;
  /** One request, body included. */
  timeoutMs: number;
  /** Epoch ms past which the whole source has run out of time. */
  deadline: number;
  retries: number;
  signal?: AbortSignal;
}

export interface FetchedPage {
  /** Where the page came from after redirects: relative next links resolve against it. */
  url: string;
  link: string | null;
  body: string;
  bytes: number;
}

export class HttpFailure extends Error {
  constructor(readonly c: ClassifiedError | { code: 'RUN_CANCELLED'; message: string }) {
    super(c.message);
  }
}

export async function fetchPage(req: PageRequest): Promise<FetchedPage> {
  for (let attempt = 0; ; attempt++) {
    const r = await attemptOnce(req);
    if ('page' in r) return r.page;
    const wait = r.retryAfterMs ?? RETRY_BASE_MS * 2 ** attempt;
    if (attempt >= req.retries || wait >= req.deadline - Date.now()) {
      const tries = attempt + 1;
      throw new HttpFailure({ code: 'SOURCE_QUERY_FAILED', message: `${r.status} for GET ${redactUrl(req.url)}${tries > 1 ? ` (${tries} tries)` : ''}${r.detail}` });
    }
    await sleep(wait, req.signal);
  }
}

type Attempt = { page: FetchedPage } | { status: string; detail: string; retryAfterMs: number | undefined };

async function attemptOnce(req: PageRequest): Promise<Attempt> {
  const ac = new AbortController();
  let timedOut = false;
  const ms = Math.max(1, Math.min(req.timeoutMs, req.deadline - Date.now()));
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, ms);
  const onAbort = (): void => ac.abort();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  let phase: 'connect' | 'body' = 'connect';
  try {
    const res = await fetch(req.url, { headers: { accept: 'application/json, application/x-ndjson;q=0.9, */*;q=0.1', ...req.headers }, signal: ac.signal, redirect: 'follow' });
    const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    if (res.status === 429 || res.status >= 500) {
      const detail = await bodySnippet(res);
      const after = Number(res.headers.get('retry-after'));
      return { status, detail, retryAfterMs: Number.isFinite(after) && after > 0 ? Math.min(after * 1000, MAX_RETRY_AFTER_MS) : undefined };
    }
    if (res.status === 401 || res.status === 403) {
      throw new HttpFailure({ code: 'SOURCE_AUTH_FAILED', message: `${status} for GET ${redactUrl(req.url)}${await bodySnippet(res)}` });
    }
    if (res.status < 200 || res.status >= 300) {
      throw new HttpFailure({ code: 'SOURCE_QUERY_FAILED', message: `${status} for GET ${redactUrl(req.url)}${await bodySnippet(res)}` });
    }
    phase = 'body';
    const declared = Number(res.headers.get('content-length'));
    if (declared > MAX_PAGE_BYTES) throw tooLarge(req.url);
    const chunks: Buffer[] = [];
    let bytes = 0;
    const reader = res.body?.getReader();
    for (;;) {
      const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
      if (chunk.done) break;
      bytes += chunk.value.byteLength;
      if (bytes > MAX_PAGE_BYTES) {
        await reader?.cancel().catch(() => undefined);
        throw tooLarge(req.url);
      }
      chunks.push(Buffer.from(chunk.value));
    }
    let body: string;
    try {
      body = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      throw new HttpFailure({ code: 'SOURCE_QUERY_FAILED', message: `the page from GET ${redactUrl(req.url)} is not UTF-8 text` });
    }
    return { page: { url: res.url || req.url, link: res.headers.get('link'), body, bytes } };
  } catch (err) {
    if (err instanceof HttpFailure) throw err;
    if (timedOut) {
      throw new HttpFailure({ code: 'SOURCE_TIMEOUT', message: `no complete answer to GET ${redactUrl(req.url)} within ${Math.round(ms / 100) / 10} s` });
    }
    if (req.signal?.aborted) throw new HttpFailure({ code: 'RUN_CANCELLED', message: 'run was cancelled' });
    throw new HttpFailure(classifyNetwork(err, phase, req.url));
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}

/** A network failure of fetch (its cause holds the socket's error code). */
function classifyNetwork(err: unknown, phase: 'connect' | 'body', url: string): ClassifiedError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code ?? '';
  const why = cause?.message ? `${cause.message}${code && !cause.message.includes(code) ? ` (${code})` : ''}` : (err as Error).message;
  if (phase === 'connect' && UNREACHABLE_CODES.has(code)) return { code: 'SOURCE_UNREACHABLE', message: `GET ${redactUrl(url)}: ${why}` };
  if (phase === 'body' || LOST_CODES.has(code) || code === 'UND_ERR_SOCKET') {
    return { code: 'SOURCE_CONNECTION_LOST', message: `GET ${redactUrl(url)}: the connection was lost ${phase === 'body' ? 'while the page was read' : 'before an answer'}: ${why}` };
  }
  return { code: 'SOURCE_UNREACHABLE', message: `GET ${redactUrl(url)}: ${why}` };
}

function tooLarge(url: string): HttpFailure {
  return new HttpFailure({ code: 'SOURCE_QUERY_FAILED', message: `the page from GET ${redactUrl(url)} is larger than ${MAX_PAGE_BYTES / 1024 / 1024} MiB; ask the API for smaller pages` });
}

/** The start of an error answer's body, which often says why. */
async function bodySnippet(res: Response): Promise<string> {
  try {
    const text = (await res.text()).replace(/\s+/g, ' ').trim();
    return text ? `: ${text.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
