/**
 * How far an XLSX may expand while we convert it. An .xlsx is a zip of XML: a few KB can
 * inflate to gigabytes (one highly compressible shared string, a padded XML part), and a
 * small sheet can still write gigabytes of CSV (rows padded to a far column, one long
 * shared string referenced by every cell). Each limit is checked while streaming, before
 * the bytes are held or written, so a hostile file fails within the limit, not after.
 *
 * Expansion limits scale with the file: at most max(64 MiB, 200 × the file's size).
 * Spreadsheets written by Excel or exceljs inflate 3–15× and give 1–50× their size as CSV
 * (50× for long repeated shared strings), while deflate bombs reach ~1000×; 200× leaves
 * real workbooks a wide margin, and the 64 MiB floor keeps small files from being refused
 * for what a few hundred KB of XML can legitimately hold.
 */

export interface XlsxLimits {
  /** Decompressed bytes of all zip entries together (every entry counts: parsed, spooled or skipped). */
  maxUnzippedBytes: number;
  /** Decompressed bytes of xl/sharedStrings.xml, which exceljs holds in memory whole. */
  maxSharedStringsBytes: number;
  /** Decompressed bytes of each of workbook.xml, its relationships and styles.xml, also held in memory. */
  maxMetadataBytes: number;
  /** Bytes of CSV written (and of the row spool written when the width is known only at the end). */
  maxOutputBytes: number;
  /** Bytes of one XML text node or tag (between two '<') in the parts we parse: the XML parser holds it whole. */
  maxNodeBytes: number;
  /** XML bytes of one shared string (`<si>`…`</si>`), however many rich-text runs it is split into. */
  maxStringBytes: number;
  /** Bytes of one CSV record, `__line` and line end included: what the CSV reader accepts. */
  maxRecordBytes: number;
}

export const EXPANSION_FLOOR_BYTES = 64 * 1024 * 1024;
export const EXPANSION_RATIO = 200;
/** The shared strings table is held in memory: never more than this, whatever the file's size. */
export const MAX_SHARED_STRINGS_BYTES = 1024 * 1024 * 1024;
/**
 * workbook.xml, its relationships and styles.xml are parsed into objects held in memory. Excel
 * allows about 65,000 cell formats in a workbook, some 10 MB of XML: 64 MiB is far above real files.
 */
export const MAX_METADATA_BYTES = 64 * 1024 * 1024;
/**
 * DuckDB's default max_line_size (2,000,000 bytes), which the reads of a converted sheet use
 * (load-source's loadXlsx, the file preview), less room for how DuckDB counts a record.
 */
export const MAX_RECORD_BYTES = 2_000_000 - 64 * 1024;
/** Excel's grid: no sheet has more rows or columns (XFD). */
export const MAX_SHEET_ROWS = 1_048_576;
export const MAX_SHEET_COLUMNS = 16_384;

/** The limits for converting a file of `fileBytes`; tests pass smaller ones. */
export function xlsxLimits(fileBytes: number, overrides: Partial<XlsxLimits> = {}): XlsxLimits {
  const expansion = Math.max(EXPANSION_FLOOR_BYTES, EXPANSION_RATIO * fileBytes);
  return {
    maxUnzippedBytes: expansion,
    maxSharedStringsBytes: Math.min(expansion, MAX_SHARED_STRINGS_BYTES),
    maxMetadataBytes: Math.min(expansion, MAX_METADATA_BYTES),
    maxOutputBytes: expansion,
    maxNodeBytes: 8 * 1024 * 1024,
    maxStringBytes: 16 * 1024 * 1024, // runs add markup around the text
    maxRecordBytes: MAX_RECORD_BYTES,
    ...overrides,
  };
}

/** 67108864 → "64 MiB", 1536 → "1.5 KiB": sizes for messages (binary units, at most one decimal). */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${n} bytes`;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}
