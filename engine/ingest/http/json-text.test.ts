import { describe, expect, it } from 'vitest';
import { atPointer, cellText, JsonSyntaxError, parseJsonText, toJson } from './json-text.ts';
import { pageRecords } from './page-records.ts';
import { linkNext, nextUrl } from './pagination.ts';
import { redactUrl } from './http-connection.ts';

describe('parseJsonText', () => {
  it('keeps every number as written', () => {
    const doc = parseJsonText('{"a": 0.1, "b": 12345678901234567890.12, "c": -1E-7, "d": 0.30000000000000004, "e": [1.50, {"f": 100}]}');
    expect(['/a', '/b', '/c', '/d', '/e/0'].map((p) => cellText(atPointer(doc, p)!))).toEqual(['0.1', '12345678901234567890.12', '-1E-7', '0.30000000000000004', '1.50']);
    expect(cellText(atPointer(doc, '/e')!)).toBe('[1.50,{"f":100}]');
  });

  it('decodes strings, keeps "__proto__" as data and reads pointers with escapes', () => {
    const doc = parseJsonText('{"__proto__": "x", "a/b": {"m~n": "\\u00e9\\n\\"q\\""}, "t": true, "z": null}');
    expect(atPointer(doc, '/__proto__')).toBe('x');
    expect(atPointer(doc, '/a~1b/m~0n')).toBe('é\n"q"');
    expect(cellText(atPointer(doc, '/t')!)).toBe('true');
    expect(atPointer(doc, '/z')).toBeNull();
    expect(atPointer(doc, '/missing')).toBeUndefined();
    expect(toJson(parseJsonText('{"k":[1.0,"s",null]}'))).toBe('{"k":[1.0,"s",null]}');
  });

  it('says where invalid JSON broke: line, column and byte (multi-byte text counted in bytes)', () => {
    const err = (() => {
      try {
        parseJsonText('{\n  "név": "é",\n  "x": 01\n}');
      } catch (e) {
        return e as JsonSyntaxError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(JsonSyntaxError);
    expect(err.message).toBe('expected "," or "}" in an object, found "1\\n}" at line 3, column 9 (byte 26)');
    expect(() => parseJsonText('[1, 2')).toThrow('expected "," or "]" in an array, found the end of the text');
    expect(() => parseJsonText('[1] x')).toThrow('after the JSON value');
  });
});

describe('page records', () => {
  it('a member mixing strings and numbers: each value by its text, never a string\'s JSON quotes (the file reader\'s defect, checked here too)', () => {
    const page = '{"id":"A1","amt":"10.50"}\n{"id":"A2","amt":20.25}\n{"id":3,"amt":30}\n{"id":"A4","amt":12345678901234567.89,"o":{"s":"x"}}\n';
    const rows = pageRecords(page, 'ndjson', '', 1).records.map((r) => ['id', 'amt', 'o'].map((m) => cellText(r.get(m) ?? null)));
    expect(rows).toEqual([
      ['A1', '10.50', null],
      ['A2', '20.25', null],
      ['3', '30', null],
      ['A4', '12345678901234567.89', '{"s":"x"}'],
    ]);
  });


  it('NDJSON: one object per line; a bad line is named with its byte in the page', () => {
    expect(pageRecords('{"a":1}\n\n{"a":2}\n', 'ndjson', '', 1).records.map((r) => cellText(r.get('a')!))).toEqual(['1', '2']);
    expect(() => pageRecords('{"a":1}\n{"a":}\n', 'ndjson', '', 3)).toThrow('page 3 is not valid NDJSON: unexpected "}" at line 2, column 6 (byte 13)');
    expect(() => pageRecords('[1]\n', 'ndjson', '', 1)).toThrow('page 1, line 1 is an array, not an object of named values');
  });

  it('JSON: the array at the pointer, or where it was expected', () => {
    expect(pageRecords('{"data":{"items":[{"id":1}]}}', 'json', '/data/items', 1).records).toHaveLength(1);
    expect(() => pageRecords('{"data":{}}', 'json', '/data/items', 2)).toThrow('page 2: expected an array of records at /data/items, found nothing');
    expect(() => pageRecords('{"data":[]}', 'json', '', 1)).toThrow('at the top of the body (""), found an object');
  });
});

describe('pagination', () => {
  const seen = { requested: 'https://api.example/t', url: 'https://api.example/t', link: null, doc: undefined, records: 10, index: 0 };
  it('reads rel="next" from a Link header and refuses a next link to another server', () => {
    expect(linkNext('<https://x/a?page=3>; rel="last", <https://x/a?page=2>; rel="next"')).toBe('https://x/a?page=2');
    expect(linkNext('<https://x/a?page=1>; rel="prev"')).toBeNull();
    expect(nextUrl('https://api.example/t', { kind: 'link' }, { ...seen, link: '</t?page=2>; rel=next' })).toBe('https://api.example/t?page=2');
    expect(() => nextUrl('https://api.example/t', { kind: 'link' }, { ...seen, link: '<https://evil.example/t>; rel="next"' })).toThrow('another server');
  });

  it('pages by number until a short page; cursors until none, never the same one twice', () => {
    const page = { kind: 'page' as const, param: 'page', start: 1, size: 10 };
    expect(nextUrl('https://api.example/t?page=1', page, seen)).toBe('https://api.example/t?page=2');
    expect(nextUrl('https://api.example/t?page=1', page, { ...seen, records: 9 })).toBeNull();
    const cursor = { kind: 'cursor' as const, cursor: '/next', param: 'c' };
    expect(nextUrl('https://api.example/t', cursor, { ...seen, doc: parseJsonText('{"next":"abc"}') })).toBe('https://api.example/t?c=abc');
    expect(nextUrl('https://api.example/t', cursor, { ...seen, doc: parseJsonText('{"next":null}') })).toBeNull();
    expect(() => nextUrl('https://api.example/t', cursor, { ...seen, requested: 'https://api.example/t?c=abc', doc: parseJsonText('{"next":"abc"}') })).toThrow('the same cursor again');
  });

  it('records URLs without secrets', () => {
    expect(redactUrl('https://u:p@api.example/t?desk=fx&access_token=abc&apiKey=1')).toBe('https://api.example/t?desk=fx&access_token=***&apiKey=***');
  });
});
