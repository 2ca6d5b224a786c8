import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import { runRecon } from '../run/run-recon.ts';
import { scanDelimited } from './record-scanner.ts';

/**
 * The scanner's longest record sizes DuckDB's line limit (load-source.ts):
 * it must never be shorter than a record DuckDB reads, quoted line breaks,
 * CRLF and records across the scanner's 1 MiB chunks included.
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-scanner-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dialect = { delimiter: ',', quote: '"', escape: '"', header: true, skipRows: 0 };

describe('longest record', () => {
  it('counts quoted line breaks, CRLF and records across chunks', async () => {
    const long = `2,"${'y'.repeat(1_500_000)}\r\n${'z'.repeat(1_000_000)}"\r\n`;
    const path = join(dir, 'mixed.csv');
    writeFileSync(path, `id,v\r\n1,short\r\n${long}3,end`);
    const scan = await scanDelimited(path, dialect);
    expect(scan.records).toBe(3);
    expect(scan.longestRecordBytes).toBe(Buffer.byteLength(long));
  });

  it('lets a record longer than DuckDB’s default limit load', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    writeFileSync(a, `id,v\n1,${'x'.repeat(3_000_000)}\n2,"two\nlines ${'x'.repeat(2_500_000)}"\n3,c\n`);
    writeFileSync(b, 'id,v\n3,c\n');
    const summary = await runRecon({
      aPath: a,
      bPath: b,
      workspace: join(dir, 'ws'),
      definition: validateDefinition({
        name: 'long lines',
        key: ['id'],
        sources: { a: { format: 'csv' }, b: { format: 'csv' } },
        fields: [{ name: 'id', type: 'string' }, { name: 'v', type: 'string' }],
      }),
    });
    expect(summary.counts).toMatchObject({ a: 3, rejectedA: 0, matched: 1, missingInB: 2 });
    expect(summary.checks.every((c) => c.passed)).toBe(true);
  });
});
