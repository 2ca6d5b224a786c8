import { describe, it, expect } from 'vitest';
import { PassThrough } from 'node:stream';
import { xlsxLimits } from './xlsx-limits.ts';
import { openRun, ZipGuard, type ZipEntryStream } from './zip-guard.ts';

describe('openRun', () => {
  const lt = 0x3c;
  it('measures the run without the needle still open at the end, or -1 past the limit', () => {
    expect(openRun(Buffer.from('ab<cd<efg'), lt, 0, 5)).toBe(3);
    expect(openRun(Buffer.from('abcde<f'), lt, 0, 5)).toBe(1);
    expect(openRun(Buffer.from('abcdef<'), lt, 0, 5)).toBe(-1);
    expect(openRun(Buffer.from('abc'), lt, 3, 5)).toBe(-1); // 3 before + 3 now
    expect(openRun(Buffer.from('ab'), lt, 3, 5)).toBe(5);
    expect(openRun(Buffer.from('<'.repeat(10)), lt, 5, 5)).toBe(0);
  });

  it('checks every window of a chunk much longer than the limit', () => {
    const ok = Buffer.from(`${'x'.repeat(5)}<`.repeat(1000));
    expect(openRun(ok, lt, 0, 5)).toBe(0);
    const bad = Buffer.from(`${'x'.repeat(5)}<`.repeat(500) + 'x'.repeat(6) + `<${'x'.repeat(5)}`.repeat(500));
    expect(openRun(bad, lt, 0, 5)).toBe(-1);
  });
});

describe('ZipGuard on the shared strings part', () => {
  /** Feeds `chunks` through a watched entry; resolves to the limit named by the error, if any. */
  async function feed(chunks: string[], maxStringBytes: number): Promise<string | undefined> {
    const guard = new ZipGuard('book.xlsx', xlsxLimits(1_000_000, { maxStringBytes, maxNodeBytes: 1_000 }));
    const entry = Object.assign(new PassThrough(), { path: 'xl/sharedStrings.xml', vars: { uncompressedSize: 0 } });
    guard.watch(entry as unknown as ZipEntryStream);
    entry.resume();
    for (const c of chunks) entry.write(Buffer.from(c));
    entry.end();
    await new Promise<void>((resolve) => {
      entry.on('end', resolve);
      entry.on('error', () => resolve());
    });
    return guard.failure?.details.limit;
  }

  it('finds a </si> split between chunks at any point', async () => {
    // Strings of 60 bytes between </si> tags; the limit is 60: every split must still find the tag.
    const text = `${'<si><t>a</t></si>'}${`${'<r><t>bbbb</t></r>'.repeat(3)}</si>`.repeat(4)}`;
    for (let cut = 1; cut < text.length; cut++) {
      expect(await feed([text.slice(0, cut), text.slice(cut)], 60), `cut at ${cut}`).toBeUndefined();
    }
    expect(await feed([text], 53)).toBe('maxStringBytes');
  });
});
