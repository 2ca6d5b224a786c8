import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanDelimited, type DelimitedDialect } from './record-scanner.ts';

/**
 * The record scanner against a byte-by-byte reference written for this test,
 * on many seeded random files: no quotes, CRLF, lone CR, BOM, mixed content,
 * and records straddling the scanner's 1 MiB chunks (a CR, a quote, an
 * escaped quote or a two-byte delimiter split across two chunks). And the
 * amount of searching it does, counted, which must grow with the file and not
 * with lines × chunk size (files without a quote were ~30x slower for that).
 */

const CHUNK = 1 << 20;
const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-scanner-xcheck-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Reference {
  records: number;
  blankLines: number;
  blankLinesBeforeHeader: number;
  longestRecordBytes: number;
  /** Physical line of data record n at [n - 1]. */
  recordLines: number[];
  /** DuckDB's entries after the header: the data record an entry is, 0 for a blank line. */
  entryRecords: number[];
}

/**
 * What the scanner promises, one byte at a time, the way DuckDB's reader
 * splits records: LF, CRLF and a lone CR end a line; a quote opens a quoted
 * value only where a field starts (after the line start or a delimiter, spaces
 * allowed), right after a closing quote it is an escaped quote (`""`), and
 * elsewhere it is a literal character; a distinct escape character escapes
 * the byte after it inside quotes.
 */
function referenceScan(bytes: Uint8Array, d: DelimitedDialect): Reference {
  const quote = d.quote === '' ? -1 : d.quote.charCodeAt(0);
  const escape = d.escape === '' || d.escape === d.quote ? -1 : d.escape.charCodeAt(0);
  const delim = Buffer.from(d.delimiter, 'utf8');
  const n = bytes.length;
  const out: Reference = { records: 0, blankLines: 0, blankLinesBeforeHeader: 0, longestRecordBytes: 0, recordLines: [], entryRecords: [] };
  let line = 1;
  let recordStartLine = 1;
  let recordStart = 0;
  let hasContent = false;
  let inQuote = false;
  let escaped = false;
  let fieldStart = true;
  let afterClose = false;
  let skipped = 0;
  let headerDone = !d.header;
  const endsWithDelimiter = (p: number): boolean => {
    if (p + 1 < delim.length) return false;
    for (let k = 0; k < delim.length; k++) if (bytes[p - k] !== delim[delim.length - 1 - k]) return false;
    return true;
  };
  const endRecord = (at: number): void => {
    out.longestRecordBytes = Math.max(out.longestRecordBytes, at - recordStart);
    recordStart = at;
    if (skipped < d.skipRows) skipped++;
    else if (!hasContent) {
      if (headerDone) {
        out.blankLines++;
        out.entryRecords.push(0);
      } else out.blankLinesBeforeHeader++;
    } else if (!headerDone) headerDone = true;
    else {
      out.records++;
      out.recordLines.push(recordStartLine);
      out.entryRecords.push(out.records);
    }
    hasContent = false;
    fieldStart = true;
    afterClose = false;
    recordStartLine = line;
  };
  const bom = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  for (let p = bom ? 3 : 0; p < n; p++) {
    const b = bytes[p]!;
    const loneCR = b === CR && bytes[p + 1] !== NL;
    if (inQuote) {
      if (escape >= 0) {
        if (escaped) escaped = false;
        else if (b === escape) escaped = true;
        else if (b === quote) inQuote = false;
        else if (b === NL) line++;
      } else if (b === quote) {
        inQuote = false;
        afterClose = true;
      } else if (b === NL || loneCR) line++;
      continue;
    }
    if (b === NL || loneCR) {
      line++;
      endRecord(p + 1);
      continue;
    }
    if (b === CR) continue; // the CR of a CRLF
    hasContent = true;
    if (b === quote) {
      if ((escape < 0 && afterClose) || fieldStart) inQuote = true;
      fieldStart = false;
      afterClose = false;
      continue;
    }
    afterClose = false;
    if (endsWithDelimiter(p)) fieldStart = true;
    else if (b !== SPACE) fieldStart = false;
  }
  if (hasContent) endRecord(n);
  return out;
}

/** mulberry32: the same seed, the same files. */
function rng(seed: number): { next(): number; int(lo: number, hi: number): number; pick<T>(xs: readonly T[]): T } {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (xs) => xs[Math.floor(next() * xs.length)]! };
}
type Rng = ReturnType<typeof rng>;

type LineEnd = '\n' | '\r\n' | '\r';
interface Profile {
  name: string;
  dialect: DelimitedDialect;
  /** Line ends drawn from. */
  ends: LineEnd[];
  /** Weight of quote-related tokens (0: the file has no quote character at all). */
  quotes: number;
  bom: boolean;
}

/** Random text in the profile's dialect: values, delimiters, spaces, quoted values, stray quotes, escapes, blank lines. */
function randomText(r: Rng, p: Profile, tokens: number): string {
  const { delimiter: dl, quote: q, escape } = p.dialect;
  const parts: string[] = [];
  const end = (): string => r.pick(p.ends);
  for (let t = 0; t < tokens; t++) {
    const x = r.next();
    if (x < 0.3) parts.push(r.pick(['a', 'bc', '12', 'x y', 'é', '€5', '1234,56', '31.12.2024', 'Z']));
    else if (x < 0.5) parts.push(dl);
    else if (x < 0.58) parts.push(' '.repeat(r.int(1, 3)));
    else if (x < 0.72) parts.push(end());
    else if (x < 0.75) parts.push(end() + end()); // a blank line
    else if (x < 0.77) parts.push(r.pick(['\r', '\n', '\r\n', '\n\r'])); // mixed line ends
    else if (x < 0.77 + 0.23 * p.quotes && q !== '') {
      const y = r.next();
      if (y < 0.4) parts.push(`${q}${r.pick(['v', `a${dl}b`, `l1${end()}l2`, `${q}${q}`, `x${q}${q}y`, ' ', ''])}${q}`);
      else if (y < 0.55) parts.push(`${dl}${' '.repeat(r.int(0, 2))}${q}in${end()}side${q}`);
      else if (y < 0.7) parts.push(`12${q}5`); // a stray quote inside a value
      else if (y < 0.8) parts.push(q); // an opening or closing quote on its own
      else if (y < 0.9 && escape !== '' && escape !== q) parts.push(`${q}e${escape}${q}e${escape}${escape}${q}`);
      else parts.push(`${q}${q}`);
    } else parts.push(r.pick(['k', '0', 'value', '-']));
  }
  return parts.join('');
}

const PROFILES: Profile[] = [
  { name: 'no quotes, comma, LF', dialect: { delimiter: ',', quote: '"', escape: '"', header: true, skipRows: 0 }, ends: ['\n'], quotes: 0, bom: false },
  { name: 'no quotes, semicolon, CRLF', dialect: { delimiter: ';', quote: '"', escape: '"', header: true, skipRows: 0 }, ends: ['\r\n'], quotes: 0, bom: false },
  { name: 'no quotes, lone CR', dialect: { delimiter: ',', quote: '"', escape: '"', header: true, skipRows: 1 }, ends: ['\r'], quotes: 0, bom: false },
  { name: 'quoted, LF, BOM', dialect: { delimiter: ',', quote: '"', escape: '"', header: true, skipRows: 0 }, ends: ['\n'], quotes: 1, bom: true },
  { name: 'quoted, CRLF, BOM', dialect: { delimiter: ';', quote: '"', escape: '"', header: true, skipRows: 0 }, ends: ['\r\n'], quotes: 1, bom: true },
  { name: 'quoted, lone CR', dialect: { delimiter: '\t', quote: '"', escape: '"', header: false, skipRows: 0 }, ends: ['\r'], quotes: 1, bom: false },
  { name: 'mixed line ends', dialect: { delimiter: '|', quote: "'", escape: "'", header: true, skipRows: 2 }, ends: ['\n', '\r\n', '\r'], quotes: 0.5, bom: false },
  { name: 'backslash escape', dialect: { delimiter: ',', quote: '"', escape: '\\', header: true, skipRows: 0 }, ends: ['\n', '\r\n'], quotes: 1, bom: true },
  { name: 'two-byte delimiter', dialect: { delimiter: '~|', quote: '"', escape: '"', header: true, skipRows: 0 }, ends: ['\n', '\r\n'], quotes: 1, bom: false },
  { name: 'quoting off', dialect: { delimiter: ',', quote: '', escape: '', header: false, skipRows: 0 }, ends: ['\n', '\r'], quotes: 0, bom: false },
];

let fileNo = 0;
async function crossCheck(bytes: Buffer, d: DelimitedDialect, label: string): Promise<void> {
  const path = join(dir, `f${fileNo++}.csv`);
  writeFileSync(path, bytes);
  const scan = await scanDelimited(path, d);
  rmSync(path);
  const ref = referenceScan(bytes, d);
  const got = { records: scan.records, blankLines: scan.blankLines, blankLinesBeforeHeader: scan.blankLinesBeforeHeader, longestRecordBytes: scan.longestRecordBytes };
  const want = { records: ref.records, blankLines: ref.blankLines, blankLinesBeforeHeader: ref.blankLinesBeforeHeader, longestRecordBytes: ref.longestRecordBytes };
  expect(got, label).toEqual(want);
  for (let k = 1; k <= ref.records; k++) {
    if (scan.lineOfRecord(k) !== ref.recordLines[k - 1]) expect(`${label}: line of record ${k} = ${scan.lineOfRecord(k)}`).toBe(`${label}: line of record ${k} = ${ref.recordLines[k - 1]}`);
  }
  ref.entryRecords.forEach((rec, i) => {
    if (rec > 0 && scan.recordOfEntry(i + 1) !== rec) expect(`${label}: record of entry ${i + 1} = ${scan.recordOfEntry(i + 1)}`).toBe(`${label}: record of entry ${i + 1} = ${rec}`);
  });
}

const withBom = (p: Profile, text: string): Buffer => Buffer.concat([p.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);

/** Well-formed lines of the profile's dialect, about `bytes` long. */
function filler(r: Rng, p: Profile, bytes: number): string {
  const { delimiter: dl, quote: q } = p.dialect;
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const quoted = p.quotes > 0 && q !== '' && r.next() < 0.3;
    const l = `T${r.int(1, 1e8)}${dl}${quoted ? `${q}ACME${dl} INC${q}` : 'ACME INC'}${dl} 12,5 ${dl}31/12/2024${r.pick(p.ends)}`;
    lines.push(l);
    size += Buffer.byteLength(l);
  }
  return lines.join('');
}

describe('scanDelimited against a byte-by-byte reference', () => {
  it('the reference itself reads a few known files as DuckDB does', () => {
    const d = { delimiter: ',', quote: '"', escape: '"', header: true, skipRows: 0 };
    const ref = (s: string): Reference => referenceScan(Buffer.from(s), d);
    expect(ref('h\n1,"a\nb"\n\n2\r\n3')).toMatchObject({ records: 3, blankLines: 1, recordLines: [2, 5, 6], entryRecords: [1, 0, 2, 3] });
    expect(ref('h\r1\r2\r')).toMatchObject({ records: 2, recordLines: [2, 3] });
    expect(ref('h\n1,12"5\n2\n')).toMatchObject({ records: 2, recordLines: [2, 3] }); // a stray quote is literal
    expect(ref('h\n1, "a""\nb"\n2\n')).toMatchObject({ records: 2, recordLines: [2, 4] }); // "" inside quotes
    expect(ref('\uFEFFh\n\r\n1\n')).toMatchObject({ records: 1, blankLines: 1, longestRecordBytes: 5 });
  });

  it('agrees on many small random files of every dialect', async () => {
    for (const [pi, p] of PROFILES.entries()) {
      for (let seed = 1; seed <= 40; seed++) {
        const r = rng(1000 * pi + seed);
        const text = randomText(r, p, r.int(0, 300));
        await crossCheck(withBom(p, text), p.dialect, `${p.name}, seed ${seed}`);
      }
    }
  });

  it('agrees when records straddle the 1 MiB chunks', async () => {
    for (const [pi, p] of PROFILES.entries()) {
      for (let seed = 1; seed <= 6; seed++) {
        const r = rng(7919 * pi + seed);
        // A random stretch of ~2 KB with the chunk boundary somewhere inside it.
        const head = withBom(p, filler(r, p, CHUNK - 4096));
        const pad = CHUNK - head.length - r.int(1, 1500);
        const bytes = Buffer.concat([head, Buffer.from(`${'x'.repeat(Math.max(0, pad))}\n${randomText(r, p, 400)}`), Buffer.from(filler(r, p, 5000))]);
        await crossCheck(bytes, p.dialect, `${p.name}, straddling, seed ${seed}`);
      }
    }
  });

  it('agrees when a CR, a quote, an escaped quote or a delimiter is split by the chunk boundary', async () => {
    const quoted: DelimitedDialect = { delimiter: ',', quote: '"', escape: '"', header: true, skipRows: 0 };
    const twoByte: DelimitedDialect = { ...quoted, delimiter: '~|' };
    // `^` marks the chunk boundary: the bytes before it end the first chunk.
    const cases: Array<[string, DelimitedDialect]> = [
      ['a,b\r^\nc,d\n', quoted], // CRLF split
      ['a,b\r^c,d\n', quoted], // lone CR at a chunk end
      ['a,b\r^\r\nc\n', quoted], // lone CR, then CRLF
      ['a,"b\r^\nc",d\n', quoted], // CRLF inside quotes
      ['a,"b\r^c",d\n', quoted], // lone CR inside quotes
      ['a,"b^\nc",d\n', quoted], // quoted value across chunks
      ['a,^"b\nc",d\n', quoted], // opening quote first in a chunk
      ['a,"^b\nc",d\n', quoted], // opening quote last in a chunk
      ['a,"b"^"\nc",d\n', quoted], // escaped quote split
      ['a,"b""^\nc",d\n', quoted], // escaped quote last in a chunk
      ['a,"b"^,"c\nd"\n', quoted], // closing quote last in a chunk
      ['a,"b"  ^"c\nd"\n', quoted], // a quote after a closing quote and spaces is literal
      ['a,x"^\nb\n', quoted], // stray quote last in a chunk
      ['a,   ^  "b\nc"\n', quoted], // spaces before the quote across chunks
      ['a~|b~^|"c\nd"\n', twoByte], // the delimiter split
      ['a~|b~|^"c\nd"\n', twoByte],
      ['a~|b~^"c\nd"\n', twoByte], // not a delimiter: the quote is literal
      ['\r\n^\r\n\r\nh\n1\n', quoted], // blank lines
    ];
    for (const [spec, d] of cases) {
      const [before, after] = spec.split('^') as [string, string];
      for (const shift of [-2, -1, 0, 1, 2]) {
        // The split exactly on the boundary, and the boundary a few bytes either side of it.
        const length = CHUNK - Buffer.byteLength(before) - shift;
        const head = `${filler(rng(length), PROFILES[0]!, length).slice(0, length - 1)}\n`;
        await crossCheck(Buffer.from(`${head}${before}${after}q,r\n`), d, `${JSON.stringify(spec)} shifted ${shift}`);
      }
    }
  });
});

describe('scanDelimited searches each byte a bounded number of times', () => {
  /**
   * Bytes examined by Buffer#indexOf for a line break or a quote while `fn` runs. (The
   * whitespace proof, ScanResult.onlySpacesPad, looks for tab, VT and FF once per chunk,
   * a fixed 3 searches per byte that do not depend on the lines.)
   */
  async function bytesSearched(fn: () => Promise<unknown>): Promise<number> {
    const original = Buffer.prototype.indexOf;
    let searched = 0;
    Buffer.prototype.indexOf = function (this: Buffer, value: string | number | Uint8Array, byteOffset?: number | BufferEncoding, encoding?: BufferEncoding): number {
      const at = original.call(this, value, byteOffset as number, encoding);
      if (value !== NL && value !== CR && value !== 0x22) return at;
      const from = typeof byteOffset === 'number' ? byteOffset : 0;
      searched += (at < 0 ? this.length : at + 1) - from;
      return at;
    };
    try {
      await fn();
    } finally {
      Buffer.prototype.indexOf = original;
    }
    return searched;
  }

  const dialect = { delimiter: ',', quote: '"', escape: '"', header: true, skipRows: 0 };
  const line = 'T00000001,2024-06-26,2024-06-28,SELL,WEYLAND-YUTANI CORPORATION,DE025X323630,3600,2.1960,7905.60,EUR,ARB2';
  for (const [name, text] of [
    ['no quote character', `${line}\n`],
    ['CRLF', `${line}\r\n`],
    ['lone CR', `${line}\r`],
    ['a quoted value now and then', `${line}\n${line}\n${line.replace('WEYLAND-YUTANI CORPORATION', '"WAYNE, INC"')}\n`],
  ] as const) {
    it(`at most 4 searches per byte: ${name}`, async () => {
      const path = join(dir, 'work.csv');
      const bytes = Buffer.from(`h\n${text.repeat(Math.ceil((2.5 * CHUNK) / text.length))}`);
      writeFileSync(path, bytes);
      const searched = await bytesSearched(() => scanDelimited(path, dialect));
      expect(searched / bytes.length).toBeLessThan(4);
    });
  }
});
