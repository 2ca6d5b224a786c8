/**
 * A JSON parser that keeps every number as the text the server wrote: a
 * decimal such as 0.1 or a 20-digit amount never passes through a JavaScript
 * float (JSON.parse would round both). Objects are Maps (a member named
 * "__proto__" is data, not a prototype). A syntax error says where it broke:
 * line, column and byte offset of the text parsed.
 */

export class JsonNumber {
  constructor(readonly text: string) {}
}
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

export class JsonSyntaxError extends Error {
  constructor(
    readonly what: string,
    readonly line: number,
    readonly column: number,
    readonly byte: number,
  ) {
    super(`${what} at line ${line}, column ${column} (byte ${byte})`);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** Nesting deeper than this is refused rather than risking the stack. */
const MAX_DEPTH = 512;

export function parseJsonText(text: string): JsonValue {
  let i = 0;
  const fail = (what: string, at = i): never => {
    if (what.startsWith('expected')) what += at >= text.length ? ', found the end of the text' : `, found ${JSON.stringify(text.slice(at, at + 12))}`;
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new JsonSyntaxError(what, line, column, Buffer.byteLength(before, 'utf8'));
  };
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const str = (): string => {
    // i is at the opening quote.
    let out = '';
    let start = ++i;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i++);
        return out;
      }
      if (c < 0x20) fail('control character in a string');
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      const e = text[i + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        fail('invalid escape in a string');
      }
      start = i;
    }
  };
  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = new Map<string, JsonValue>();
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a member name in quotes');
        const k = str();
        ws();
        if (text[i] !== ':') fail('expected ":" after a member name');
        i++;
        obj.set(k, value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return obj;
        } else fail('expected "," or "}" in an object');
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return arr;
        } else fail('expected "," or "]" in an array');
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) return ((i += 4), true);
    if (text.startsWith('false', i)) return ((i += 5), false);
    if (text.startsWith('null', i)) return ((i += 4), null);
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return new JsonNumber(m[0]);
    }
    return fail(i >= text.length ? 'unexpected end of the text' : `unexpected ${JSON.stringify(text.slice(i, i + 12))}`);
  };
  // A UTF-8 byte order mark is not JSON, but servers send one now and then.
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const v = value(0);
  ws();
  if (i < text.length) fail(`unexpected ${JSON.stringify(text.slice(i, i + 12))} after the JSON value`);
  return v;
}

/** A value as text for a column: strings as they are, numbers as written, nested values as compact JSON, null as null. */
export function cellText(v: JsonValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof JsonNumber) return v.text;
  return toJson(v);
}

/** Compact JSON of a value, numbers as written. */
export function toJson(v: JsonValue): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  return `{${[...v].map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
}

/** What kind of value it is, for messages ("found an object"). */
export function kindOf(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (v instanceof JsonNumber) return 'a number';
  return Array.isArray(v) ? 'an array' : 'an object';
}

/**
 * The value at an RFC 6901 JSON pointer ("" is the whole document; "/data/items"),
 * or undefined when the path does not exist.
 */
export function atPointer(doc: JsonValue, pointer: string): JsonValue | undefined {
  if (pointer === '') return doc;
  let cur: JsonValue | undefined = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur instanceof Map) cur = cur.get(token);
    else if (Array.isArray(cur) && /^(0|[1-9]\d*)$/.test(token)) cur = cur[Number(token)];
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}
