import { describe, expect, it } from 'vitest';
import { parseCopyText } from './copy-text.ts';

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p, 'utf8');
}

async function all(it: AsyncIterable<(string | null)[][]>): Promise<(string | null)[][][]> {
  const out = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('COPY text format', () => {
  it('splits rows across chunks (even inside a multi-byte character), unescapes, and reads \\N as NULL', async () => {
    const euro = Buffer.from('€', 'utf8');
    const text = Buffer.concat([Buffer.from('1\ta\\tb\\nc\\\\d\t\\N\n2\t'), euro, Buffer.from('\t\n')]);
    async function* split(): AsyncGenerator<Buffer> {
      yield text.subarray(0, 5);
      yield text.subarray(5, 20);
      yield text.subarray(20, 21); // inside the euro sign
      yield text.subarray(21);
    }
    expect(await all(parseCopyText(split(), 10))).toEqual([[['1', 'a\tb\nc\\d', null], ['2', '€', '']]]);
  });

  it('yields batches of the size asked for', async () => {
    const batches = await all(parseCopyText(chunks('1\n2\n3\n', '4\n5\n'), 2));
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it('a stream that stops in the middle of a row is an error, not a short row', async () => {
    await expect(all(parseCopyText(chunks('1\tx\n2\ty'), 10))).rejects.toThrow(/middle of a row/);
  });
});
