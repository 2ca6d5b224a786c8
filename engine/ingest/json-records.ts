import { createReadStream } from 'node:fs';
import { JsonSyntaxError, parseJsonText, type JsonValue } from './http/json-text.ts';

/**
 * The records of a JSON or NDJSON file, streamed: a top-level array of objects, or objects one
 * after another (one per line, or concatenated). Each record is parsed by http/json-text.ts,
 * which keeps every number as the file writes it, so no decimal passes through a float
 * (DuckDB's JSON reader parses numbers to doubles: 12345678901234567.89 would become
 * 12345678901234568). Only one record's text is held at a time.
 */

/** A record longer than this is refused rather than held in memory. */
export const MAX_JSON_RECORD_CHARS = 64 * 1024 * 1024;

/** A problem with the file's JSON, at its 1-based line and column. */
export class JsonFileError extends Error {
  constructor(
    readonly what: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${what}`);
  }
}

export interface JsonRecord {
  members: Map<string, JsonValue>;
  /** The line the record starts on. */
  line: number;
}

/**
 * Yields each record of the file. `ndjson`: values one after another (a top-level array is a
 * record that is not an object); `json`: a top-level array of records, or values one after another.
 */
export async function* readJsonRecords(path: string, format: 'json' | 'ndjson', onBytes?: (bytes: number) => void): AsyncGenerator<JsonRecord> {
  let line = 1;
  let column = 0; // of the last character seen
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** 'top': values at depth 0 are records; 'array': elements of the top-level array are. */
  let mode: 'undecided' | 'top' | 'array' | 'done' = format === 'ndjson' ? 'top' : 'undecided';
  let parts: string[] = [];
  let partChars = 0;
  let recordStart: { line: number; column: number } | undefined;
  let startIndex = -1; // where the record started in the current chunk
  let expectSeparator = false; // array mode: an element ended, a "," or "]" must come

  const finish = (chunk: string, end: number): JsonRecord => {
    parts.push(chunk.slice(startIndex, end));
    const text = parts.join('');
    parts = [];
    partChars = 0;
    startIndex = -1;
    const at = recordStart!;
    recordStart = undefined;
    let value: JsonValue;
    try {
      value = parseJsonText(text);
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      throw new JsonFileError(`not valid JSON: ${err.what}`, at.line + err.line - 1, err.line === 1 ? at.column + err.column - 1 : err.column);
    }
    // The text ran from "{" to its matching "}", so it parsed to an object.
    return { members: value as Map<string, JsonValue>, line: at.line };
  };

  const decoder = new TextDecoder('utf-8');
  let first = true;
  for await (const raw of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = raw as Buffer;
    onBytes?.(buf.length);
    let chunk = decoder.decode(buf, { stream: true });
    if (first) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1); // a UTF-8 byte order mark
    }
    const done: JsonRecord[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 0x0a) {
        line++;
        column = 0;
      } else column++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
        continue;
      }
      const ws = c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
      const recordLevel = mode === 'array' ? 1 : 0;
      if (depth === recordLevel && recordStart === undefined) {
        // Between records.
        if (ws) continue;
        if (mode === 'done') throw new JsonFileError('unexpected text after the top-level array', line, column);
        if (mode === 'undecided') {
          mode = c === 0x5b ? 'array' : 'top';
          if (mode === 'array') {
            depth = 1;
            continue;
          }
        }
        if (mode === 'array') {
          if (c === 0x5d) {
            depth = 0;
            mode = 'done';
            expectSeparator = false;
            continue;
          }
          if (expectSeparator) {
            if (c !== 0x2c) throw new JsonFileError('expected "," or "]" after a record in the array', line, column);
            expectSeparator = false;
            continue;
          }
        }
        if (c !== 0x7b) {
          const found = c === 0x5b ? 'an array' : c === 0x22 ? 'a string' : `${JSON.stringify(chunk.slice(i, i + 12))}`;
          throw new JsonFileError(`expected a record (an object of named values, "{…}"), found ${found}`, line, column);
        }
        recordStart = { line, column };
        startIndex = i;
        depth++;
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === recordLevel) {
          done.push(finish(chunk, i + 1));
          if (mode === 'array') expectSeparator = true;
        }
      }
    }
    if (recordStart !== undefined) {
      parts.push(chunk.slice(startIndex));
      partChars += chunk.length - startIndex;
      startIndex = 0;
      if (partChars > MAX_JSON_RECORD_CHARS) throw new JsonFileError(`a record longer than ${MAX_JSON_RECORD_CHARS / 1024 / 1024} MB of text`, recordStart.line, recordStart.column);
    }
    yield* done;
  }
  const rest = decoder.decode();
  if (recordStart !== undefined || rest.trim() !== '' || inString) {
    const at = recordStart ?? { line, column };
    throw new JsonFileError('the file ends inside a record', at.line, at.column);
  }
  if (mode === 'array') throw new JsonFileError('the file ends before the top-level array is closed with "]"', line, column);
}
