/**
 * Non-UTF-8 text → UTF-8 for DuckDB's read_csv (its `encodings` extension is not
 * available offline). Everything streams chunk by chunk; no file is held whole.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConvertInputError } from './errors.ts';

export type TextEncoding = 'utf-8' | 'windows-1252' | 'latin1' | 'iso-8859-1' | 'iso-8859-15' | 'utf-16le' | 'utf-16be';

/** Chunk size of the read stream; tests shrink it to split characters across chunks. */
export interface StreamOptions {
  highWaterMark?: number;
}

const SNIFF_BYTES = 4096;

/** Reads the first 4 KiB: a BOM names the encoding; else NULs in odd/even bytes mean BOM-less UTF-16. */
export async function sniffEncoding(path: string): Promise<{ encoding: TextEncoding | undefined; bom: boolean }> {
  const file = await open(path, 'r');
  let head: Buffer;
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  // Mostly-ASCII UTF-16 has a NUL in every other byte: odd positions for LE, even for BE.
  const units = Math.floor(head.length / 2);
  if (units < 2) return { encoding: undefined, bom: false };
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  if (oddNul >= units * 0.3 && evenNul <= units * 0.05) return { encoding: 'utf-16le', bom: false };
  if (evenNul >= units * 0.3 && oddNul <= units * 0.05) return { encoding: 'utf-16be', bom: false };
  return { encoding: undefined, bom: false };
}

// windows-1252 0x80..0x9F. Node >= 20.18.3 decodes TextDecoder('windows-1252') as Latin-1 there
// (0x80 → U+0080 instead of €; nodejs/node#56542, #60888), so we map those 32 bytes ourselves.
// The five bytes the code page leaves undefined map to the C1 controls, as WHATWG says.
const CP1252_80_9F =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

interface ChunkDecoder {
  decode(chunk: Buffer): string;
  end(): string;
}

function decoderFor(encoding: TextEncoding): ChunkDecoder {
  if (encoding === 'windows-1252' || encoding === 'latin1' || encoding === 'iso-8859-1') {
    // WHATWG (and every CSV exported on Windows) reads latin1 as windows-1252; one byte = one char.
    return {
      decode: (chunk) => chunk.toString('latin1').replace(/[\x80-\x9f]/g, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80] ?? c),
      end: () => '',
    };
  }
  // stream:true carries a character (or UTF-16 surrogate pair) split across chunks; a leading BOM is dropped.
  const decoder = new TextDecoder(encoding, { fatal: true });
  return { decode: (chunk) => decoder.decode(chunk, { stream: true }), end: () => decoder.decode() };
}

/** Index of the first invalid UTF-8 sequence, or -1; a sequence cut off at the end counts as valid. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    // Unicode table 3-7: allowed range of the second byte per lead byte (no overlongs, surrogates, > U+10FFFF).
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) [need, lo, hi] = [2, c === 0xe0 ? 0xa0 : 0x80, c === 0xed ? 0x9f : 0xbf];
    else if (c >= 0xf0 && c <= 0xf4) [need, lo, hi] = [3, c === 0xf0 ? 0x90 : 0x80, c === 0xf4 ? 0x8f : 0xbf];
    else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= b.length) return -1;
      const d = b[i + k]!;
      if (d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** The bytes of an unfinished UTF-8 character at the end of what was decoded so far. */
function incompleteTail(pending: Buffer, chunk: Buffer): Buffer {
  const tail = chunk.length >= 3 ? chunk.subarray(chunk.length - 3) : Buffer.concat([pending, chunk]).subarray(-3);
  for (let i = tail.length - 1; i >= 0; i--) {
    const b = tail[i]!;
    if (b < 0x80) break;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return tail.length - i < need ? Buffer.from(tail.subarray(i)) : EMPTY;
    }
  }
  return EMPTY;
}

const EMPTY = Buffer.alloc(0);

function countNewlines(b: Uint8Array, end = b.length): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i >= 0 && i < end; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

function invalidText(path: string, encoding: TextEncoding, offset: number, line: number, exact: boolean): ConvertInputError {
  const where = `${exact ? 'at' : 'near'} byte offset ${offset}`;
  return new ConvertInputError(`line ${line}: not valid ${encoding.toUpperCase()} (${where})`, { file: path, line, offset });
}

/**
 * Decodes a file chunk by chunk. Invalid input throws ConvertInputError with details.offset/line:
 * exact for UTF-8 (we re-scan the failing chunk, since TextDecoder does not say where), near for UTF-16.
 */
async function* decodeFile(path: string, encoding: TextEncoding, opts: StreamOptions, count: { bytes: number }): AsyncGenerator<string> {
  const decoder = decoderFor(encoding);
  const utf8 = encoding === 'utf-8';
  let pending: Buffer = EMPTY; // UTF-8 only: bytes of a character the decoder is still waiting to finish
  let newlines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: opts.highWaterMark ?? 64 * 1024 }) as AsyncIterable<Buffer>) {
    let text: string;
    try {
      text = decoder.decode(chunk);
    } catch {
      if (!utf8) throw invalidText(path, encoding, count.bytes, newlines + 1, false);
      const region = Buffer.concat([pending, chunk]);
      const at = Math.max(0, firstInvalidUtf8(region));
      throw invalidText(path, encoding, count.bytes - pending.length + at, newlines + countNewlines(region, at) + 1, true);
    }
    count.bytes += chunk.length;
    if (utf8) {
      newlines += countNewlines(chunk);
      pending = incompleteTail(pending, chunk);
    } else {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) newlines++;
    }
    if (text) yield text;
  }
  let rest: string;
  try {
    rest = decoder.end();
  } catch {
    // the file ends in the middle of a character
    throw invalidText(path, encoding, count.bytes - pending.length, newlines + 1, utf8);
  }
  if (rest) yield rest;
}

/**
 * Streams `inPath` (in `encoding`) to `outPath` as UTF-8 without BOM. Invalid input throws
 * ConvertInputError naming the byte offset and line; the partial output is removed.
 * A UTF-8 BOM in a file declared single-byte is not guessed away: sniff first.
 */
export async function transcodeToUtf8(
  inPath: string,
  outPath: string,
  encoding: TextEncoding,
  opts: StreamOptions = {},
): Promise<{ bytesIn: number; bytesOut: number }> {
  const count = { bytes: 0 };
  let bytesOut = 0;
  async function* utf8Chunks(): AsyncGenerator<Buffer> {
    for await (const text of decodeFile(inPath, encoding, opts, count)) {
      const buf = Buffer.from(text, 'utf8');
      bytesOut += buf.length;
      yield buf;
    }
  }
  try {
    await pipeline(Readable.from(utf8Chunks()), createWriteStream(outPath));
  } catch (err) {
    await rm(outPath, { force: true });
    throw err;
  }
  return { bytesIn: count.bytes, bytesOut };
}

/** Streams a file through a fatal UTF-8 decoder: undefined if valid, else where the first invalid sequence is. */
export async function findInvalidUtf8(path: string, opts: StreamOptions = {}): Promise<{ offset: number; line: number } | undefined> {
  try {
    for await (const text of decodeFile(path, 'utf-8', opts, { bytes: 0 })) void text;
    return undefined;
  } catch (err) {
    const d = err instanceof ConvertInputError ? err.details : undefined;
    if (d?.offset === undefined || d.line === undefined) throw err;
    return { offset: d.offset, line: d.line };
  }
}
