import { describe, expect, it } from 'vitest';
import { sourceSchema } from '../../definition/schema.ts';

/** What the definition accepts for an HTTP source, and what it refuses with the member named. */
describe('HTTP source definitions', () => {
  const issues = (src: unknown): string[] => {
    const r = sourceSchema.safeParse(src);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts a connection or a url, with records, columns and each pagination kind', () => {
    expect(issues({ kind: 'http', connection: 'api', path: '/t', records: '/data/items', pagination: { kind: 'link' } })).toEqual([]);
    expect(issues({ kind: 'http', url: 'https://x.example/t', columns: ['id'], pagination: { kind: 'cursor', cursor: '/next', param: 'c', maxPages: 5 } })).toEqual([]);
    expect(sourceSchema.parse({ kind: 'http', connection: 'api', response: 'ndjson', pagination: { kind: 'page' } }).pagination).toEqual({ kind: 'page', param: 'page', start: 1 });
  });

  it('refuses what does not fit', () => {
    expect(issues({ kind: 'http' })).toEqual(['connection: an HTTP source names its connection or its url (one of them)']);
    expect(issues({ kind: 'http', connection: 'api', url: 'https://x.example' })).toHaveLength(1);
    expect(issues({ kind: 'http', connection: 'api', sql: 'SELECT 1' })).toEqual(['sql: sql applies to query sources only']);
    expect(issues({ kind: 'http', connection: 'api', delimiter: ';' })).toEqual(['delimiter: delimiter applies to file sources only']);
    expect(issues({ kind: 'http', connection: 'api', response: 'ndjson', records: '/x' })).toEqual(['records: an NDJSON page has one record per line: records applies to JSON pages only']);
    expect(issues({ kind: 'http', connection: 'api', records: 'data' })[0]).toContain('a JSON pointer');
    expect(issues({ kind: 'http', url: 'ftp://x' })[0]).toContain('an http:// or https:// URL');
    expect(issues({ path: '/t' })).toEqual(['path: path applies to HTTP sources only (set "kind": "http")']);
    expect(issues({ kind: 'query', connection: 'db', sql: 'SELECT 1', pagination: { kind: 'link' } })).toEqual(['pagination: pagination applies to HTTP sources only']);
  });
});
