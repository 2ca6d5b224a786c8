import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { previewFile } from '../host/preview.ts';
import { inferDefinition } from '../infer/infer.ts';
import { loadSource, prepareSource } from './load-source.ts';
import { tempDirsPerTest } from './testing/temp-dirs.ts';

/**
 * JSON and NDJSON written with a UTF-8 byte order mark (Windows PowerShell,
 * .NET) read as without it, as CSV does: in a run's load, in preview and in
 * inference, every record and its values.
 */

const tempDir = tempDirsPerTest('recon-json-bom-');
const BOM = '\uFEFF';
const FILES = {
  'a.json': `${BOM}[{"id":"1","amount":10.5},\n{"id":"2","amount":-3}]\n`,
  'a.ndjson': `${BOM}{"id":"1","amount":10.5}\n{"id":"2","amount":-3}\n`,
};

describe('JSON with a byte order mark', () => {
  it.each(Object.entries(FILES))('%s loads every record, previews and infers', async (name, text) => {
    const dir = tempDir();
    const path = join(dir, name);
    writeFileSync(path, text, 'utf8');
    const db = await openDuckDB({ path: ':memory:' });
    try {
      const ctx = { conn: db.connection, scratchDir: dir };
      const prepared = await prepareSource(ctx, 'a', path, {});
      expect(prepared.columns).toEqual(['id', 'amount']);
      const loaded = await loadSource(ctx, prepared);
      expect(loaded.sourceRecords).toBe(2);
      expect(await queryRows(db.connection, `SELECT id, amount FROM ${loaded.rawRelation} r ORDER BY id`)).toEqual([
        { id: '1', amount: '10.5' },
        { id: '2', amount: '-3' },
      ]);
    } finally {
      db.close();
    }
    const preview = await previewFile(dir, { path, side: 'a', source: {}, limit: 10 });
    expect(preview.rows).toEqual([
      ['1', '10.5'],
      ['2', '-3'],
    ]);
    const b = join(dir, 'b.csv');
    writeFileSync(b, 'id,amount\n1,10.5\n2,-3\n');
    const { definition } = await inferDefinition({ aPath: path, bPath: b });
    expect(definition.key).toEqual(['id']);
  });
});
