import { createReadStream } from 'node:fs';

/**
 * A quote-aware pass over delimited text that counts records and remembers
 * where multi-line records shift line numbers. It is independent of DuckDB's
 * parser on purpose: its record count is the "source rows" side of the
 * integrity check (source = staged + rejected), and its line map turns
 * DuckDB's record ordinals into the physical line numbers a person sees in an
 * editor. It also parses the header record.
 */

export interface DelimitedDialect {
  delimiter: string;
  quote: string; // '' disables quoting
  escape: string; // '' means same as quote
  header: boolean;
  skipRows: number;
}

export interface ScanResult {
  /** Data records (after skipped rows and the header), blank lines excluded. */
  records: number;
  /** Blank lines seen among data records (not data; reported, not counted). */
  blankLines: number;
  /** Header fields when `header` is true (raw, unquoted), else the first record's width. */
  header: string[] | undefined;
  /** Number of fields in the first data-bearing record. */
  width: number;
  /** Physical line (1-based) where data record `n` (1-based) starts. */
  lineOfRecord(n: number): number;
}

const NL = 0x0a;
const CR = 0x0d;

/** Scans a UTF-8 delimited text file; never holds more than one chunk. */
export async function scanDelimited(path: string, dialect: DelimitedDialect): Promise<ScanResult> {
  const quote = dialect.quote === '' ? -1 : dialect.quote.charCodeAt(0);
  const escape = dialect.escape === '' || dialect.escape === dialect.quote ? -1 : dialect.escape.charCodeAt(0);
  const delimBytes = Buffer.from(dialect.delimiter, 'utf8');

  let line = 1; // physical line of the current byte
  let recordStartLine = 1;
  let recordBytes = 0; // bytes in the current record excluding CR
  let inQuote = false;
  let escaped = false;
  let skipped = 0; // lines skipped by skipRows
  let headerDone = !dialect.header;
  let records = 0;
  let blankLines = 0;
  // Sparse map: [record ordinal, line - ordinal] recorded each time the offset changes.
  const shifts: number[] = [];
  let lastDelta = Number.NaN;

  // Header parsing state: collect raw bytes of the header record only.
  const headerChunks: Buffer[] = [];
  let collectingHeader = dialect.header && dialect.skipRows === 0;
  let firstRecordWidth = 0;
  let fieldCount = 1;
  let widthKnown = false;

  const endRecord = (): void => {
    if (skipped < dialect.skipRows) {
      skipped++;
      if (skipped === dialect.skipRows && dialect.header) collectingHeader = true;
    } else if (recordBytes === 0) {
      if (headerDone) blankLines++;
    } else if (!headerDone) {
      headerDone = true;
      collectingHeader = false;
    } else {
      records++;
      const delta = recordStartLine - records;
      if (delta !== lastDelta) {
        shifts.push(records, delta);
        lastDelta = delta;
      }
      if (!widthKnown) {
        firstRecordWidth = fieldCount;
        widthKnown = true;
      }
    }
    recordBytes = 0;
    fieldCount = 1;
    recordStartLine = line;
  };

  let pendingBom = true;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    if (pendingBom) {
      pendingBom = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3;
    }
    if (collectingHeader) headerChunks.push(chunk.subarray(start));
    for (let i = start; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (inQuote) {
        if (escaped) escaped = false;
        else if (b === escape) escaped = true;
        else if (b === quote) inQuote = false;
        else if (b === NL) line++;
        recordBytes++;
        continue;
      }
      if (b === NL) {
        line++;
        endRecord();
        continue;
      }
      if (b === CR) continue;
      if (b === quote) inQuote = true;
      else if (b === delimBytes[0] && (delimBytes.length === 1 || chunk.subarray(i, i + delimBytes.length).equals(delimBytes))) fieldCount++;
      recordBytes++;
    }
  }
  if (recordBytes > 0) endRecord();

  const header = dialect.header ? parseHeader(Buffer.concat(headerChunks), dialect) : undefined;
  return {
    records,
    blankLines,
    header,
    width: header?.length ?? firstRecordWidth,
    lineOfRecord(n: number): number {
      // Binary search the last shift at or before n.
      let lo = 0;
      let hi = shifts.length / 2 - 1;
      let delta = 0;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (shifts[mid * 2]! <= n) {
          delta = shifts[mid * 2 + 1]!;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return n + delta;
    },
  };
}

/** Splits the first record of `buf` into fields, honouring quotes. */
export function parseHeader(buf: Buffer, dialect: DelimitedDialect): string[] {
  let text = buf.toString('utf8');
  // Skip the lines consumed by skipRows (they precede the header).
  for (let s = 0; s < dialect.skipRows; s++) {
    const nl = text.indexOf('\n');
    text = nl < 0 ? '' : text.slice(nl + 1);
  }
  // Skip leading blank lines before the header.
  text = text.replace(/^(\r?\n)+/, '');
  const fields: string[] = [];
  let cur = '';
  let inQuote = false;
  const q = dialect.quote;
  const esc = dialect.escape === '' ? q : dialect.escape;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuote) {
      if (ch === esc && esc !== q && i + 1 < text.length) {
        cur += text[++i];
      } else if (ch === q) {
        if (esc === q && text[i + 1] === q) {
          cur += q;
          i++;
        } else inQuote = false;
      } else cur += ch;
      continue;
    }
    if (ch === '\n') break;
    if (ch === '\r') continue;
    if (q !== '' && ch === q) inQuote = true;
    else if (text.startsWith(dialect.delimiter, i)) {
      fields.push(cur);
      cur = '';
      i += dialect.delimiter.length - 1;
    } else cur += ch;
  }
  if (cur !== '' || fields.length > 0) fields.push(cur);
  return fields;
}

/** Reads just the header record (from the first MiB), for binding a definition before any load. */
export async function readHeader(path: string, dialect: DelimitedDialect): Promise<string[]> {
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let start = 0;
    if (bytesRead >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
    return parseHeader(buf.subarray(start, bytesRead), dialect);
  } finally {
    await fh.close();
  }
}
