import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionSchema } from '../definition/schema.ts';
import { writeWidePair, type WidePair } from '../run/testing/wide-files.ts';
import { inferDefinition } from './infer.ts';
import { runAndReadBreaks } from './testing/compare-runs.ts';
import type { InferenceResult } from './types.ts';

/**
 * Inference on a wide pair (1,500 columns of decimals, text, dates and
 * integers): it works within inference's DuckDB memory cap, types every
 * column, finds the key, maps every column, and the definition it proposes
 * finds exactly the planted breaks. The one-statement, all-pairs path
 * crashed DuckDB at 250 columns and ran out of memory at 5,000.
 */

const COLUMNS = 1500;
const ROWS = 300;

let dir: string;
let pair: WidePair;
let inferred: InferenceResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'recon-infer-wide-'));
  pair = writeWidePair(join(dir, 'files'), COLUMNS, ROWS, 11);
  inferred = await inferDefinition({ aPath: pair.aPath, bPath: pair.bPath });
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`inferDefinition on a ${COLUMNS}-column pair`, () => {
  it('proposes the key and every field with its type', () => {
    expect(definitionSchema.safeParse(inferred.definition).success).toBe(true);
    expect(inferred.definition.key).toEqual(['id']);
    expect(inferred.definition.fields).toEqual(pair.listed.fields);
    expect(inferred.report.questions).toEqual([]);
    expect(inferred.report.unmatched).toEqual({ a: [], b: [] });
    expect(inferred.report.key.overlap).toBeGreaterThan(0.99);
    // The planted differences are one record each: breaks to review, no rule.
    expect(inferred.report.rules.filter((r) => r.columnWide)).toEqual([]);
    expect(inferred.report.sample.matchedRecords).toBe(ROWS - 1);
  });

  it('proposes a definition that finds exactly the planted breaks', async () => {
    const { breaks, summary } = await runAndReadBreaks(pair.aPath, pair.bPath, inferred.definition, join(dir, 'ws'));
    const sorted = [...pair.expected].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.field < y.field ? -1 : x.field > y.field ? 1 : 0));
    // runAndReadBreaks writes decimals without trailing zeros.
    const trim = (field: string, v: string | null): string | null => (v !== null && field.endsWith('_dec') ? v.replace(/0+$/, '').replace(/\.$/, '') : v);
    expect(breaks.map(({ key, field, diff_type, value_a, value_b }) => ({ key, field, diff_type, value_a, value_b }))).toEqual(
      sorted.map((e) => ({ ...e, value_a: trim(e.field, e.value_a), value_b: trim(e.field, e.value_b) })),
    );
    expect(summary.checks.filter((c) => !c.passed)).toEqual([]);
  }, 120_000);
});

describe('inferDefinition on a wide pair whose B names some columns differently', () => {
  it('maps the renamed columns by their values, the others by name', async () => {
    const renamed = new Map([
      ['c0005_dec', 'amount_five'],
      ['c0010_str', 'label_ten'],
      ['c0015_dat', 'when_fifteen'],
      ['c0020_int', 'count_twenty'],
    ]);
    const p = writeWidePair(join(dir, 'renamed'), 400, 200, 3);
    const [header, ...rest] = readFileSync(p.bPath, 'utf8').split('\n');
    writeFileSync(p.bPath, [header!.split(',').map((c) => renamed.get(c) ?? c).join(','), ...rest].join('\n'));
    const { definition, report } = await inferDefinition({ aPath: p.aPath, bPath: p.bPath });
    expect(definition.key).toEqual(['id']);
    expect(definition.fields).toEqual(p.listed.fields!.map((f) => (renamed.has(f.name) ? { ...f, b: renamed.get(f.name) } : f)));
    expect(report.unmatched).toEqual({ a: [], b: [] });
  }, 120_000);
});
