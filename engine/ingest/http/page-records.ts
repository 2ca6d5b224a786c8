import { atPointer, JsonSyntaxError, kindOf, parseJsonText, type JsonValue } from './json-text.ts';

/**
 * The records of one page: the array at the `records` pointer of a JSON body,
 * or one JSON object per line of an NDJSON body. Errors say which page and
 * where it broke (line, column, byte) or what was found instead of records.
 */

export class PageShapeError extends Error {}

export interface PageRecords {
  doc: JsonValue | undefined;
  records: Map<string, JsonValue>[];
}

export function pageRecords(body: string, response: 'json' | 'ndjson', pointer: string, page: number): PageRecords {
  return response === 'ndjson' ? ndjsonRecords(body, page) : jsonRecords(body, pointer, page);
}

function jsonRecords(body: string, pointer: string, page: number): PageRecords {
  let doc: JsonValue;
  try {
    doc = parseJsonText(body);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new PageShapeError(`page ${page} is not valid JSON: ${err.message}`);
    throw err;
  }
  const at = atPointer(doc, pointer);
  if (!Array.isArray(at)) {
    throw new PageShapeError(`page ${page}: expected an array of records at ${pointer === '' ? 'the top of the body ("")' : pointer}, found ${kindOf(at)} (set "records" to the JSON pointer of the array)`);
  }
  return { doc, records: at.map((r, i) => asRecord(r, `page ${page}, record ${i + 1} (${pointer}/${i})`)) };
}

function ndjsonRecords(body: string, page: number): PageRecords {
  const records: Map<string, JsonValue>[] = [];
  let start = 0;
  let line = 0;
  while (start < body.length) {
    let end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    line++;
    const text = body.slice(start, end).replace(/\r$/, '');
    if (text.trim() !== '') {
      let v: JsonValue;
      try {
        v = parseJsonText(text);
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        const byte = Buffer.byteLength(body.slice(0, start), 'utf8') + err.byte;
        throw new PageShapeError(`page ${page} is not valid NDJSON: ${err.what} at line ${line}, column ${err.column} (byte ${byte})`);
      }
      records.push(asRecord(v, `page ${page}, line ${line}`));
    }
    start = end + 1;
  }
  return { doc: undefined, records };
}

function asRecord(v: JsonValue, where: string): Map<string, JsonValue> {
  if (v instanceof Map) return v;
  throw new PageShapeError(`${where} is ${kindOf(v)}, not an object of named values`);
}
