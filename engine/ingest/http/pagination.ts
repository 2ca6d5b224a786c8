import type { Pagination } from '../../definition/schema.ts';
import { atPointer, cellText, JsonNumber, kindOf, type JsonValue } from './json-text.ts';

/**
 * Which page comes next: a next link (the Link header's rel="next", or a URL at
 * a JSON pointer of the body), a cursor sent back as a query parameter, or page
 * numbers. `null` when the page just read was the last.
 */

export const DEFAULT_MAX_PAGES = 10_000;

export interface PageSeen {
  /** The URL the page was asked for. */
  requested: string;
  /** Where it came from after redirects. */
  url: string;
  link: string | null;
  /** The parsed body (JSON pages), for pointers to the next link or cursor. */
  doc: JsonValue | undefined;
  records: number;
  /** 0-based index of the page. */
  index: number;
}

export class PaginationError extends Error {}

/** The first request's URL: the page parameter set for page-number pagination. */
export function firstUrl(base: string, p: Pagination | undefined): string {
  if (p?.kind !== 'page') return base;
  return pageUrl(base, p, 0);
}

export function nextUrl(first: string, p: Pagination | undefined, seen: PageSeen): string | null {
  if (!p) return null;
  switch (p.kind) {
    case 'link': {
      let next: string | null;
      if (p.next !== undefined) {
        const v = seen.doc === undefined ? undefined : atPointer(seen.doc, p.next);
        if (v === undefined || v === null || v === '') return null;
        if (typeof v !== 'string') throw new PaginationError(`the next link at ${p.next || '""'} is ${kindOf(v)}, not a URL`);
        next = v;
      } else {
        next = linkNext(seen.link);
        if (next === null) return null;
      }
      const resolved = new URL(next, seen.url);
      // The next page gets the same headers (the token): never to another server.
      if (resolved.origin !== new URL(first).origin) throw new PaginationError(`the next link points to another server (${resolved.origin}); refusing to send the source's headers there`);
      return resolved.toString();
    }
    case 'cursor': {
      const v = seen.doc === undefined ? undefined : atPointer(seen.doc, p.cursor);
      if (v === undefined || v === null || v === '') return null;
      if (typeof v !== 'string' && !(v instanceof JsonNumber)) throw new PaginationError(`the cursor at ${p.cursor} is ${kindOf(v)}, not text or a number`);
      const cursor = cellText(v)!;
      const u = new URL(first);
      if (u.searchParams.get(p.param) === cursor || new URL(seen.requested).searchParams.get(p.param) === cursor) {
        throw new PaginationError(`the server gave the same cursor again (${JSON.stringify(cursor.slice(0, 40))}): the pages would never end`);
      }
      u.searchParams.set(p.param, cursor);
      return u.toString();
    }
    case 'page':
      if (seen.records === 0 || (p.size !== undefined && seen.records < p.size)) return null;
      return pageUrl(first, p, seen.index + 1);
  }
}

function pageUrl(base: string, p: Extract<Pagination, { kind: 'page' }>, index: number): string {
  const u = new URL(base);
  u.searchParams.set(p.param, String(p.start + index));
  if (p.sizeParam !== undefined && p.size !== undefined) u.searchParams.set(p.sizeParam, String(p.size));
  return u.toString();
}

/** The rel="next" target of an RFC 8288 Link header, or null. */
export function linkNext(header: string | null): string | null {
  if (!header) return null;
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2] ?? '');
    if (rel && rel[1]!.toLowerCase().split(/\s+/).includes('next')) return m[1]!;
  }
  return null;
}
