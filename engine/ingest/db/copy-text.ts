import type { DbValue } from './driver.ts';

/**
 * PostgreSQL's COPY text format, parsed as it streams: rows end with a newline,
 * columns are separated by tabs, `\N` is NULL, and a backslash escapes the
 * characters that would otherwise break the format (\b \f \n \r \t \v \\; the
 * server writes no octal or hex escapes, but they are read too).
 */
export async function* parseCopyText(chunks: AsyncIterable<Buffer>, batchRows: number): AsyncGenerator<DbValue[][]> {
  let carry: Buffer | undefined;
  let batch: DbValue[][] = [];
  for await (const chunk of chunks) {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      batch.push(parseLine(buf.toString('utf8', start, nl)));
      start = nl + 1;
      if (batch.length >= batchRows) {
        yield batch;
        batch = [];
      }
    }
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
  }
  if (carry && carry.length > 0) throw Object.assign(new Error('the COPY stream ended in the middle of a row'), { code: 'ECONNRESET' });
  if (batch.length > 0) yield batch;
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

export function parseLine(line: string): DbValue[] {
  return line.split('\t').map(unescapeField);
}

function unescapeField(f: string): DbValue {
  if (f === '\\N') return null;
  if (!f.includes('\\')) return f;
  return f.replace(/\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))/gs, (_m, oct: string | undefined, hex: string | undefined, ch: string | undefined) => {
    if (oct !== undefined) return String.fromCharCode(parseInt(oct, 8));
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
    return ESCAPES[ch!] ?? ch!;
  });
}
