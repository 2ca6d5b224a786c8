/**
 * Counts what the entries of an xlsx zip inflate to while they stream, and stops the
 * file at the first limit it passes (see xlsx-limits.ts), before the bytes reach exceljs'
 * XML parser, its shared strings cache or a temp file. The sizes a zip states are checked
 * at once but not trusted: a hostile file can state anything, so every inflated byte is counted.
 */
import { once } from 'node:events';
import { WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { ConvertLimitError } from './errors.ts';
import { EXPANSION_FLOOR_BYTES, EXPANSION_RATIO, formatBytes, type XlsxLimits } from './xlsx-limits.ts';

/** The parts of an unzipper 0.10 entry we use (a PassThrough; unzipper pipes the inflated bytes into it). */
export interface ZipEntryStream extends NodeJS.ReadWriteStream {
  path?: string;
  vars?: { uncompressedSize?: number };
  _transform(chunk: Buffer, encoding: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void;
  destroy(err?: Error): this;
}

// The parts exceljs parses (the same patterns as its WorkbookReader, which does not anchor the sheet one).
const PARSED = /^(xl\/workbook\.xml|xl\/_rels\/workbook\.xml\.rels|xl\/styles\.xml|xl\/sharedStrings\.xml)$|xl\/worksheets\/sheet\d+[.]xml/;
const SHARED_STRINGS = 'xl/sharedStrings.xml';
const METADATA = /^(xl\/workbook\.xml|xl\/_rels\/workbook\.xml\.rels|xl\/styles\.xml)$/;
const LT = 0x3c; // '<'
const SI_END = Buffer.from('</si>');

export const EXPANSION_RULE = `max(${formatBytes(EXPANSION_FLOOR_BYTES)}, ${EXPANSION_RATIO} × the file's size)`;

interface EntryState {
  path: string;
  bytes: number;
  /** Bytes since the last '<' (parsed parts only). */
  sinceTag: number;
  /** Shared strings only: bytes since the last `</si>` up to `carry`, the tail of the last chunk a `</si>` may straddle. */
  sinceString: number;
  carry: Buffer;
}

export class ZipGuard {
  private total = 0;
  private error: ConvertLimitError | undefined;
  private readonly failed: Promise<never>;
  private rejectFailed: (err: Error) => void = () => undefined;
  /** exceljs' temp copies of sheets stored before the shared strings; it deletes them only after reading them. */
  private readonly spools = new Set<WriteStream>();

  constructor(
    private readonly file: string,
    private readonly limits: XlsxLimits,
  ) {
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined); // observed through race()
  }

  /** The limit error, once one was hit. */
  get failure(): ConvertLimitError | undefined {
    return this.error;
  }

  /**
   * Watches an entry the zip parser just emitted, before any of its data flows: every chunk is
   * counted on its way in, and the entry fails with the limit error at the first one too many.
   */
  watch(entry: ZipEntryStream): void {
    const state: EntryState = { path: entry.path ?? '', bytes: 0, sinceTag: 0, sinceString: 0, carry: Buffer.alloc(0) };
    entry.on('error', () => undefined); // whoever reads the entry sees the error; one nobody reads must not crash the process
    const pipe = entry.pipe.bind(entry);
    entry.pipe = <T extends NodeJS.WritableStream>(dest: T, options?: { end?: boolean }): T => {
      if (dest instanceof WriteStream) {
        // exceljs spooling a sheet to a temp file: after a failure that file would stay until exit.
        this.spools.add(dest);
        if (this.error) {
          void removeSpool(dest);
          return dest;
        }
      }
      return pipe(dest, options);
    };
    const declared = entry.vars?.uncompressedSize ?? 0;
    const early = this.check(state, declared, true);
    if (early) {
      this.fail(early);
      entry.destroy(early);
      return;
    }
    entry._transform = (chunk, _encoding, cb) => {
      const err = this.error ?? this.count(state, chunk);
      if (err) {
        this.fail(err);
        cb(err);
      } else cb(null, chunk);
    };
  }

  /** `p`, or the limit error as soon as one is hit: exceljs can be left waiting for an entry that was stopped. */
  race<T>(p: Promise<T>): Promise<T> {
    p.catch(() => undefined); // after a failure the loser's rejection is expected
    return Promise.race([p, this.failed]);
  }

  /** Removes exceljs' temp copies of sheets (it removes them itself only after reading them). */
  async cleanup(): Promise<void> {
    await Promise.all([...this.spools].map(removeSpool));
    this.spools.clear();
  }

  private fail(err: ConvertLimitError): void {
    if (this.error) return;
    this.error = err;
    this.rejectFailed(err);
  }

  /** A stated size (`declared`) or a chunk's size against the size limits. */
  private check(state: EntryState, bytes: number, declared: boolean): ConvertLimitError | undefined {
    const { maxUnzippedBytes, maxSharedStringsBytes, maxMetadataBytes } = this.limits;
    const how = declared ? 'states that it expands' : 'expands';
    if (this.total + bytes > maxUnzippedBytes) {
      return this.limitError(
        `the workbook ${how} to more than ${formatBytes(maxUnzippedBytes)} unzipped (at ${state.path}); an XLSX may expand to at most ${EXPANSION_RULE}`,
        state,
        'maxUnzippedBytes',
        maxUnzippedBytes,
      );
    }
    if (state.path === SHARED_STRINGS && state.bytes + bytes > maxSharedStringsBytes) {
      return this.limitError(
        `its shared strings table (${state.path}) ${how} to more than ${formatBytes(maxSharedStringsBytes)}, the most that is held in memory`,
        state,
        'maxSharedStringsBytes',
        maxSharedStringsBytes,
      );
    }
    if (METADATA.test(state.path) && state.bytes + bytes > maxMetadataBytes) {
      return this.limitError(
        `its part ${state.path} ${how} to more than ${formatBytes(maxMetadataBytes)}, the most such a part may (it is held in memory)`,
        state,
        'maxMetadataBytes',
        maxMetadataBytes,
      );
    }
    return undefined;
  }

  private count(state: EntryState, chunk: Buffer): ConvertLimitError | undefined {
    const sized = this.check(state, chunk.length, false);
    if (sized) return sized;
    state.bytes += chunk.length;
    this.total += chunk.length;
    if (!PARSED.test(state.path)) return undefined;
    const { maxNodeBytes, maxStringBytes } = this.limits;
    // The XML parser holds a text node or tag whole until the next '<'.
    state.sinceTag = openRun(chunk, LT, state.sinceTag, maxNodeBytes);
    if (state.sinceTag < 0) {
      return this.limitError(`${state.path} holds a value or tag longer than ${formatBytes(maxNodeBytes)}, the longest the reader holds`, state, 'maxNodeBytes', maxNodeBytes);
    }
    if (state.path === SHARED_STRINGS) {
      // exceljs joins a string's rich-text runs until </si>: bound that too.
      // The last bytes of the previous chunk go first, for a </si> split between chunks;
      // sinceString counts the run up to them (negative when it began inside them).
      const buf = state.carry.length > 0 ? Buffer.concat([state.carry, chunk]) : chunk;
      const open = openRun(buf, SI_END, state.sinceString, maxStringBytes);
      if (open < 0) {
        return this.limitError(`${state.path} holds a shared string longer than ${formatBytes(maxStringBytes)}, the longest the reader holds`, state, 'maxStringBytes', maxStringBytes);
      }
      state.carry = Buffer.from(buf.subarray(Math.max(0, buf.length - (SI_END.length - 1))));
      state.sinceString = open - state.carry.length;
    }
    return undefined;
  }

  private limitError(message: string, state: EntryState, limit: keyof XlsxLimits, limitBytes: number): ConvertLimitError {
    return new ConvertLimitError(message, { file: this.file, entry: state.path, limit, limitBytes });
  }
}

/** Closes a temp file's stream (its open may still be pending, and would re-create the file) and deletes the file. */
async function removeSpool(stream: WriteStream): Promise<void> {
  if (!stream.closed) {
    const closed = once(stream, 'close').catch(() => undefined);
    stream.destroy();
    await closed;
  }
  await rm(String(stream.path), { force: true });
}

/**
 * Length of the run of bytes without `needle` still open at the end of `buf`, given the run
 * `open` bytes long before it; -1 when some run is longer than `max`. Looks at about one
 * position per `max` bytes, not at every occurrence of the needle.
 */
export function openRun(buf: Buffer, needle: number | Buffer, open: number, max: number): number {
  const n = typeof needle === 'number' ? 1 : needle.length;
  let start = -open; // where the open run began, relative to buf
  for (;;) {
    // The next needle must begin at most `max` bytes after the run began.
    const at = buf.lastIndexOf(needle, Math.max(0, start + max));
    if (at >= 0 && at >= start) {
      start = at + n;
      continue;
    }
    return start + max < buf.length ? -1 : buf.length - start;
  }
}
