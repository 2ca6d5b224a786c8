import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { ReconError } from '../errors/recon-error.ts';
import type { HttpProvenance, QueryProvenance } from '../contract/runs.ts';
import type { SourceFormat, SourceOptions } from '../definition/schema.ts';

/** What a run records about each input: a file, or a query source (`format` "query", `path` "query:<connection>"). */
export interface SourceFileInfo {
  path: string;
  /** A file's size; for a query, the size of its rows in the canonical form their SHA-256 is taken of. */
  bytes: number;
  sha256: string;
  format: SourceFormat | 'query' | 'http';
  /** A query source: where its rows came from and when (ingest/db/load-query.ts). */
  query?: QueryProvenance;
  /** An HTTP source: the URL, headers named, pages and rows (ingest/http/http-source.ts). */
  http?: HttpProvenance;
}

/** Checks that `path` is a readable, non-empty regular file, with a clear error otherwise. */
export async function checkInputFile(path: string, side: 'a' | 'b'): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ReconError('INPUT_NOT_FOUND', `${path}: source ${side.toUpperCase()} file not found`, { file: path, side });
  }
  if (info.isDirectory()) {
    throw new ReconError('INPUT_UNREADABLE', `${path}: source ${side.toUpperCase()} is a directory; expected a data file`, { file: path, side });
  }
  if (!info.isFile()) {
    throw new ReconError('INPUT_UNREADABLE', `${path}: source ${side.toUpperCase()} is not a regular file`, { file: path, side });
  }
  if (info.size === 0) {
    throw new ReconError('INPUT_EMPTY', `${path}: source ${side.toUpperCase()} is empty (0 bytes); expected a header and data rows`, { file: path, side, line: 1 });
  }
  try {
    const fh = await open(path, 'r');
    await fh.close();
  } catch (err) {
    throw new ReconError('INPUT_UNREADABLE', `${path}: cannot be read (${(err as Error).message})`, { file: path, side });
  }
  return info.size;
}

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const EXTENSION_FORMATS: Record<string, SourceFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.txt': 'txt',
  '.dat': 'txt',
  '.psv': 'txt',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.xlsx': 'xlsx',
};

/** The format named in the definition, else the one the extension implies (delimited text by default). */
export function resolveFormat(path: string, options: SourceOptions): SourceFormat {
  if (options.format) return options.format;
  return EXTENSION_FORMATS[extname(path).toLowerCase()] ?? 'txt';
}

/** Binary formats told by their first bytes, and the source format (if any) that reads each. */
const MAGIC: readonly { bytes: readonly number[]; what: string; format: SourceFormat | undefined; hint: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an XLSX spreadsheet?)', format: 'xlsx', hint: 'if it is a spreadsheet, name it .xlsx or set "format": "xlsx"; else unzip it' },
  { bytes: [0x50, 0x41, 0x52, 0x31], what: 'a Parquet file', format: 'parquet', hint: 'name it .parquet or set "format": "parquet"' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file', format: undefined, hint: 'decompress it first' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'an Excel 97-2003 (.xls) workbook or other OLE2 document', format: undefined, hint: 'save it as .xlsx or CSV' },
];

const FORMAT_NAMES: Record<SourceFormat, string> = {
  csv: 'delimited text',
  tsv: 'delimited text',
  txt: 'delimited text',
  json: 'JSON',
  ndjson: 'NDJSON',
  parquet: 'Parquet',
  xlsx: 'an XLSX spreadsheet',
};

/**
 * A binary file is never read as another format: its first bytes say what it is (ZIP/XLSX,
 * Parquet, gzip, XLS). Content that another format reads, or none of ours, is refused with
 * what it is and how to read it (INPUT_PARSE_ERROR), before a reader makes nonsense of it.
 */
export async function checkContentMatchesFormat(path: string, side: 'a' | 'b', format: SourceFormat, declared: boolean): Promise<void> {
  const fh = await open(path, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(8);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const found = MAGIC.find((m) => head.length >= m.bytes.length && m.bytes.every((b, i) => head[i] === b));
  if (found === undefined || found.format === format) return;
  const expected = declared ? `"format": "${format}" says ${FORMAT_NAMES[format]}` : `its extension says ${FORMAT_NAMES[format]}`;
  throw new ReconError('INPUT_PARSE_ERROR', `${path}: source ${side.toUpperCase()} is ${found.what} by its content, but ${expected}; ${found.hint}`, {
    file: path,
    side,
    line: 1,
  });
}

const DELIMITER_CANDIDATES = [',', ';', '\t', '|'];

/**
 * Picks a delimiter for a file whose definition names none: the candidate that
 * splits the first lines into the same number (> 1) of fields most often.
 * Quoted text is ignored. Falls back to "," (or tab for .tsv).
 */
export async function sniffDelimiter(path: string, format: SourceFormat): Promise<string> {
  if (format === 'tsv') return '\t';
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const lines = buf
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/"[^"]*"/g, '""')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .slice(0, 20);
    if (lines.length > 1 && bytesRead === buf.length) lines.pop(); // last line may be cut off
    let best = ',';
    let bestScore = 0;
    for (const cand of DELIMITER_CANDIDATES) {
      const counts = lines.map((l) => l.split(cand).length - 1);
      const first = counts[0] ?? 0;
      if (first === 0) continue;
      const consistent = counts.filter((c) => c === first).length;
      const score = consistent * 1000 + first;
      if (score > bestScore) {
        bestScore = score;
        best = cand;
      }
    }
    return best;
  } finally {
    await fh.close();
  }
}
