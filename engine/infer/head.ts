import { open } from 'node:fs/promises';
import { sniffEncoding } from '../ingest/convert/transcode.ts';
import type { Choice } from './types.ts';

/**
 * The first bytes of a text file, decoded, and the dialect they show: the
 * encoding, delimiter, quote, header and leading junk lines. Pure JS on at
 * most HEAD_BYTES, so it costs nothing next to the DuckDB sample.
 */

const HEAD_BYTES = 256 * 1024;
const MAX_RECORDS = 200;

export type TextEncodingName = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

/** The decoded head of a file and the encoding it was decoded with. */
export interface Head {
  text: string;
  /** The file is longer than the head (its last record may be cut off). */
  truncated: boolean;
  encoding: Choice<TextEncodingName>;
}

/** Reads and decodes the head: a BOM or NUL pattern names UTF-16; else valid UTF-8, else windows-1252. */
export async function readHead(path: string): Promise<Head> {
  const fh = await open(path, 'r');
  let buf: Buffer;
  let size: number;
  try {
    size = (await fh.stat()).size;
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(Math.min(HEAD_BYTES, size)), 0, Math.min(HEAD_BYTES, size), 0);
    buf = buffer.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const truncated = size > buf.length;
  const sniffed = await sniffEncoding(path);
  if (sniffed.encoding === 'utf-16le' || sniffed.encoding === 'utf-16be') {
    const text = new TextDecoder(sniffed.encoding).decode(buf.subarray(0, buf.length - (buf.length % 2)));
    const why = sniffed.bom ? 'byte-order mark' : 'every other byte is NUL';
    return { text, truncated, encoding: { value: sniffed.encoding, confidence: sniffed.bom ? 1 : 0.9, reason: `${sniffed.encoding.toUpperCase()}: ${why}` } };
  }
  if (sniffed.bom) {
    return { text: buf.subarray(3).toString('utf8'), truncated, encoding: { value: 'utf-8', confidence: 1, reason: 'UTF-8 byte-order mark' } };
  }
  try {
    // stream: true tolerates a character cut off at the end of the head.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf, { stream: truncated });
    const ascii = !buf.some((b) => b >= 0x80);
    return {
      text,
      truncated,
      encoding: ascii
        ? { value: 'utf-8', confidence: 0.9, reason: `only ASCII in the first ${kib(buf.length)}; UTF-8 reads it` }
        : { value: 'utf-8', confidence: 0.97, reason: `non-ASCII text in the first ${kib(buf.length)} is valid UTF-8` },
    };
  } catch {
    const bad = firstNonAscii(buf);
    // Windows exports are the usual non-UTF-8 text; latin1 differs only in 0x80-0x9F.
    const text = buf.toString('latin1');
    return {
      text,
      truncated,
      encoding: { value: 'windows-1252', confidence: 0.75, reason: `not valid UTF-8 (byte 0x${bad.byte.toString(16)} at offset ${bad.at}); windows-1252 assumed` },
    };
  }
}

const kib = (n: number): string => `${Math.max(1, Math.round(n / 1024))} KiB`;

function firstNonAscii(buf: Buffer): { at: number; byte: number } {
  const at = buf.findIndex((b) => b >= 0x80);
  return { at, byte: buf[at] ?? 0 };
}

/** Splits text into records of fields: quotes (doubled to escape) may hold delimiters and line breaks. */
export function parseRecords(text: string, delimiter: string, quote: string, max = MAX_RECORDS): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < text.length && records.length < max; i++) {
    const ch = text[i]!;
    if (inQuote) {
      if (ch === quote && text[i + 1] === quote) {
        cur += quote;
        i++;
      } else if (ch === quote) inQuote = false;
      else cur += ch;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      fields.push(cur);
      if (!(fields.length === 1 && fields[0] === '')) records.push(fields);
      fields = [];
      cur = '';
    } else if (quote !== '' && ch === quote && cur.trim() === '') {
      inQuote = true;
      cur = '';
    } else if (text.startsWith(delimiter, i)) {
      fields.push(cur);
      cur = '';
      i += delimiter.length - 1;
    } else cur += ch;
  }
  if (records.length < max && (cur !== '' || fields.length > 0)) records.push([...fields, cur]);
  return records;
}

/** Delimiter, quote and junk lines before the header, from how consistently each candidate splits the head. */
export interface SplitChoice {
  delimiter: Choice<string>;
  quote: Choice<string>;
  skipRows: Choice<number>;
  records: string[][];
}

const DELIMITERS = [',', ';', '\t', '|'];
const NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/** Picks the split where the most records share one field count (> 1); ties go to more fields, then '"'. */
export function chooseSplit(head: Head, forced?: string): SplitChoice {
  let best: { d: string; q: string; share: number; width: number; records: string[][]; lead: number } | undefined;
  for (const d of forced ? [forced] : DELIMITERS) {
    for (const q of ['"', "'"]) {
      const all = parseRecords(head.text, d, q);
      if (head.truncated && all.length > 1) all.pop();
      const { width, share, lead } = modalWidth(all);
      if (width < 2 && !forced) continue;
      const better =
        !best || share > best.share + 1e-9 || (Math.abs(share - best.share) <= 1e-9 && (width > best.width || (width === best.width && q === '"' && best.q !== '"')));
      if (better) best = { d, q, share, width, records: all.slice(lead), lead };
    }
  }
  if (!best) {
    const records = parseRecords(head.text, ',', '"');
    return {
      delimiter: { value: ',', confidence: 0.3, reason: 'no delimiter splits the lines consistently: one column assumed' },
      quote: { value: '"', confidence: 0.5, reason: 'default' },
      skipRows: { value: 0, confidence: 0.5, reason: 'default' },
      records,
    };
  }
  const n = best.records.length;
  const pct = Math.round(best.share * 1000) / 10;
  return {
    delimiter: {
      value: best.d,
      confidence: forced ? 1 : Math.min(0.99, 0.5 + best.share / 2),
      reason: forced ? 'given' : `${NAMES[best.d]} splits ${pct}% of the first ${n} records into ${best.width} fields`,
    },
    quote: {
      value: best.q,
      confidence: best.q === '"' ? 0.9 : 0.8,
      reason: best.q === '"' ? 'double quotes (the standard)' : 'values are wrapped in single quotes',
    },
    skipRows: {
      value: best.lead,
      confidence: best.lead === 0 ? 0.9 : 0.8,
      reason: best.lead === 0 ? 'the first record has the same width as the rest' : `${best.lead} line(s) before the header do not have ${best.width} fields`,
    },
    records: best.records,
  };
}

function modalWidth(records: string[][]): { width: number; share: number; lead: number } {
  const counts = new Map<number, number>();
  for (const r of records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  let width = 0;
  let top = 0;
  for (const [w, c] of counts) if (c > top || (c === top && w > width)) [width, top] = [w, c];
  // Leading records of another width are title lines before the header.
  let lead = 0;
  while (lead < records.length && records[lead]!.length !== width && lead < 10) lead++;
  return { width, share: records.length === 0 ? 0 : top / records.length, lead };
}
