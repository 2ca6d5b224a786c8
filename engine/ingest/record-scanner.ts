import { createReadStream } from 'node:fs';

/**
 * A quote-aware pass over delimited text that counts records and remembers
 * where multi-line records shift line numbers. It is independent of DuckDB's
 * parser on purpose: its record count is the "source rows" side of the
 * integrity check (source = staged + rejected), and its line map turns
 * DuckDB's record ordinals into the physical line numbers a person sees in an
 * editor. `readHeader` parses the header record.
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
  /** Physical line (1-based) where data record `n` (1-based) starts. */
  lineOfRecord(n: number): number;
}

const NL = 0x0a;
const CR = 0x0d;

/**
 * Scans a UTF-8 delimited text file; never holds more than one chunk. It jumps
 * between quotes and newlines with Buffer.indexOf (native) rather than looking
 * at every byte, which makes it ~4x faster on typical extracts.
 */
export async function scanDelimited(path: string, dialect: DelimitedDialect): Promise<ScanResult> {
  const quote = dialect.quote === '' ? -1 : dialect.quote.charCodeAt(0);
  const escape = dialect.escape === '' || dialect.escape === dialect.quote ? -1 : dialect.escape.charCodeAt(0);

  let line = 1; // physical line of the current position
  let recordStartLine = 1;
  let hasContent = false; // the current record has a byte other than CR
  let inQuote = false;
  let escaped = false;
  let skipped = 0;
  let headerDone = !dialect.header;
  let records = 0;
  let blankLines = 0;
  // Sparse map: [record ordinal, line - ordinal] recorded each time the offset changes.
  const shifts: number[] = [];
  let lastDelta = Number.NaN;

  const endRecord = (): void => {
    if (skipped < dialect.skipRows) skipped++;
    else if (!hasContent) {
      if (headerDone) blankLines++;
    } else if (!headerDone) headerDone = true;
    else {
      records++;
      const delta = recordStartLine - records;
      if (delta !== lastDelta) {
        shifts.push(records, delta);
        lastDelta = delta;
      }
    }
    hasContent = false;
    recordStartLine = line;
  };
  const spanHasContent = (chunk: Buffer, from: number, to: number): boolean => {
    for (let k = from; k < to; k++) if (chunk[k] !== CR) return true;
    return false;
  };

  let first = true;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let i = 0;
    if (first) {
      first = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    const end = chunk.length;
    while (i < end) {
      if (inQuote) {
        if (escape >= 0) {
          // A distinct escape character needs a byte-by-byte walk inside quotes (rare dialect).
          const b = chunk[i]!;
          if (escaped) escaped = false;
          else if (b === escape) escaped = true;
          else if (b === quote) inQuote = false;
          else if (b === NL) line++;
          i++;
          continue;
        }
        let q = chunk.indexOf(quote, i);
        if (q < 0) q = end;
        for (let nl = chunk.indexOf(NL, i); nl >= 0 && nl < q; nl = chunk.indexOf(NL, nl + 1)) line++;
        if (q < end) inQuote = false;
        i = q + 1;
        continue;
      }
      let nl = chunk.indexOf(NL, i);
      if (nl < 0) nl = end;
      let q = quote >= 0 ? chunk.indexOf(quote, i) : -1;
      if (q < 0 || q > nl) q = end;
      const stop = Math.min(nl, q);
      if (!hasContent && stop > i && spanHasContent(chunk, i, stop)) hasContent = true;
      if (stop === end) break;
      if (stop === nl) {
        line++;
        endRecord();
      } else {
        inQuote = true;
        hasContent = true;
      }
      i = stop + 1;
    }
  }
  if (hasContent) endRecord();

  return {
    records,
    blankLines,
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
