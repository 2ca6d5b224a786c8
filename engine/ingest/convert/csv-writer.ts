/**
 * RFC-4180 CSV output (comma, '"' quoting with doubled quotes, '\n' line ends)
 * written through a file stream with backpressure, so no row set is ever held.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

/** Quotes a field only when it must be: it holds a comma, quote, CR or LF. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV record including its '\n'. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

const FLUSH_AT = 64 * 1024; // batch small lines into fewer, larger writes

/** The most bytes a file may get, and the error to throw instead of writing past it. */
export interface WriteLimit {
  maxBytes: number;
  tooLarge: () => Error;
}

/**
 * Appends text to a file, waiting for 'drain' whenever the stream buffer is full. With a
 * limit, a write that would take the file past it throws before any of it is written.
 */
export class TextFileWriter {
  private readonly stream: WriteStream;
  private pending = '';
  private failure: Error | undefined;
  private written = 0;

  constructor(
    path: string,
    private readonly limit?: WriteLimit,
  ) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
    // Keep an error that happens between writes; it is rethrown on the next call.
    this.stream.on('error', (err) => (this.failure ??= err));
  }

  /** Queues text; resolves once it is safe to write more. */
  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.stream.destroyed) throw new Error('write after the file was closed');
    this.pending += text;
    if (this.pending.length >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.pending;
    this.pending = '';
    if (chunk && this.limit) {
      const bytes = Buffer.byteLength(chunk);
      if (this.written + bytes > this.limit.maxBytes) {
        this.failure = this.limit.tooLarge();
        throw this.failure;
      }
      this.written += bytes;
    }
    if (chunk && !this.stream.write(chunk)) await once(this.stream, 'drain');
    if (this.failure) throw this.failure;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }

  /** Closes without flushing after a failure (the caller deletes the file). */
  async abort(): Promise<void> {
    this.stream.destroy();
    await finished(this.stream).catch(() => undefined);
  }
}
