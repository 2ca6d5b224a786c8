import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

/** RFC 4180: quote a value holding the delimiter, a quote or a line break; double inner quotes. */
export function quoteField(value: string, delimiter: string): string {
  if (value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r')) {
    return `"${value.replaceAll('"', '""')}"`;
  }
  return value;
}

/** Bytes per chunk handed to the stream. */
const CHUNK_BYTES = 1 << 20;

/**
 * Encodes lines straight into 1 MiB byte chunks and writes them with backpressure
 * ('drain'), so millions of rows never sit in memory at once. Encoding at once (rather
 * than buffering strings and joining) lets each line's string die young, which keeps
 * the garbage collector out of the way.
 */
export class LineWriter {
  /** Data lines written so far (header excluded). */
  dataLines = 0;
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private full: Buffer[] = [];
  private failure: Error | undefined;

  private constructor(private readonly stream: WriteStream) {
    // Keep a listener so a write error (e.g. disk full) is reported, not an uncaught event.
    stream.on('error', (err) => {
      this.failure ??= err;
    });
  }

  /** Opens (truncates) a file for writing. */
  static open(path: string): LineWriter {
    return new LineWriter(createWriteStream(path, { highWaterMark: 4 * CHUNK_BYTES }));
  }

  /** True when filled chunks are waiting for flush(). */
  get needsFlush(): boolean {
    return this.full.length > 0;
  }

  /** Queues a header line (not counted as data). */
  header(line: string): void {
    this.append(line);
  }

  /** Queues one data line (must end with '\n'). */
  write(line: string): void {
    this.append(line);
    this.dataLines++;
  }

  /** Hands filled chunks (all = also the partial one) to the stream, honouring backpressure. */
  async flush(all = false): Promise<void> {
    if (this.failure) throw this.failure;
    if (all && this.used > 0) this.rotate();
    for (const chunk of this.full.splice(0)) {
      if (!this.stream.write(chunk)) await once(this.stream, 'drain');
      if (this.failure) throw this.failure;
    }
  }

  /** Flushes and closes; resolves once the file is fully written. */
  async close(): Promise<void> {
    await this.flush(true);
    this.stream.end();
    await finished(this.stream);
    if (this.failure) throw this.failure;
  }

  /** Abandons the file after an error elsewhere. */
  destroy(): void {
    this.stream.destroy();
  }

  /** Queues one already-encoded data line. */
  writeBytes(line: Uint8Array): void {
    if (CHUNK_BYTES - this.used < line.length) this.rotate();
    if (line.length > CHUNK_BYTES) {
      this.full.push(Buffer.from(line));
    } else {
      this.chunk.set(line, this.used);
      this.used += line.length;
    }
    this.dataLines++;
  }

  private append(line: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (CHUNK_BYTES - this.used < line.length * 3) {
      this.rotate();
      if (line.length * 3 > CHUNK_BYTES) {
        this.full.push(Buffer.from(line, 'utf8'));
        return;
      }
    }
    this.used += this.chunk.write(line, this.used, 'utf8');
  }

  private rotate(): void {
    if (this.used > 0) this.full.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
  }
}
