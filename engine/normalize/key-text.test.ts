import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { runRecon } from '../run/run-recon.ts';
import { stageRunsInFile } from '../run/testing/stage-in-file.ts';

/**
 * `__key_text` is the key as the file spells it, trimmed. Staging takes it from the
 * key field's clean column where that is the same text (a trimmed field without NULL
 * markers: stage.ts), else trims the raw text itself; either way it must be the
 * file's trimmed spelling, which the key hash check compares with an independent read.
 */

// These read every staged row back from the run's file.
stageRunsInFile();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-key-text-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function keyTexts(name: string, lines: string[], field: Record<string, unknown>, nullValues?: string[]): Promise<{ texts: unknown[]; failed: string[] }> {
  const aPath = join(dir, `${name}-a.csv`);
  const bPath = join(dir, `${name}-b.csv`);
  writeFileSync(aPath, ['id,v', ...lines, ''].join('\n'));
  writeFileSync(bPath, ['id,v', '7,1', ''].join('\n'));
  const source = { format: 'csv' as const, ...(nullValues ? { nullValues } : {}) };
  const summary = await runRecon({
    aPath,
    bPath,
    workspace: join(dir, 'ws'),
    definition: validateDefinition({ name, key: ['id'], sources: { a: source, b: source }, fields: [{ name: 'id', ...field }, { name: 'v' }] }),
  });
  const db = await openDuckDB({ path: summary.database, readOnly: true });
  try {
    const texts = await queryRows(db.connection, 'SELECT __key_text AS t, __bad AS bad FROM a ORDER BY __rid');
    return { texts, failed: summary.checks.filter((c) => !c.passed).map((c) => c.name) };
  } finally {
    db.close();
  }
}

describe('the key as the file spells it', () => {
  it('is trimmed, from the clean column of a trimmed key', async () => {
    expect(await keyTexts('trimmed', [' 7 ,1', '\t8\u00a0,2', '"9\r\n",3'], {})).toEqual({
      texts: [{ t: '7', bad: false }, { t: '8', bad: false }, { t: '9', bad: false }],
      failed: [],
    });
  });

  it('keeps a NULL marker as spelled, though the key is then empty', async () => {
    const got = await keyTexts('markers', [' 7 ,1', ' N/A ,2'], {}, ['N/A']);
    expect(got.texts).toEqual([{ t: '7', bad: false }, { t: 'N/A', bad: true }]);
  });

  it('is trimmed even where the key field is not', async () => {
    const got = await keyTexts('untrimmed', ['7,1', ' 8 ,2'], { trim: false });
    expect(got.texts).toEqual([{ t: '7', bad: false }, { t: '8', bad: false }]);
  });
});
