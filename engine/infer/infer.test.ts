import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definitionSchema, type DefinitionInput } from '../definition/schema.ts';
import { generateExtracts } from '../generate/generate-extracts.ts';
import { inferDefinition } from './infer.ts';
import { runAndReadBreaks } from './testing/compare-runs.ts';
import type { InferProgress } from './types.ts';

/**
 * On generated extracts, the definition inferred from the two files alone
 * finds exactly the breaks the hand-written definition finds: same keys,
 * fields, diff types and values, for several seeds, whether the sample holds
 * the whole file or a few per cent of it.
 */

async function compareOnGenerated(seed: number, rows: number, sampleRows?: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `recon-infer-gen${seed}-`));
  const g = await generateExtracts({ rows, outDir: dir, seed });
  const handWritten = JSON.parse(readFileSync(g.definitionPath, 'utf8')) as DefinitionInput;
  const progress: InferProgress[] = [];
  const inferred = await inferDefinition({ aPath: g.aPath, bPath: g.bPath, ...(sampleRows ? { sampleRows } : {}) }, { onProgress: (p) => progress.push(p) });
  expect(definitionSchema.safeParse(inferred.definition).success).toBe(true);
  expect(inferred.definition.key).toEqual(['TradeID']);
  // The extracts carry a few injected duplicate keys: the only question is whether a better key exists, and its numbers are the report's.
  const { key, questions } = inferred.report;
  const duplicates = key.duplicatesA + key.duplicatesB;
  expect(questions.map((q) => q.message)).toEqual(duplicates > 0 ? [expect.stringMatching(/^Key TradeID ↔ trade_ref is not unique: \d+ duplicate keys? \(/)] : []);
  expect(key.reason).toMatch(duplicates > 0 ? /never empty, but not unique/ : /unique and never empty/);
  expect(progress.at(-1)?.overall).toBe(1);
  expect(progress.map((p) => p.overall)).toEqual([...progress.map((p) => p.overall)].sort((x, y) => x - y));

  const expected = await runAndReadBreaks(g.aPath, g.bPath, handWritten);
  const actual = await runAndReadBreaks(g.aPath, g.bPath, inferred.definition);
  expect(actual.breaks.length).toBe(expected.breaks.length);
  expect(actual.breaks).toEqual(expected.breaks);
  const { counts } = expected.summary;
  expect(actual.summary.counts).toEqual(counts);
  expect(actual.summary.checksPassed).toBe(expected.summary.checksPassed);
  if (!sampleRows) {
    // Sampled whole, the duplicates the report counts (one extra record each) are the run's duplicated keys.
    const dupKeys = new Set(expected.breaks.filter((b) => b.diff_type === 'DUPLICATE_KEY').map((b) => b.key));
    expect(duplicates).toBe(dupKeys.size);
  }
}

describe('inferDefinition on generated extracts', () => {
  it.each([1, 2, 3])('reproduces the hand-written definition’s breaks exactly (seed %i, whole file sampled)', async (seed) => {
    await compareOnGenerated(seed, 2500);
  });

  it('reproduces them when the sample is a small part of the file', async () => {
    await compareOnGenerated(11, 40_000, 4000);
  });

  it('explains its choices: maps, case folding, currency, sporadic patterns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recon-infer-report-'));
    const g = await generateExtracts({ rows: 4000, outDir: dir, seed: 5 });
    const { definition, report } = await inferDefinition({ aPath: g.aPath, bPath: g.bPath });
    const side = definition.fields?.find((f) => f.name === 'Side');
    expect(side?.map).toEqual({ b: { B: 'BUY', S: 'SELL' } });
    expect(definition.fields?.find((f) => f.name === 'Currency')?.case).toBe('upper');
    expect(definition.fields?.find((f) => f.name === 'Counterparty')?.map).toBeUndefined();
    expect(definition.sources?.b).toMatchObject({ delimiter: ';', decimalSeparator: ',', dateFormat: '%d/%m/%Y' });
    expect(report.files.b.decimalSeparator.value).toBe(',');
    expect(report.currencyField?.value).toBe('Currency');
    expect(report.key.reason).toMatch(/TradeID ↔ trade_ref/);
    // Scale and sign breaks are sporadic in generated data: reported, never a rule in the definition.
    expect(report.rules.length).toBeGreaterThan(0);
    expect(report.rules.every((r) => !r.columnWide)).toBe(true);
    for (const f of report.fields) {
      expect(f.mapping.reason.length).toBeGreaterThan(0);
      expect(f.mapping.confidence).toBeGreaterThan(0.5);
    }
  });
});
